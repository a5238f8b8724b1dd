"""Auth0's Management API token bucket in the sandbox tenant: burst, refill, headers and reset, on an injected clock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.auth0_tenant.rate_limit import RateLimit, TokenBucket

START = 1_800_000_000.0
ROOT = Path(__file__).resolve().parents[2]


class Clock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def drain(bucket: TokenBucket) -> int:
    """Take until refused (at most 1000 times); how many passed."""
    passed = 0
    while passed < 1000 and bucket.take().allowed:
        passed += 1
    return passed


def test_a_full_bucket_lets_a_burst_through_then_refuses() -> None:
    bucket = TokenBucket(RateLimit(rps=2, burst=10), Clock())
    assert drain(bucket) == 10
    assert not bucket.take().allowed


def test_the_bucket_refills_at_the_sustained_rate_and_never_above_its_size() -> None:
    clock = Clock()
    bucket = TokenBucket(RateLimit(rps=2, burst=10), clock)
    drain(bucket)
    clock.now += 1.5  # three requests' worth
    assert drain(bucket) == 3
    clock.now += 3600
    assert drain(bucket) == 10


def test_headers_count_down_the_bucket_and_reset_when_it_is_full_again() -> None:
    clock = Clock()
    bucket = TokenBucket(RateLimit(rps=2, burst=10), clock)
    first = bucket.take()
    assert first.headers == {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "9",
        "X-RateLimit-Reset": str(int(START) + 1),  # one request short: full again in 0.5 s, rounded up
    }
    drain(bucket)
    refused = bucket.take()
    assert not refused.allowed
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Reset"] == str(int(START) + 5)  # 10 requests at 2 per second
    clock.now += 5
    assert drain(bucket) == 10, "a client that waits until Reset finds the bucket full"


def test_specs_parse_with_tiers_and_errors_name_the_key() -> None:
    assert RateLimit.parse("rps=2,burst=10") == RateLimit(2.0, 10)
    assert RateLimit.parse("tier=free") == RateLimit(2.0, 120)
    assert RateLimit.parse("tier=free,burst=10") == RateLimit(2.0, 10)
    for bad, key in (("rps=0,burst=10", "'rps'"), ("rps=2,burst=x", "'burst'"), ("tier=gold", "'tier'")):
        with pytest.raises(ValueError, match=key):
            RateLimit.parse(bad)
    with pytest.raises(ValueError, match="unknown rate limit key 'rate'"):
        RateLimit.parse("rate=2")
    with pytest.raises(ValueError, match="needs rps and burst"):
        RateLimit.parse("rps=2")


@pytest.mark.parametrize(
    "command",
    [["sandbox", "start", "--engine", "/nonexistent"], ["sandbox.auth0_tenant", "--state-dir", "/nonexistent"]],
    ids=["python -m sandbox start", "the tenant"],
)
@pytest.mark.parametrize(
    ("flag", "spec", "message"),
    [
        ("--rate-limit", "rps=2,burst=0", "rate limit key 'burst': '0' is not a positive int"),
        ("--faults", "429=2", "fault rate '429=2' is not between 0 and 1"),
        ("--action-builds", "build_ms=-1", "action build setting build_ms must not be negative"),
    ],
)
def test_a_bad_plan_spec_stops_the_command_line_before_anything_starts_and_names_the_key(
    command: list[str], flag: str, spec: str, message: str, tmp_path: Path
) -> None:
    env = {**os.environ, "POMERIUM_AUTH0_SANDBOX_DIR": str(tmp_path / "sandbox")}
    argv = [sys.executable, "-m", command[0], *command[1:], flag, spec]
    completed = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert completed.returncode == 2, completed.stderr
    assert f"argument {flag}: {message}" in completed.stderr
    assert not (tmp_path / "sandbox").exists()
