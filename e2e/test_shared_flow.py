"""Another tool's post-login Actions keep their places around ours: through our `up`, a claim rename and `destroy`.

Auth0 keeps one ordered binding list per trigger. Another application (as Terraform, the Deploy CLI or
a person in the dashboard would) binds Actions before and after ours, one of them denying a user;
every check reads the tenant's binding list back, and signs in the way Pomerium does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pomerium_auth0.domain.tenant_names import groups_claim_action_name

from e2e.conftest import BINDINGS, Sandbox, StackFactory
from sandbox.relying_party import LoginError, RelyingParty, StackLogin
from sandbox.tenant_client import TenantClient

DATABASE = "Username-Password-Authentication"
ADMIN_SCOPES = ("create:actions", "read:actions", "update:actions", "delete:actions")
DENIAL = "contractors sign in elsewhere"
RENAMED_CLAIM = "https://example.com/renamed-groups"
BUILD_SECONDS = 30


def claim_code(name: str) -> str:
    return (
        "exports.onExecutePostLogin = async (event, api) => {"
        f' api.idToken.setCustomClaim("https://foreign.example.com/{name}", true); }};'
    )


def denial_code(email: str) -> str:
    return (
        "exports.onExecutePostLogin = async (event, api) => {"
        f' if (event.user.email === "{email}") {{ api.access.deny("{DENIAL}"); }} }};'
    )


@dataclass
class ForeignFlow:
    """The post-login Actions of another tool, created and bound through the Management API."""

    admin: TenantClient
    created: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, code: str) -> None:
        """Create, build, deploy and bind an Action at the end of post-login, as the dashboard's drag-and-drop does."""
        trigger = [{"id": "post-login", "version": "v3"}]
        body = {"name": name, "code": code, "runtime": "node22", "supported_triggers": trigger}
        action_id = self.admin.api("POST", "/actions/actions", body)["id"]
        self.created[name] = action_id
        deadline = time.monotonic() + BUILD_SECONDS
        while self.admin.api("GET", f"/actions/actions/{action_id}")["status"] != "built":
            assert time.monotonic() < deadline, f"{name} did not build"
            time.sleep(0.2)
        self.admin.api("POST", f"/actions/actions/{action_id}/deploy")
        self.bind([*self.bound(), (action_id, name)])

    def bound(self) -> list[tuple[str, str]]:
        """The trigger's bindings in order: (action id, display name)."""
        return [(b["action"]["id"], b["display_name"]) for b in self.admin.bindings()]

    def names(self) -> list[str]:
        return [b["action"]["name"] for b in self.admin.bindings()]

    def bind(self, bindings: list[tuple[str, str]]) -> None:
        refs = [
            {"ref": {"type": "action_id", "value": action_id}, "display_name": name} for action_id, name in bindings
        ]
        self.admin.api("PATCH", "/actions/triggers/post-login/bindings", {"bindings": refs})

    def remove(self) -> None:
        """Unbind and delete this tool's Actions, leaving every other binding as it was."""
        self.bind([binding for binding in self.bound() if binding[0] not in self.created.values()])
        for action_id in self.created.values():
            self.admin.api("DELETE", f"/actions/actions/{action_id}")


@pytest.fixture
def foreign(sandbox: Sandbox) -> Iterator[ForeignFlow]:
    with BINDINGS:
        admin = sandbox.tenant.signed_in_as(*sandbox.tenant.new_machine_client("other-tool", ADMIN_SCOPES))
        flow = ForeignFlow(admin)
        try:
            yield flow
        finally:
            flow.remove()


def user(party: RelyingParty, *, roles: bool) -> dict[str, Any]:
    return next(u for u in party.seeded_users() if bool(u["roles"]) == roles and u["connection"] == DATABASE)


def test_foreign_actions_keep_their_places_and_a_foreign_denial_still_denies(
    sandbox: Sandbox, new_stack: StackFactory, foreign: ForeignFlow
) -> None:
    party = RelyingParty.in_engine(sandbox.engine, sandbox.directory)
    member, contractor = user(party, roles=True), user(party, roles=False)
    foreign.add("foreign-before", claim_code("before"))
    stack = new_stack(deployPomerium="false", connections=[sandbox.tenant.connections()[DATABASE]])
    stack.run("up")
    ours = groups_claim_action_name(stack.app_name)
    foreign.add("foreign-after", claim_code("after"))
    foreign.add("foreign-deny", denial_code(contractor["email"]))
    order = ["foreign-before", ours, "foreign-after", "foreign-deny"]
    assert foreign.names() == order

    claims = party.sign_in(StackLogin.from_stack_file(stack.config_file), member["email"])["claims"]
    assert claims["https://foreign.example.com/before"] is True
    assert claims["https://foreign.example.com/after"] is True
    assert set(claims["pomerium.io/groups"]) == set(member["roles"])
    with pytest.raises(LoginError, match=DENIAL):
        party.sign_in(StackLogin.from_stack_file(stack.config_file), contractor["email"])

    stack.set_config("groupsClaimName", RENAMED_CLAIM)
    stack.run("up")
    assert foreign.names() == order
    claims = party.sign_in(StackLogin.from_stack_file(stack.config_file), member["email"])["claims"]
    assert set(claims[RENAMED_CLAIM]) == set(member["roles"])
    assert "pomerium.io/groups" not in claims
    with pytest.raises(LoginError, match=DENIAL):
        party.sign_in(StackLogin.from_stack_file(stack.config_file), contractor["email"])

    stack.run("destroy")
    assert foreign.names() == ["foreign-before", "foreign-after", "foreign-deny"]
