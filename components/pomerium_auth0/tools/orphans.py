"""List, and on request delete, Auth0 objects of a stack that its Pulumi state does not reference.

An interrupted `pulumi up` (killed, laptop closed, CI job cancelled) can leave an application or
an Action that Auth0 created but the state never recorded; `pulumi up` then creates another. The
stack's own objects are recognised by their exact names (derived from the stack's `appName`) and, for
applications, the components' exact descriptions (`tenant_names`); nothing else is touched, not even
the objects of a stack whose `appName` merely starts with this one's (`pomerium-dev2` for `pomerium-dev`).

    python -m pomerium_auth0.orphans --stack dev            # list
    python -m pomerium_auth0.orphans --stack dev --delete   # delete what was listed

Run it from the project directory, after `pulumi cancel` and `pulumi refresh --clear-pending-creates`
(README, "Recovering from an interrupted pulumi up"). It signs in like the Auth0 provider, with
AUTH0_DOMAIN / AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET or the stack's `auth0:` config.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from ..domain.tenant_names import owns_action, owns_application
from ..stack.bootstrap_scopes import management_token

PAGE_SIZE = 100


@dataclass(frozen=True)
class Orphan:
    """One Auth0 object no state references, and how to delete it."""

    kind: str
    name: str
    delete_path: str


def _pulumi(stack: str, *args: str) -> str:
    done = subprocess.run(["pulumi", *args, "--stack", stack], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def _setting(stack: str, key: str, env: str) -> str:
    return os.environ.get(env) or _pulumi(stack, "config", "get", key)


class _Management:
    def __init__(self, domain: str, client_id: str, client_secret: str) -> None:
        self.domain = domain
        self.token = management_token(domain, client_id, client_secret)["access_token"]

    def call(self, method: str, path: str) -> Any:
        request = urllib.request.Request(
            f"https://{self.domain}/api/v2{path}", method=method, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def pages(self, path: str, key: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        page = 0
        while True:
            answer = self.call("GET", f"{path}{'&' if '?' in path else '?'}per_page={PAGE_SIZE}&page={page}")
            items = answer[key] if key else answer
            found += items
            if len(items) < PAGE_SIZE:
                return found
            page += 1


def state_ids(stack: str) -> set[str]:
    """Every resource id the stack's state holds."""
    exported = _pulumi(stack, "stack", "export")
    if not exported:
        raise SystemExit(f"cannot read the state of stack {stack!r} (run from the project directory)")
    resources = json.loads(exported)["deployment"].get("resources", [])
    return {resource["id"] for resource in resources if resource.get("id")}


def find_orphans(api: _Management, app_name: str, known: set[str]) -> list[Orphan]:
    """This stack's applications and Actions (by exact name) that `known` does not contain.

    It reads only `client_id`, `name` and `description`, which Auth0 returns to a token with any client read
    scope (its field-level read rules), so a bootstrap application with fewer read scopes finds them too.
    """
    found = [
        Orphan("application", client["name"], f"/clients/{client['client_id']}")
        for client in api.pages("/clients")
        if owns_application(app_name, client) and client["client_id"] not in known
    ]
    try:
        actions = api.pages("/actions/actions", "actions")
    except urllib.error.HTTPError as error:
        if error.code != 403:  # without read:actions (groupsClaim: false) there are none of ours
            raise
        actions = []
    found += [
        Orphan("action", action["name"], f"/actions/actions/{action['id']}?force=true")
        for action in actions
        if owns_action(app_name, action) and action["id"] not in known
    ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pomerium_auth0.orphans", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--app-name", help="the stack's appName (default: its config, else pomerium-<stack>)")
    parser.add_argument("--delete", action="store_true", help="delete the orphans listed")
    args = parser.parse_args(argv)
    app_name = (
        args.app_name or _pulumi(args.stack, "config", "get", "pomerium-auth0:appName") or f"pomerium-{args.stack}"
    )
    api = _Management(
        _setting(args.stack, "auth0:domain", "AUTH0_DOMAIN"),
        _setting(args.stack, "auth0:clientId", "AUTH0_CLIENT_ID"),
        _setting(args.stack, "auth0:clientSecret", "AUTH0_CLIENT_SECRET"),
    )
    orphans = find_orphans(api, app_name, state_ids(args.stack))
    for orphan in orphans:
        print(f"{'deleting' if args.delete else 'orphan'}: {orphan.kind} {orphan.name}")
        if args.delete:
            api.call("DELETE", orphan.delete_path)
    if not orphans:
        print(f"no orphans of {app_name} in {api.domain}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
