"""Conformance: replay terraform-provider-auth0's own recordings of real Auth0 traffic against the sandbox tenant.

The provider our engine builds records its acceptance tests against a real tenant (go-vcr cassettes in
`test/data/recordings/` of its module). Each chosen recording is replayed, request by request, against a
fresh sandbox tenant: ids and the domain are mapped from the recording to the sandbox as each create answers,
and every answer is compared with the recorded one (status, key set, values that are not ids, secrets or
timestamps). The recordings are read from the Go module cache at test time, never committed.

Requests to routes the sandbox does not implement are counted, not sent; so are requests that name an object
only such a route created (their answer could not match). The figures go to stdout (`pytest -s`) and to
docs/sandbox.md, "Conformance".
"""

from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from sandbox.auth0_tenant.management import scopes
from sandbox.auth0_tenant.models.seeds import seeded_connection_id
from sandbox.auth0_tenant.server import start_tenant

ROOT = Path(__file__).resolve().parent.parent
RECORDED_DOMAIN = "terraform-provider-auth0-dev.eu.auth0.com"
DATABASE_CONNECTION = "Username-Password-Authentication"

RECORDINGS: dict[str, str] = {
    # Clients: the regular web and M2M applications, their settings, secrets and auth method.
    "TestAccClientConfig": "a client's create/read/update/delete cycle",
    "TestAccClientOIDCLogout": "oidc_logout set and cleared (our web app sets backchannel logout URLs)",
    "TestAccClientRefreshToken": "refresh_token settings and their defaults",
    "TestAccClientJWTConfiguration": "jwt_configuration, read back on every refresh",
    "TestAccClientMetadataBehavior": "client_metadata (the groups-claim Action reads it)",
    "TestAccAllowUpdatingTheClientSecret": "rotating the secret of a client_secret_post application",
    "TestAccClientCanSetDefaultAuthMethodOnCreate": "token_endpoint_auth_method, as auth0_client_credentials sets it",
    "TestAccDataClientById": "the client read that refresh makes",
    # Client grants: the M2M application's grant on the Management API.
    "TestAccClientGrant": "client grant create/update/delete (its resource server routes are counted)",
    # Actions: the groups-claim Action with deploy, and its post-login binding.
    "TestAccAction": "action create, build, deploy, versions",
    "TestAccTriggerAction": "one action bound to a trigger (auth0_trigger_action)",
    "TestAccTriggerActions": "the whole binding list of a trigger (auth0_trigger_actions)",
    # Connection clients: enabling our application on a connection.
    "TestAccConnectionClient": "one client enabled on a connection (auth0_connection_client)",
    "TestAccConnectionClients": "a connection's enabled-client list (auth0_connection_clients)",
}
"""Replayed, and why each one touches what our resources use."""

LEFT_OUT: dict[str, str] = {
    "TestAccClientAddons": "addons (WS-Fed, SAML, ...) no resource of ours sets",
    "TestAccClientAuthenticationMethodsPrivateKeyJWT": "private_key_jwt; we use client_secret_post",
    "TestAccClientAuthenticationMethodsTLSClientAuth": "mTLS auth; we use client_secret_post",
    "TestAccClientAuthenticationMethodsSelfSignedTLSClientAuth": "mTLS auth; we use client_secret_post",
    "TestAccClientAuthenticationMethodsSignedRequestObject": "JAR; we use client_secret_post",
    "TestAccClientCredentialsPrivateKeyJWTFullRotation": "private_key_jwt credentials",
    "TestAccClientMobile": "native apps; ours are regular_web and non_interactive",
    "TestAccClientSSOIntegrationWithSAML": "SAML SSO integration",
    "TestAccClientWithDefaultOrganization": "organizations, which the sandbox does not implement",
    "TestAccActionModule": "action modules (routes the sandbox does not implement, nor do we use)",
    "TestAccConnection": "creating connections: we enable clients on existing ones only",
}
"""Near misses, and why they are out; every other recording is of a resource or client feature ours do not use."""

IGNORED_KEYS = re.compile(r"^(id|client_id|client_secret|action_id|created_at|updated_at|.*_at|signing_keys|tenant)$")
"""Ids, secrets and timestamps: their values differ by nature; their presence still counts in the key set."""

PROVIDER_READS: dict[str, frozenset[str]] = {
    "/clients": frozenset(
        {
            "name",
            "app_type",
            "callbacks",
            "allowed_logout_urls",
            "grant_types",
            "oidc_conformant",
            "token_endpoint_auth_method",
            "refresh_token",
            "oidc_logout",
            "jwt_configuration",
            "client_metadata",
            "is_first_party",
            "web_origins",
            "initiate_login_uri",
        }
    ),
    "/client-grants": frozenset({"audience", "scope", "subject_type", "allow_any_organization"}),
    "/actions": frozenset({"name", "code", "runtime", "supported_triggers", "secrets", "dependencies", "bindings"}),
    "/connections": frozenset({"clients", "name", "strategy"}),
}
"""Per route family, the answer fields the provider reads into state for our resources: a difference fails."""

READ_AS: dict[str, Callable[[Any], Any]] = {
    "bindings": lambda bindings: [(b.get("display_name"), b.get("action", {}).get("id")) for b in bindings],
}
"""Fields the provider reads only part of: a binding's display name and action id (the embedded action summary
is not read into state), compared as the provider reads them.
"""

ALLOWED_DIFFERENCES: dict[tuple[str, int], str] = {
    ("TestAccAction", 45): "the recording tenant still held a post-login binding another test left behind "
    "(TestAccAction_DeleteWithUnbind); a fresh tenant holds none",
}
"""(recording, interaction) whose difference in a field the provider reads is understood, with the reason."""


def _recordings_dir() -> Path:
    versions = dict(
        line.split("=", 1) for line in (ROOT / "engine" / "versions.env").read_text().splitlines() if "=" in line
    )
    cache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True, check=True).stdout.strip()
    version = versions["AUTH0_UPSTREAM_VERSION"]
    path = Path(cache) / f"github.com/auth0/terraform-provider-auth0@v{version}/test/data/recordings"
    if not path.is_dir():
        pytest.fail(f"{path} is missing: run scripts/engine.sh, which downloads the provider module v{version}")
    return path


def _route(method: str, path: str) -> str | None:
    found = scopes.match(method, path)
    return found[0].key if found else None


def _family(route: str) -> str:
    path = route.split(" ", 1)[1]
    return "/" + path.split("/")[1] if not path.startswith("/actions") else "/actions"


@dataclass
class Figures:
    """Counts per route: interactions, and how many matched on status, key set and values."""

    interactions: Counter[str] = field(default_factory=Counter)
    status: Counter[str] = field(default_factory=Counter)
    keys: Counter[str] = field(default_factory=Counter)
    values: Counter[str] = field(default_factory=Counter)
    compared: Counter[str] = field(default_factory=Counter)
    unimplemented: Counter[str] = field(default_factory=Counter)
    dependent: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    differences: Counter[str] = field(default_factory=Counter)


class Replay:
    """One recording against one fresh tenant, mapping recorded ids to the sandbox's as answers arrive."""

    def __init__(self, name: str, info: Any, figures: Figures) -> None:
        self.name = name
        self.info = info
        self.figures = figures
        self.ids: dict[str, str] = {RECORDED_DOMAIN: info.domain}
        self.foreign: set[str] = set()
        self.current = -1
        self.audience = f"https://{info.domain}/api/v2/"
        """A recorded API's identifier stands for this one, the only API a sandbox tenant has, so grants replay;
        likewise a recorded database connection is the seeded one, so its enabled clients replay."""
        self.context = ssl.create_default_context(cafile=info.ca_file)
        self.token: str | None = None
        self.token = self._token()

    def _token(self) -> str:
        form = (
            f"grant_type=client_credentials&client_id={self.info.bootstrap_client_id}"
            f"&client_secret={self.info.bootstrap_client_secret}&audience=https://{self.info.domain}/api/v2/"
        )
        status, body = self._send("POST", "/oauth/token", form, "application/x-www-form-urlencoded")
        assert status == 200, body
        return str(body["access_token"])

    def _send(self, method: str, path: str, body: str, content_type: str = "application/json") -> tuple[int, Any]:
        headers = {"Content-Type": content_type} if body else {}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            f"https://{self.info.domain}{path}", data=body.encode() if body else None, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        return status, json.loads(text) if text else None

    def _map(self, text: str) -> str:
        for recorded in sorted(self.ids, key=len, reverse=True):
            text = text.replace(recorded, self.ids[recorded])
        return text

    def _learn(self, recorded: Any, actual: Any) -> None:
        """Walk both answers side by side; every recorded id found gets the sandbox's id at the same place."""
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key, value in recorded.items():
                if key in ("id", "client_id") and isinstance(value, str) and isinstance(actual.get(key), str):
                    self.ids.setdefault(value, actual[key])
                elif key in actual:
                    self._learn(value, actual[key])
        elif isinstance(recorded, list) and isinstance(actual, list):
            for left, right in zip(recorded, actual, strict=False):
                self._learn(left, right)

    def _stand_in(self, label: str, recorded: Any) -> None:
        """What an unimplemented create made: a sandbox object that stands for it, or else foreign ids."""
        if label == "POST /resource-servers" and isinstance(recorded, dict):
            self.ids[recorded["identifier"]] = self.audience
            recorded = {"id": recorded["id"]}
        elif label == "POST /connections" and isinstance(recorded, dict) and recorded.get("strategy") == "auth0":
            self.ids[recorded["id"]] = seeded_connection_id(DATABASE_CONNECTION)
            self.ids[recorded["name"]] = DATABASE_CONNECTION
            return
        self._mark_foreign(recorded)

    def _mark_foreign(self, recorded: Any) -> None:
        if isinstance(recorded, dict):
            for key, value in recorded.items():
                if key in ("id", "identifier", "client_id") and isinstance(value, str) and value not in self.ids:
                    self.foreign.add(value)

    def _compare(self, route: str, recorded: Any, actual: Any, where: str) -> tuple[bool, bool]:
        """Key set and non-id values, recursively through objects; lists are compared item by item."""
        keys_ok = values_ok = True
        if isinstance(recorded, dict) and isinstance(actual, dict):
            if set(recorded) != set(actual):
                keys_ok = False
                for name in sorted(set(recorded) ^ set(actual)):
                    self.figures.differences[f"{route} keys {where}{name}"] += 1
                    if not where:
                        self._judge(route, name, recorded.get(name, "(absent)"), actual.get(name, "(absent)"))
            for name in set(recorded) & set(actual):
                if IGNORED_KEYS.match(name):
                    continue
                sub_keys, sub_values = self._compare(route, recorded[name], actual[name], f"{where}{name}.")
                keys_ok &= sub_keys
                values_ok &= sub_values
                if not sub_values and not where:
                    self._judge(route, name, recorded[name], actual[name])
            return keys_ok, values_ok
        if isinstance(recorded, list) and isinstance(actual, list) and len(recorded) == len(actual):
            for left, right in zip(recorded, actual, strict=True):
                sub_keys, sub_values = self._compare(route, left, right, where)
                keys_ok &= sub_keys
                values_ok &= sub_values
            return keys_ok, values_ok
        mapped = json.loads(self._map(json.dumps(recorded))) if recorded is not None else None
        if mapped != actual:
            self.figures.differences[f"{route} value {where.rstrip('.')}"] += 1
            return True, False
        return True, True

    def _judge(self, route: str, name: str, recorded: Any, actual: Any) -> None:
        if name in READ_AS:
            recorded, actual = READ_AS[name](json.loads(self._map(json.dumps(recorded)))), READ_AS[name](actual)
            if recorded == actual:
                return
        if (
            name in PROVIDER_READS.get(_family(route), frozenset())
            and (self.name, self.current) not in ALLOWED_DIFFERENCES
        ):
            self.figures.failures.append(
                f"{self.name} {route}: {name} recorded {json.dumps(recorded)[:200]} sandbox {json.dumps(actual)[:200]}"
            )

    def run(self, interactions: list[dict[str, Any]]) -> None:
        for interaction in interactions:
            request, response = interaction["request"], interaction["response"]
            self.current = int(interaction["id"])
            url = urlsplit(request["url"])
            method = request["method"]
            route = _route(method, url.path)
            recorded_body = json.loads(response["body"]) if response["body"] else None
            label = route or f"{method} {re.sub(r'/[^/]*[0-9][^/]*', '/{id}', url.path.removeprefix('/api/v2'))}"
            self.figures.interactions[label] += 1
            if route is None:
                self.figures.unimplemented[label] += 1
                self._stand_in(label, recorded_body)
                continue
            sent = request["url"] + request["body"]
            if any(value in sent for value in self.foreign):
                self.figures.dependent[label] += 1
                self._mark_foreign(recorded_body)
                continue
            path = self._map(url.path + (f"?{url.query}" if url.query else ""))
            status, actual = self._send(method, path, self._map(request["body"]))
            if status == response["code"]:
                self.figures.status[label] += 1
            else:
                self.figures.failures.append(
                    f"{self.name} #{interaction['id']} {method} {path}: recorded {response['code']} "
                    f"{response['body'][:160]} sandbox {status} {json.dumps(actual)[:160]}"
                )
            if recorded_body is None or actual is None or status != response["code"]:
                continue
            self._learn(recorded_body, actual)
            self.figures.compared[label] += 1
            keys_ok, values_ok = self._compare(label, recorded_body, actual, "")
            self.figures.keys[label] += keys_ok
            self.figures.values[label] += values_ok


def _report(figures: Figures) -> str:
    lines = [f"{'route':48s} {'n':>4s} {'status':>7s} {'keys':>9s} {'values':>9s}  not sent"]
    for label in sorted(figures.interactions):
        n = figures.interactions[label]
        compared = figures.compared[label]
        skipped = figures.unimplemented[label] or figures.dependent[label]
        why = "unimplemented" if figures.unimplemented[label] else ("needs one" if figures.dependent[label] else "")
        lines.append(
            f"{label:48s} {n:4d} {figures.status[label]:3d}/{n - skipped:<3d} {figures.keys[label]:4d}/{compared:<4d}"
            f" {figures.values[label]:4d}/{compared:<4d}  {skipped or ''} {why}"
        )
    sent = sum(figures.interactions.values()) - sum(figures.unimplemented.values()) - sum(figures.dependent.values())
    compared = sum(figures.compared.values())
    lines.append(
        f"total: {sum(figures.interactions.values())} interactions, {sent} sent, status matches "
        f"{sum(figures.status.values())}/{sent}, key sets {sum(figures.keys.values())}/{compared}, values "
        f"{sum(figures.values.values())}/{compared}; {sum(figures.unimplemented.values())} to unimplemented routes, "
        f"{sum(figures.dependent.values())} naming what those created"
    )
    lines.append("differences (route, kind, field: count):")
    lines += [f"  {what}: {count}" for what, count in figures.differences.most_common()]
    return "\n".join(lines)


def test_recordings_replay_like_auth0(tmp_path: Path) -> None:
    """Every status, and every field the provider reads for our resources, as the real tenant answered."""
    recordings = _recordings_dir()
    figures = Figures()
    missing = [name for name in RECORDINGS if not (recordings / f"{name}.yaml").is_file()]
    assert missing == [], f"recordings missing from the provider module: {missing}"
    assert not set(RECORDINGS) & set(LEFT_OUT)
    for name in RECORDINGS:
        cassette = yaml.safe_load((recordings / f"{name}.yaml").read_text())
        with start_tenant(
            tmp_path / name, bootstrap_scopes=sorted({s for e in scopes.ENDPOINTS for s in e.scopes})
        ) as tenant:
            Replay(name, tenant.info, figures).run(cassette["interactions"])
    report = _report(figures)
    print(report)
    (Path(os.environ.get("CONFORMANCE_REPORT", tmp_path / "conformance.txt"))).write_text(report + "\n")
    assert figures.failures == [], "\n".join(figures.failures) + "\n\n" + report
