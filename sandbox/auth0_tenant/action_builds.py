"""Seeded Action builds: a build takes time, may pass through `retrying`, and may end `failed`, as on Auth0.

terraform-provider-auth0 v1.57.0 (`internal/auth0/action/resource.go`, `deployAction`) polls
`GET /actions/actions/{id}` until the status is `built` (up to its 6-minute create timeout, the SDK's
backoff from 500 ms), stops at once on `failed` with `action "<name>" failed to build, check the Auth0 UI
for errors`, and waits through every other status (`pending`, `building`, `retrying`, `packaged`).
Auth0 builds take seconds; the default here is a few hundred milliseconds, so the provider sees at least
one `building` read without slowing the real-engine suite (docs/sandbox.md says so).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

BUILDING = "building"
RETRYING = "retrying"
BUILT = "built"
FAILED = "failed"

_KEYS = ("build_ms", "retrying", "failed", "seed")


@dataclass(frozen=True)
class BuildPlan:
    """How long a build takes, the share of builds that retry or fail, and the RNG seed."""

    build_seconds: float = 0.3
    retrying: float = 0.0
    failed: float = 0.0
    seed: int = 0

    @classmethod
    def parse(cls, spec: str) -> BuildPlan:
        """Read `build_ms=3000,retrying=0.5,failed=0.1,seed=7` (every key optional)."""
        values: dict[str, str] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"action build setting {item!r} is not KEY=VALUE; keys: {', '.join(_KEYS)}")
            if key not in _KEYS:
                raise ValueError(f"unknown action build setting {key!r}; expected one of {', '.join(_KEYS)}")
            values[key] = value
        try:
            plan = cls(
                build_seconds=int(values.get("build_ms", "300")) / 1000,
                retrying=float(values.get("retrying", "0")),
                failed=float(values.get("failed", "0")),
                seed=int(values.get("seed", "0")),
            )
        except ValueError as error:
            raise ValueError(f"action build settings {spec!r}: {error} (build_ms and seed are integers)") from None
        if plan.build_seconds < 0:
            raise ValueError(f"action build setting build_ms must not be negative: {spec!r}")
        for key, rate in (("retrying", plan.retrying), ("failed", plan.failed)):
            if not 0 <= rate <= 1:
                raise ValueError(f"action build setting {key}={rate} is not between 0 and 1")
        if plan.retrying + plan.failed > 1:
            raise ValueError(f"action build settings retrying and failed add up to more than 1: {spec!r}")
        return plan


@dataclass(frozen=True)
class Build:
    """One build: when it started, how long it takes and how it ends (`built` or `failed`)."""

    started: float
    seconds: float
    retries: bool
    outcome: str

    def status(self, at: float) -> str:
        """The status a read at monotonic time `at` answers: `building` (the second half `retrying` when this
        build retries) until the build time is over, then its outcome."""
        elapsed = at - self.started
        if elapsed >= self.seconds:
            return self.outcome
        if self.retries and elapsed >= self.seconds / 2:
            return RETRYING
        return BUILDING


class BuildModel:
    """Starts builds with seeded outcomes, so a run's sequence of slow, retrying and failed builds repeats."""

    def __init__(self, plan: BuildPlan | None = None) -> None:
        self.plan = plan or BuildPlan()
        self._random = random.Random(self.plan.seed)
        self._lock = threading.Lock()

    def start(self) -> Build:
        """A build that starts now."""
        with self._lock:
            roll = self._random.random()
        failed = roll < self.plan.failed
        retries = not failed and roll < self.plan.failed + self.plan.retrying
        return Build(time.monotonic(), self.plan.build_seconds, retries, FAILED if failed else BUILT)
