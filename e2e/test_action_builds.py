"""Auth0 builds an Action for seconds, sometimes retries, sometimes fails: `up` waits, or stops and says which.

The sandbox tenant builds each created or updated Action for a seeded time, answering `building` (and
`retrying` for the share of builds that retry) until it is `built`, or `failed`
(`sandbox/auth0_tenant/action_builds.py`). terraform-provider-auth0 polls the Action until it is built
and deploys it then; on `failed` it stops at once. These tests prove that a slow build converges with the
Action deployed and bound, and that a failed one stops `up` naming the Action, after which a re-run
converges without a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from pomerium_auth0.domain.tenant_names import groups_claim_action_name

from e2e.conftest import Sandbox, Stack, StackFactory, tenant_objects, touching_bindings

SLOW_BUILD_SECONDS = 4
SLOW_BUILDS = f"build_ms={SLOW_BUILD_SECONDS * 1000},retrying=1,seed=3"
"""Every build takes 4 s, its second half answering `retrying`."""
FAILING_BUILDS = "build_ms=500,failed=1"
"""Every build ends `failed` after half a second."""
ONE_STACK = {"clients": 2, "grants": 1, "actions": 1, "bindings": 1}


@pytest.fixture
def action_builds(sandbox: Sandbox) -> Iterator[Callable[[str | None], None]]:
    """Set the tenant's Action builds for one test; back to the default afterwards, even if it failed."""
    try:
        yield sandbox.tenant.set_action_builds
    finally:
        sandbox.tenant.set_action_builds(None)


def action_polls(entries: list[dict[str, Any]], action_id: str) -> int:
    """How often the provider read the Action while waiting for its build."""
    return sum(e["method"] == "GET" and e["path"] == f"/api/v2/actions/actions/{action_id}" for e in entries)


def deployed_and_bound(stack: Stack) -> dict[str, Any]:
    """The stack's one Action, read back: built, deployed, and bound to post-login."""
    objects = stack.objects()
    assert objects.counts() == ONE_STACK
    (action,) = objects.actions
    assert action["status"] == "built"
    assert action.get("deployed_version"), "the built Action was never deployed"
    (binding,) = objects.bindings
    assert binding["action"]["id"] == action["id"]
    return action


def test_slow_retrying_builds_converge_with_the_action_deployed_and_bound(
    sandbox: Sandbox, new_stack: StackFactory, action_builds: Callable[[str | None], None]
) -> None:
    stack = new_stack()
    action_builds(SLOW_BUILDS)
    before = sandbox.tenant.last_seq()
    up = touching_bindings(partial(stack.run, "up"))()
    action = deployed_and_bound(stack)
    polls = action_polls(sandbox.tenant.requests(before), action["id"])
    print(f"up took {up.seconds:.1f} s with {SLOW_BUILD_SECONDS} s builds; the provider read the Action {polls} times")
    assert polls >= 3, "the provider must have polled through `building` and `retrying`"
    assert up.seconds >= SLOW_BUILD_SECONDS
    stack.run("preview", "--expect-no-changes")


def test_a_failed_build_stops_up_naming_the_action_and_a_rerun_converges_without_duplicates(
    sandbox: Sandbox, new_stack: StackFactory, action_builds: Callable[[str | None], None]
) -> None:
    stack = new_stack()
    action_builds(FAILING_BUILDS)
    failed = touching_bindings(partial(stack.run, "up", check=False))()
    action_builds(None)
    output = failed.all_output
    assert failed.returncode != 0, failed.describe()
    assert f'action "{groups_claim_action_name(stack.app_name)}" failed to build' in output, failed.describe()
    assert "Traceback" not in output
    assert tenant_objects(stack)["bindings"] == 0, "an Action that never built must not be bound"

    touching_bindings(partial(stack.run, "up"))()
    deployed_and_bound(stack)
    stack.run("preview", "--expect-no-changes")
