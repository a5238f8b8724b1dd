"""Two stacks share one tenant: deploying both at once must leave both groups-claim Actions bound.

The provider's trigger binding is a read-modify-write of the whole post-login binding list, so two
writers at the same moment could each write back a list without the other's Action.
"""

from __future__ import annotations

from collections.abc import Callable

from e2e.conftest import Result, Sandbox, Stack, StackFactory, side_by_side

ROUNDS = 10


def bound_actions(sandbox: Sandbox) -> set[str]:
    return {binding["action"]["name"] for binding in sandbox.tenant.bindings("post-login")}


def action_name(stack: Stack) -> str:
    return f"pomerium-{stack.name}-groups-claim"


def up_at_once(stacks: list[Stack]) -> None:
    def job(stack: Stack) -> Callable[[], Result]:
        return lambda: stack.run("up")

    side_by_side({stack.name: job(stack) for stack in stacks})


def test_two_stacks_toggling_their_groups_claim_at_once_never_lose_a_binding(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    stacks = [new_stack(), new_stack()]
    up_at_once(stacks)
    lost = []
    for round_number in range(ROUNDS):
        for claim in ("false", "true"):
            for stack in stacks:
                stack.set_config("groupsClaim", claim)
            up_at_once(stacks)
            bound = bound_actions(sandbox)
            expected = {action_name(stack) for stack in stacks} if claim == "true" else set()
            ours = {name for name in bound if any(name == action_name(stack) for stack in stacks)}
            if ours != expected:
                lost.append((round_number, claim, sorted(expected - ours), sorted(ours - expected)))
    assert lost == [], f"bindings lost or left behind in {len(lost)} of {2 * ROUNDS} concurrent updates: {lost}"
