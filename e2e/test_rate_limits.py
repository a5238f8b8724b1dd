"""Auth0's Management API rate limit (`rps=2,burst=10`): one stack's lifecycle, and K stacks at once, converge.

The sandbox tenant answers 429 with Auth0's `X-RateLimit-*` headers once its token bucket is empty
(`sandbox/auth0_tenant/rate_limit.py`); the provider waits until `X-RateLimit-Reset` and sends the
request again. The stacks here run with `consumer: none`, so they cost no Deployments: what they
measure is Auth0's side. `POMERIUM_AUTH0_LOAD_STACKS` sets K (3 by default; `benchmarks/load.py`
runs 10).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from functools import partial

import pytest

from benchmarks.load import RATE_LIMIT, expected_objects, load_figures, stack_config
from e2e.conftest import Sandbox, Stack, StackFactory, side_by_side, tenant_objects
from sandbox.auth0_tenant.rate_limit import RateLimit

LIMIT = RateLimit.parse(RATE_LIMIT)
LOAD_STACKS = int(os.environ.get("POMERIUM_AUTH0_LOAD_STACKS", "3"))
NONE_LEFT = {"clients": 0, "grants": 0, "actions": 0, "bindings": 0}
UPDATED_CLAIM = "https://rate-limited.example.com/groups"


@pytest.fixture
def rate_limited(sandbox: Sandbox) -> Iterator[int]:
    """The tenant under `rps=2,burst=10` for one test, starting full; yields the log's baseline."""
    before = sandbox.tenant.last_seq()
    sandbox.tenant.set_rate_limit(RATE_LIMIT)
    try:
        yield before
    finally:
        sandbox.tenant.set_rate_limit(None)


def web_metadata(stack: Stack) -> dict[str, str]:
    (web,) = [c for c in stack.objects().clients if c["name"] == stack.app_name]
    return dict(web.get("client_metadata") or {})


def test_one_stacks_lifecycle_converges_under_the_rate_limit(
    sandbox: Sandbox, new_stack: StackFactory, rate_limited: int
) -> None:
    stack = new_stack(**stack_config(0))
    started = time.monotonic()
    stack.run("up")
    assert tenant_objects(stack) == expected_objects(0)
    stack.run("preview", "--expect-no-changes")
    stack.run("refresh", "--expect-no-changes")
    stack.set_config("groupsClaimName", UPDATED_CLAIM)
    stack.run("up")
    assert web_metadata(stack)["pomerium_groups_claim"] == UPDATED_CLAIM, "the update must reach the tenant"
    assert tenant_objects(stack) == expected_objects(0), "no duplicates after the update"
    stack.run("destroy")
    seconds = time.monotonic() - started
    assert tenant_objects(stack) == NONE_LEFT
    figures = load_figures(sandbox.tenant.requests(rate_limited), 1, LIMIT, seconds)
    print(f"lifecycle under the limit: {figures.line()}")
    assert figures.retries == figures.rate_limited, "the provider sends every refused request again"


def test_k_stacks_at_once_converge_and_destroy_under_the_rate_limit(
    sandbox: Sandbox, new_stack: StackFactory, rate_limited: int
) -> None:
    stacks = [new_stack(**stack_config(index)) for index in range(LOAD_STACKS)]
    started = time.monotonic()
    side_by_side({stack.name: partial(stack.run, "up") for stack in stacks}, workers=LOAD_STACKS)
    up_seconds = time.monotonic() - started
    after_up = sandbox.tenant.last_seq()
    found = {stack.name: tenant_objects(stack) for stack in stacks}
    assert found == {stack.name: expected_objects(index) for index, stack in enumerate(stacks)}
    between = sandbox.tenant.last_seq()
    started = time.monotonic()
    side_by_side({stack.name: partial(stack.run, "destroy") for stack in stacks}, workers=LOAD_STACKS)
    seconds = up_seconds + time.monotonic() - started
    assert {stack.name: tenant_objects(stack) for stack in stacks} == {stack.name: NONE_LEFT for stack in stacks}
    window = [e for e in sandbox.tenant.requests(rate_limited) if e["seq"] <= after_up or e["seq"] > between]
    figures = load_figures(window, LOAD_STACKS, LIMIT, seconds)
    print(f"load: {figures.line()}")
    assert figures.rate_limited > 0, "K stacks at once must outrun the bucket, or this proves nothing"
    assert figures.retries == figures.rate_limited, "the provider sends every refused request again"
    assert seconds >= (figures.requests - LIMIT.burst) / LIMIT.rps, "faster than the bucket allows: it did not hold"
