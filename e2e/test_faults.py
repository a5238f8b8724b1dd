"""A flaky, rate-limited Auth0: `up` and `destroy` still converge, to the state of a clean run, with no duplicates.

The sandbox tenant injects seeded faults on Management API routes: 429 with `X-RateLimit-Reset`,
500 and 503 bursts, slow answers. The provider retries them; this proves it converges and counts
what it took.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from e2e.conftest import Sandbox, StackFactory, resources, tenant_objects

FAULTS = "429=0.2,503=0.1,500=0.05,slow=0.05,seed=7,slow_ms=300"


def fault_report(entries: list[dict[str, Any]]) -> tuple[Counter[str], int]:
    """Faults injected by kind, and how many refused requests were sent again later (the retries)."""
    faults = Counter(entry["fault"] for entry in entries if entry.get("fault"))
    retried = 0
    for index, entry in enumerate(entries):
        if entry.get("fault") in ("429", "500", "503"):
            request = (entry["method"], entry["path"])
            retried += any((later["method"], later["path"]) == request for later in entries[index + 1 :])
    return faults, retried


def test_under_rate_limits_and_5xx_bursts_up_and_destroy_converge_without_duplicates(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    clean, flaky = new_stack(), new_stack()
    clean.run("up")
    sandbox.tenant.reset_requests()
    sandbox.tenant.set_faults(FAULTS)
    try:
        flaky.run("up")
        converged = tenant_objects(sandbox, flaky)
        converged_state = resources(flaky)
        flaky.run("refresh", "--expect-no-changes")
        flaky.run("destroy")
        left = tenant_objects(sandbox, flaky)
    finally:
        sandbox.tenant.set_faults(None)
    faults, retries = fault_report(sandbox.tenant.requests())
    print(f"faults injected: {dict(faults)}; requests retried after a fault: {retries}")
    assert sum(faults.values()) >= 10, "the seeded plan must actually have injected faults"
    assert converged == tenant_objects(sandbox, clean) == {"clients": 2, "grants": 1, "actions": 1, "bindings": 1}
    assert left == {"clients": 0, "grants": 0, "actions": 0, "bindings": 0}
    assert converged_state == resources(clean), "the flaky run's state must match the clean run's"
    assert resources(flaky) == Counter()
