"""Seeded fault injection for Management API routes: rate limits, server errors and slow answers.

The provider retries 429 without a cap (waiting until `X-RateLimit-Reset`) and 5xx up to three times, so a
seeded plan lets a test check that `pulumi up` survives a flaky tenant and still converges.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

ERROR_STATUSES = (429, 500, 503)
SLOW = "slow"


@dataclass(frozen=True)
class FaultPlan:
    """Probability of each fault per Management API request, the RNG seed and how long a slow answer waits."""

    rates: dict[str, float]
    seed: int = 0
    slow_seconds: float = 2.0

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """Read `429=0.2,503=0.1,500=0.05,slow=0.05,seed=7,slow_ms=1500` (every key optional)."""
        rates: dict[str, float] = {}
        seed = 0
        slow_seconds = 2.0
        known = {str(status) for status in ERROR_STATUSES} | {SLOW}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"fault {item!r} is not KEY=VALUE")
            if key == "seed":
                seed = int(value)
            elif key == "slow_ms":
                slow_seconds = int(value) / 1000
            elif key in known:
                rate = float(value)
                if not 0 <= rate <= 1:
                    raise ValueError(f"fault rate {item!r} is not between 0 and 1")
                rates[key] = rate
            else:
                raise ValueError(f"unknown fault {key!r}; expected one of {sorted(known)}, seed, slow_ms")
        if sum(rates.values()) > 1:
            raise ValueError(f"fault rates add up to more than 1: {spec!r}")
        return cls(rates, seed, slow_seconds)


class FaultInjector:
    """Draws at most one fault per request from a seeded RNG, so a run's fault sequence is reproducible."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._random = random.Random(plan.seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The fault for the next request (`"429"`, `"500"`, `"503"`, `"slow"`) or None."""
        with self._lock:
            roll = self._random.random()
        threshold = 0.0
        for name, rate in sorted(self.plan.rates.items()):
            threshold += rate
            if roll < threshold:
                return name
        return None
