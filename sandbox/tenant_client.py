"""Read a running sandbox tenant back the way a person would check Auth0: with its own Management API.

Tests use the inspector application (every read scope, plus `update:client_keys` to rotate a
secret), so what they assert is the tenant's real state, not what the program meant to create. With
`read:clients`, `read:client_keys` and `read:connections_options` among them, Auth0's field-level read
rules hide nothing from it: every field it reads (`client_metadata` included) is there.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .auth0_tenant.admin.urls import ADMIN_HEADER, ADMIN_PREFIX
from .auth0_tenant.models.seeds import SANDBOX_ROLE_KEY
from .stack_conventions import is_stack_action, is_stack_application

RETRIED_STATUSES = (429, 500, 503)
RETRIES = 20
RETRY_PAUSE_SECONDS = 0.2
MAX_RATE_LIMIT_PAUSE_SECONDS = 10.0
PAGE_SIZE = 100


@dataclass(frozen=True)
class StackObjects:
    """One stack's objects in the tenant, as the Management API returns them."""

    clients: list[dict[str, Any]]
    grants: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    bindings: list[dict[str, Any]]

    def counts(self) -> dict[str, int]:
        """How many of each there are: a retried create must not leave a duplicate."""
        return {kind: len(items) for kind, items in vars(self).items()}


@dataclass
class TenantClient:
    """The tenant's address, CA and inspector credentials, from its `tenant.json`."""

    info: dict[str, Any] = field(repr=False)

    def __post_init__(self) -> None:
        self._context = ssl.create_default_context(cafile=self.info["ca_file"])
        self._token: str | None = None

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> Any:
        """One call; like any well-behaved client, retry what a flaky tenant (fault injection) refuses."""
        request = urllib.request.Request(
            f"https://{self.info['domain']}{path}", data=body, method=method, headers=headers
        )
        for attempt in range(RETRIES):
            try:
                with urllib.request.urlopen(request, context=self._context, timeout=30) as response:
                    text = response.read().decode()
                return json.loads(text) if text else None
            except urllib.error.HTTPError as error:
                if error.code not in RETRIED_STATUSES or attempt == RETRIES - 1:
                    raise
                time.sleep(_pause(error))
        raise AssertionError("unreachable")

    def set_faults(self, spec: str | None) -> None:
        """Seeded fault injection on Management API routes (e.g. "429=0.2,503=0.1,seed=7"), or None for off."""
        self._admin("PUT", "faults", {"faults": spec})

    def set_rate_limit(self, spec: str | None) -> None:
        """Auth0's Management API token bucket (e.g. "rps=2,burst=10"), starting full, or None for off."""
        self._admin("PUT", "rate-limit", {"rate_limit": spec})

    def set_action_builds(self, spec: str | None) -> None:
        """Seeded Action builds from now on (e.g. "build_ms=3000,retrying=1,seed=7"), or None for the default."""
        self._admin("PUT", "action-builds", {"action_builds": spec})

    def _bearer(self) -> dict[str, str]:
        if self._token is None:
            credentials = f"{self.info['inspector_client_id']}:{self.info['inspector_client_secret']}"
            form = urllib.parse.urlencode(
                {"grant_type": "client_credentials", "audience": f"https://{self.info['domain']}/api/v2/"}
            ).encode()
            answer = self._send(
                "POST",
                "/oauth/token",
                {
                    "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                form,
            )
            self._token = answer["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def api(self, method: str, path: str, body: object = None) -> Any:
        """One Management API call as the inspector; `path` starts after `/api/v2`."""
        headers = self._bearer()
        payload = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body).encode()
        return self._send(method, f"/api/v2{path}", headers, payload)

    def _all_pages(self, path: str, key: str | None = None) -> list[dict[str, Any]]:
        """Every item of a paged list (`page`/`per_page`), however many pages it takes."""
        listed: list[dict[str, Any]] = []
        separator = "&" if "?" in path else "?"
        while True:
            answer = self.api("GET", f"{path}{separator}per_page={PAGE_SIZE}&page={len(listed) // PAGE_SIZE}")
            page: list[dict[str, Any]] = answer[key] if key else answer
            listed += page
            if len(page) < PAGE_SIZE:
                return listed

    def clients(self) -> list[dict[str, Any]]:
        """Every client except the sandbox's own bootstrap and inspector applications."""
        return [c for c in self._all_pages("/clients") if SANDBOX_ROLE_KEY not in (c.get("client_metadata") or {})]

    def client(self, client_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api("GET", f"/clients/{client_id}")
        return found

    def grants(self) -> list[dict[str, Any]]:
        """Every client grant except the sandbox's own."""
        ours = {c["client_id"] for c in self.clients()}
        return [g for g in self._all_pages("/client-grants") if g["client_id"] in ours]

    def actions(self) -> list[dict[str, Any]]:
        return self._all_pages("/actions/actions", "actions")

    def bindings(self, trigger: str = "post-login") -> list[dict[str, Any]]:
        return self._all_pages(f"/actions/triggers/{trigger}/bindings", "bindings")

    def stack_objects(self, app_name: str) -> StackObjects:
        """The Auth0 objects of the stack with this `appName`, matched exactly (`stack_conventions`)."""
        clients = [c for c in self.clients() if is_stack_application(app_name, c)]
        ids = {c["client_id"] for c in clients}
        return StackObjects(
            clients=clients,
            grants=[g for g in self.grants() if g["client_id"] in ids],
            actions=[a for a in self.actions() if is_stack_action(app_name, a)],
            bindings=[b for b in self.bindings() if is_stack_action(app_name, b["action"])],
        )

    def connections(self) -> dict[str, str]:
        """Connection ids by name."""
        return {c["name"]: c["id"] for c in self.api("GET", "/connections")}

    def rotate_secret(self, client_id: str) -> str:
        rotated: str = self.api("POST", f"/clients/{client_id}/rotate-secret")["client_secret"]
        return rotated

    def _admin(self, method: str, path: str, body: object = None) -> Any:
        headers = {ADMIN_HEADER: self.info["admin_token"]}
        payload = None if body is None else json.dumps(body).encode()
        return self._send(method, ADMIN_PREFIX + path, headers, payload)

    def new_machine_client(self, role: str, scopes: Iterable[str]) -> tuple[str, str]:
        """Another application like the bootstrap one, with exactly these scopes: (client_id, client_secret)."""
        created = self._admin("POST", "clients", {"role": role, "scope": sorted(scopes)})
        return created["client_id"], created["client_secret"]

    def signed_in_as(self, client_id: str, client_secret: str) -> TenantClient:
        """The same tenant, called as another application (e.g. one from :meth:`new_machine_client`)."""
        return TenantClient({**self.info, "inspector_client_id": client_id, "inspector_client_secret": client_secret})

    def set_bootstrap_scopes(self, scopes: Iterable[str]) -> None:
        """Give the bootstrap application exactly these Management API scopes (from its next token on)."""
        self._admin("PUT", f"client-scopes/{self.info['bootstrap_client_id']}", {"scope": sorted(scopes)})

    def requests(self, since: int = 0, *, everyone: bool = False) -> list[dict[str, Any]]:
        """The request log after the entry numbered `since` (see :meth:`last_seq`); by default without the
        inspector's own calls, so counts are the program's."""
        entries: list[dict[str, Any]] = self._admin("GET", f"requests?since={since}")["requests"]
        if everyone:
            return entries
        return [entry for entry in entries if entry.get("client_id") != self.info["inspector_client_id"]]

    def last_seq(self) -> int:
        """The number of the latest log entry: pass it to :meth:`requests` later to see only what came after."""
        last: int = self._admin("GET", f"requests?since={2**62}")["last_seq"]
        return last

    def requests_by_endpoint(self, since: int = 0) -> Counter[str]:
        """Counts keyed `METHOD /path` after entry `since`, with object ids folded to `{id}` so runs compare."""
        return Counter(f"{entry['method']} {fold_ids(entry['path'])}" for entry in self.requests(since))


def _pause(error: urllib.error.HTTPError) -> float:
    """How long to wait before sending a refused request again: until `X-RateLimit-Reset` when a 429 names it."""
    reset = error.headers.get("X-RateLimit-Reset") if error.code == 429 else None
    if reset is None:
        return RETRY_PAUSE_SECONDS
    return min(max(int(reset) - time.time(), RETRY_PAUSE_SECONDS), MAX_RATE_LIMIT_PAUSE_SECONDS)


def fold_ids(path: str) -> str:
    """`/api/v2/clients/abc/credentials` -> `/api/v2/clients/{id}/credentials`: one name per endpoint."""
    parts = path.split("/")
    known = {"api", "v2", "clients", "client-grants", "actions", "triggers", "bindings", "credentials", "deploy"}
    known |= {"versions", "oauth", "token", "rotate-secret", "post-login", ""}
    return "/".join(part if part in known else "{id}" for part in parts)
