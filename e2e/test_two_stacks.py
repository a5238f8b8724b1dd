"""Two stacks, one tenant, deploying at the same moment: the post-login binding list has one owner.

`dev` owns the tenant's groups-claim Action (`groupsClaimAction: own`); `staging` shares it
(`shared`) and only names its claim in its web application's metadata. For 10 rounds both run
`pulumi up` at once, turning the groups claim on and off, while another application's Action stays
bound. Every round is checked in the tenant: the binding list, the applications' metadata, and the
deployed Action's code run with Node for a login through each stack's application.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from pomerium_auth0.domain.tenant_names import groups_claim_action_name

from e2e.conftest import Sandbox, Stack, StackFactory, side_by_side
from tests.auth0_action import login_event, run_post_login

ROUNDS = 10
STAGING_CLAIM = "https://staging.example.com/groups"
ACTION_SCOPES = ("create:actions", "read:actions", "update:actions", "delete:actions")
POST_LOGIN_BINDINGS = "/actions/triggers/post-login/bindings"


def _binding_refs(bindings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"ref": {"type": "action_id", "value": b["action"]["id"]}, "display_name": b["display_name"]} for b in bindings
    ]


@pytest.fixture
def other_teams_action(sandbox: Sandbox) -> Iterator[str]:
    """An Action some other application of the tenant bound to post-login; it must survive every round."""
    other = sandbox.tenant.signed_in_as(*sandbox.tenant.new_machine_client("other-team", ACTION_SCOPES))
    action = other.api(
        "POST",
        "/actions/actions",
        {
            "name": "other-team-login-hook",
            "supported_triggers": [{"id": "post-login", "version": "v3"}],
            "code": "exports.onExecutePostLogin = async () => {};",
            "runtime": "node22",
        },
    )
    other.api("POST", f"/actions/actions/{action['id']}/deploy")
    mine = {"ref": {"type": "action_id", "value": action["id"]}, "display_name": "other-team-login-hook"}
    other.api("PATCH", POST_LOGIN_BINDINGS, {"bindings": [*_binding_refs(other.bindings()), mine]})
    yield str(action["id"])
    kept = [b for b in other.bindings() if b["action"]["id"] != action["id"]]
    other.api("PATCH", POST_LOGIN_BINDINGS, {"bindings": _binding_refs(kept)})
    other.api("DELETE", f"/actions/actions/{action['id']}")


def problems_after_round(sandbox: Sandbox, dev: Stack, staging: Stack, other_action: str, claim_on: bool) -> list[str]:
    """What differs in the tenant from what both stacks' configs say; empty when the round converged."""
    tenant = sandbox.tenant
    found: list[str] = []
    bound = [b["action"] for b in tenant.bindings()]
    if [a["id"] for a in bound].count(other_action) != 1:
        found.append("the other application's binding was lost or duplicated")
    ours = [b["action"] for b in dev.objects().bindings + staging.objects().bindings]
    expected_names = [groups_claim_action_name(dev.app_name)] if claim_on else []
    if [a["name"] for a in ours] != expected_names:
        found.append(f"bound pomerium Actions are {[a['name'] for a in ours]}, expected {expected_names}")
    if not claim_on:
        leftover = [a["name"] for stack in (dev, staging) for a in stack.objects().actions]
        if leftover:
            found.append(f"Actions left after the claim was turned off: {leftover}")
    for stack, claim in ((dev, "pomerium.io/groups"), (staging, STAGING_CLAIM)):
        (web,) = [c for c in stack.objects().clients if c["name"] == stack.app_name]
        metadata = web.get("client_metadata") or {}
        if metadata.get("pomerium_groups_claim") != (claim if claim_on else None):
            found.append(f"{stack.name}'s application metadata is {metadata}")
        if claim_on and ours:
            code = tenant.api("GET", f"/actions/actions/{ours[0]['id']}")["code"]
            claims = run_post_login(code, login_event(web["client_id"], ["admins"], metadata))
            if claims != {claim: ["admins"]}:
                found.append(f"a login through {stack.name}'s application gets {claims}")
    return found


def test_an_owner_and_a_shared_stack_deploying_at_once_lose_no_binding(
    sandbox: Sandbox, new_stack: StackFactory, other_teams_action: str
) -> None:
    dev = new_stack(groupsClaimAction="own")
    staging = new_stack(groupsClaimAction="shared", groupsClaimName=STAGING_CLAIM)
    report: list[str] = []
    for round_number in range(1, ROUNDS + 1):
        claim_on = round_number % 2 == 1
        for stack in (dev, staging):
            stack.set_config("groupsClaim", str(claim_on).lower())
        runs = side_by_side({stack.name: partial(stack.run, "up", check=False) for stack in (dev, staging)})
        failed = [run.describe() for run in runs.values() if run.returncode != 0]
        assert failed == [], f"round {round_number}: a concurrent `pulumi up` failed"
        problems = problems_after_round(sandbox, dev, staging, other_teams_action, claim_on)
        assert problems == [], f"round {round_number} (groupsClaim={claim_on}): {problems}"
        report.append(f"round {round_number}: " + ", ".join(f"{n} {r.seconds:.1f} s" for n, r in runs.items()))
    print("\n".join(report))
