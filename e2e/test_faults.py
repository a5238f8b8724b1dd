"""A flaky, rate-limited Auth0: `up` and `destroy` still converge, to the state of a clean run, with no duplicates.

The sandbox tenant injects seeded faults on Management API routes: 429 with `X-RateLimit-Reset`,
500 and 503 bursts, slow answers. The provider retries them; this proves it converges and counts
what it took.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from e2e.conftest import Sandbox, StackFactory, resources, tenant_objects
from sandbox.auth0_tenant.faults import ERROR_STATUSES, FaultInjector, FaultPlan

FAULTS = "429=0.2,503=0.1,500=0.05,slow=0.05,seed=7,slow_ms=300"
FIRST_UP_MANAGEMENT_REQUESTS = 22
"""The fewest Management API requests a first `up` makes (README, Benchmarks: 24 requests, 2 of them tokens)."""
REFUSED = {str(status) for status in ERROR_STATUSES}


def guaranteed_faults() -> tuple[int, int]:
    """(faults, refusals) the seeded plan must inject: those it draws for the first `up`'s first requests.

    Draws go to requests in arrival order, and the flaky `up` makes at least
    :data:`FIRST_UP_MANAGEMENT_REQUESTS` of them before anything else calls the Management API. Each
    refusal among them has to be sent again, or that `up` could not succeed.
    """
    injector = FaultInjector(FaultPlan.parse(FAULTS))
    drawn = [injector.draw() for _ in range(FIRST_UP_MANAGEMENT_REQUESTS)]
    return sum(fault is not None for fault in drawn), sum(fault in REFUSED for fault in drawn)


def fault_report(entries: list[dict[str, Any]]) -> tuple[Counter[str], int]:
    """Faults injected by kind, and how many refused requests were sent again later (the retries)."""
    faults = Counter(entry["fault"] for entry in entries if entry.get("fault"))
    retried = 0
    for index, entry in enumerate(entries):
        if entry.get("fault") in REFUSED:
            request = (entry["method"], entry["path"])
            retried += any((later["method"], later["path"]) == request for later in entries[index + 1 :])
    return faults, retried


def test_under_rate_limits_and_5xx_bursts_up_and_destroy_converge_without_duplicates(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    clean, flaky = new_stack(), new_stack()
    clean.run("up")
    before = sandbox.tenant.last_seq()
    sandbox.tenant.set_faults(FAULTS)
    try:
        flaky.run("up")
        converged = tenant_objects(flaky)
        converged_state = resources(flaky)
        flaky.run("refresh", "--expect-no-changes")
        flaky.run("destroy")
        left = tenant_objects(flaky)
    finally:
        sandbox.tenant.set_faults(None)
    faults, retries = fault_report(sandbox.tenant.requests(before))
    at_least_faults, at_least_retries = guaranteed_faults()
    print(
        f"faults injected: {dict(faults)}; requests retried after a fault: {retries} "
        f"(the seeded plan guarantees {at_least_faults} faults, {at_least_retries} retries)"
    )
    assert at_least_retries > 0, "the seeded plan must refuse some of the first up's requests"
    assert sum(faults.values()) >= at_least_faults
    assert retries >= at_least_retries, "every request refused during a successful `up` must have been sent again"
    assert converged == tenant_objects(clean) == {"clients": 2, "grants": 1, "actions": 1, "bindings": 1}
    assert left == {"clients": 0, "grants": 0, "actions": 0, "bindings": 0}
    assert converged_state == resources(clean), "the flaky run's state must match the clean run's"
    assert resources(flaky) == Counter()
