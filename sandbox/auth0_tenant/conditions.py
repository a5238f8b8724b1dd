"""The conditions the dispatcher puts Management API requests under, besides the API itself: seeded faults and
Auth0's rate limit. Set at start (`--faults`, `--rate-limit`) and changed mid-session by the admin routes."""

from __future__ import annotations

from dataclasses import dataclass

from .faults import FaultInjector
from .rate_limit import TokenBucket


@dataclass
class Conditions:
    """What is on now; None is off."""

    faults: FaultInjector | None = None
    rate_limit: TokenBucket | None = None
