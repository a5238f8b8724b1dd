"""K stacks `up` at once against one rate-limited sandbox tenant, then all `destroy`: what Auth0's limit costs.

Run `.venv/bin/python benchmarks/load.py [--stacks 10] [--rate-limit rps=2,burst=10]` after
`scripts/engine.sh`. It starts its own sandbox with `--rate-limit`, makes K copies of the sandbox
stack with `consumer: none` and no `connections` (no Deployments: the cost measured is Auth0's), one owning the
groups-claim Action and the others `shared`, runs every `up` at the same time, checks each stack's
objects in the tenant, runs every `destroy` at the same time, and prints K, the limit, the
Management API requests, the 429s, the retries, the wall time, the rate-limit floor (requests
divided by the sustained rate) and the ratio to it. `e2e/test_rate_limits.py` runs the same with a
small K.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.real_engine import engine_bin, project_copy, run_operation  # noqa: E402
from sandbox import control  # noqa: E402
from sandbox.auth0_tenant.management.scopes import API_PREFIX, DEFAULT_BOOTSTRAP_SCOPES  # noqa: E402
from sandbox.auth0_tenant.rate_limit import RateLimit  # noqa: E402
from sandbox.tenant_client import TenantClient  # noqa: E402

RATE_LIMIT = "rps=2,burst=10"
OWNER_OBJECTS = {"clients": 2, "grants": 1, "actions": 1, "bindings": 1}
"""What the stack that owns the groups-claim Action holds in the tenant; a `shared` one holds no Action."""
SHARED_OBJECTS = {"clients": 2, "grants": 1, "actions": 0, "bindings": 0}


def stack_config(index: int) -> dict[str, str]:
    """The first stack owns the tenant's groups-claim Action, the others share it; none deploys Pomerium
    (`deployPomerium: false`, the sandbox stack file's spelling of `consumer: none`)."""
    return {"deployPomerium": "false", "groupsClaimAction": "own" if index == 0 else "shared"}


def expected_objects(index: int) -> dict[str, int]:
    return OWNER_OBJECTS if index == 0 else SHARED_OBJECTS


@dataclass(frozen=True)
class LoadFigures:
    """One load run, counted from the tenant's request log."""

    stacks: int
    limit: RateLimit
    requests: int
    """Management API requests the tenant served (the 429s not counted: they cost no token)."""
    rate_limited: int
    retries: int
    """429s whose method, path and query were sent again later."""
    seconds: float

    @property
    def floor(self) -> float:
        """The fewest seconds the served requests can take at the sustained rate."""
        return self.requests / self.limit.rps

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor

    def line(self) -> str:
        return (
            f"K={self.stacks}, limit rps={self.limit.rps:g},burst={self.limit.burst}: {self.requests} Management "
            f"requests, {self.rate_limited} answered 429, {self.retries} retried; wall {self.seconds:.1f} s, "
            f"floor {self.floor:.1f} s, ratio {self.ratio:.2f}"
        )


def load_figures(entries: list[dict[str, Any]], stacks: int, limit: RateLimit, seconds: float) -> LoadFigures:
    """The figures of a run from its log entries (the Management API's only; `/oauth/token` is not limited)."""
    management = [entry for entry in entries if entry["path"].startswith(API_PREFIX + "/")]
    refused = [index for index, entry in enumerate(management) if entry.get("rate_limited")]

    def key(entry: dict[str, Any]) -> tuple[str, str, str]:
        return entry["method"], entry["path"], entry["query"]

    retried = sum(any(key(later) == key(management[i]) for later in management[i + 1 :]) for i in refused)
    return LoadFigures(stacks, limit, len(management) - len(refused), len(refused), retried, seconds)


def at_once(jobs: list[Callable[[], object]]) -> float:
    """Run every job at the same time; the wall time until the last one ends."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return time.monotonic() - started


def measure(stacks: int, rate_limit: str) -> LoadFigures:
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        sandbox = base / "sandbox"
        control.start(sandbox, engine_bin(), " ".join(DEFAULT_BOOTSTRAP_SCOPES), None, rate_limit)
        try:
            env = control.process_environment(sandbox)
            tenant = TenantClient(control.tenant_info(sandbox))
            names = [f"load-{index}" for index in range(stacks)]
            projects = [project_copy(base / "projects", name) for name in names]
            for index, (name, project) in enumerate(zip(names, projects, strict=True)):
                stack_file = project / "stacks" / f"Pulumi.{name}.yaml"
                document = yaml.safe_load(stack_file.read_text())
                document["config"]["pomerium-auth0:namespace"] = name
                del document["config"]["pomerium-auth0:connections"]  # as in the e2e stacks
                document["config"].update({f"pomerium-auth0:{k}": v for k, v in stack_config(index).items()})
                stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
                subprocess.run(["pulumi", "stack", "init", "--stack", name], cwd=project, env=env, check=True)
            before = tenant.last_seq()
            pairs = list(zip(names, projects, strict=True))
            up = at_once([partial(run_operation, env, project, name, "up") for name, project in pairs])
            after_up = tenant.last_seq()
            for index, name in enumerate(names):
                found = tenant.stack_objects(f"pomerium-{name}").counts()
                assert found == expected_objects(index), f"{name} holds {found} in the tenant"
            between = tenant.last_seq()
            down = at_once([partial(run_operation, env, project, name, "destroy") for name, project in pairs])
            entries = tenant.requests(before)
            window = [e for e in entries if e["seq"] <= after_up or e["seq"] > between]
            return load_figures(window, stacks, RateLimit.parse(rate_limit), up + down)
        finally:
            control.stop(sandbox)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", type=int, default=10, help="K, the stacks deployed at once")
    parser.add_argument("--rate-limit", default=RATE_LIMIT, help="the tenant's --rate-limit")
    args = parser.parse_args()
    print(measure(args.stacks, args.rate_limit).line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
