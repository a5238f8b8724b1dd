"""Auth0's Management API rate limit: one token bucket per tenant, with Auth0's headers on every answer.

Auth0 documents the limit per tenant tier on "Understand Rate Limit Burst Capability"
(https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/understand-rate-limit-burst-capability)
and "Management API Endpoint Rate Limits"
(https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/management-api-endpoint-rate-limits):
a bucket of `size` requests that gains one request every `60/per_minute` seconds until full. Free or trial
tenants hold 120 and sustain 2 per second, self-service and enterprise production 1000 and 16.67, enterprise
non-production 10 and 1/6. A request that finds the bucket empty gets 429 "Global limit has been reached";
every answer carries `X-RateLimit-Limit` (the bucket size), `X-RateLimit-Remaining` and `X-RateLimit-Reset`.

Auth0 calls Reset "the time the rate limit resets", in UTC epoch seconds; here it is the second by which
the bucket is full again, rounded up. The provider (terraform-provider-auth0 v1.57.0, `rateLimitDelay`)
retries every 429 without a cap and waits `Reset - now` in whole seconds (5 s when the header is missing),
so that is the path this exercises. Not modelled: the per-second peak ("Maximum Requests per Second"), and
the Authentication API's own limits (`/oauth/token` is never limited here).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .exceptions import ApiError

TIERS: dict[str, tuple[float, int]] = {
    "free": (2.0, 120),
    "self-service": (1000 / 60, 1000),
    "enterprise": (1000 / 60, 1000),
    "enterprise-non-production": (10 / 60, 10),
}
"""Sustained requests per second and bucket size per tenant tier, from the pages above."""


@dataclass(frozen=True)
class RateLimit:
    """A tenant's Management API bucket: `rps` requests per second refill a bucket of `burst`."""

    rps: float
    burst: int

    @classmethod
    def parse(cls, spec: str) -> RateLimit:
        """Read `rps=2,burst=10` or `tier=free` (a tier's figures, either of which `rps=`/`burst=` may override)."""
        rps: float | None = None
        burst: int | None = None
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"rate limit {item!r} is not KEY=VALUE (keys: rps, burst, tier)")
            if key == "tier":
                if value not in TIERS:
                    raise ValueError(f"rate limit key 'tier': {value!r} is none of {', '.join(TIERS)}")
                tier_rps, tier_burst = TIERS[value]
                rps = tier_rps if rps is None else rps
                burst = tier_burst if burst is None else burst
            elif key == "rps":
                rps = _number(key, value, float)
            elif key == "burst":
                burst = int(_number(key, value, int))
            else:
                raise ValueError(f"unknown rate limit key {key!r}; expected rps, burst or tier")
        if rps is None or burst is None:
            raise ValueError(f"rate limit {spec!r} needs rps and burst (or a tier), e.g. rps=2,burst=10")
        return cls(rps, burst)


def _number(key: str, value: str, kind: Callable[[str], float]) -> float:
    try:
        number = kind(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise ValueError(f"rate limit key {key!r}: {value!r} is not a positive {kind.__name__}")
    return number


@dataclass(frozen=True)
class Decision:
    """Whether one request may pass, and the headers its answer carries either way."""

    allowed: bool
    headers: dict[str, str]


class TokenBucket:
    """The tenant's bucket, starting full; `clock` returns epoch seconds (injected in tests)."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self._clock = clock
        self._tokens = float(limit.burst)
        self._checked = clock()
        self._lock = threading.Lock()

    def take(self) -> Decision:
        """Spend one request if the bucket holds one; the headers describe the bucket after this request."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.limit.burst, self._tokens + (now - self._checked) * self.limit.rps)
            self._checked = now
            allowed = self._tokens >= 1
            if allowed:
                self._tokens -= 1
            full_at = now + (self.limit.burst - self._tokens) / self.limit.rps
            headers = {
                "X-RateLimit-Limit": str(self.limit.burst),
                "X-RateLimit-Remaining": str(math.floor(self._tokens)),
                "X-RateLimit-Reset": str(math.ceil(full_at)),
            }
        return Decision(allowed, headers)


def too_many_requests() -> ApiError:
    """Auth0's 429 body when the tenant's bucket is empty."""
    return ApiError(429, "Global limit has been reached", "too_many_requests")
