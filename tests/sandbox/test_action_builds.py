"""The sandbox tenant's Action builds: the `--action-builds` parser and the seeded build state machine."""

from __future__ import annotations

import pytest

from sandbox.auth0_tenant.action_builds import BUILDING, BUILT, FAILED, RETRYING, Build, BuildModel, BuildPlan


def test_parse_reads_every_key() -> None:
    plan = BuildPlan.parse("build_ms=2500, retrying=0.5,failed=0.25,seed=7")
    assert plan == BuildPlan(build_seconds=2.5, retrying=0.5, failed=0.25, seed=7)


def test_parse_defaults_to_a_short_build_without_faults() -> None:
    assert BuildPlan.parse("") == BuildPlan(build_seconds=0.3, retrying=0.0, failed=0.0, seed=0)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("build_time=3", "unknown action build setting 'build_time'; expected one of build_ms, retrying, failed, seed"),
        ("build_ms", "'build_ms' is not KEY=VALUE; keys: build_ms, retrying, failed, seed"),
        ("build_ms=1.5", "build_ms and seed are integers"),
        ("failed=2", "failed=2.0 is not between 0 and 1"),
        ("build_ms=-1", "build_ms must not be negative"),
        ("retrying=0.6,failed=0.6", "retrying and failed add up to more than 1"),
    ],
)
def test_parse_errors_name_the_key(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("(", r"\(")):
        BuildPlan.parse(spec)


def test_a_build_answers_building_until_its_time_is_up_then_its_outcome() -> None:
    build = Build(started=100.0, seconds=2.0, retries=False, outcome=BUILT)
    assert [build.status(t) for t in (100.0, 101.0, 101.99, 102.0, 500.0)] == [
        BUILDING,
        BUILDING,
        BUILDING,
        BUILT,
        BUILT,
    ]


def test_a_retrying_build_answers_retrying_in_its_second_half() -> None:
    build = Build(started=0.0, seconds=2.0, retries=True, outcome=BUILT)
    assert [build.status(t) for t in (0.0, 0.9, 1.0, 1.9, 2.0)] == [BUILDING, BUILDING, RETRYING, RETRYING, BUILT]


def test_a_failed_build_ends_failed() -> None:
    assert Build(started=0.0, seconds=1.0, retries=False, outcome=FAILED).status(1.0) == FAILED


def _outcomes(plan: BuildPlan, n: int = 200) -> list[tuple[bool, str]]:
    model = BuildModel(plan)
    return [(b.retries, b.outcome) for b in (model.start() for _ in range(n))]


def test_outcomes_follow_the_rates_and_repeat_with_the_seed() -> None:
    plan = BuildPlan(build_seconds=1.0, retrying=0.5, failed=0.2, seed=3)
    outcomes = _outcomes(plan)
    assert outcomes == _outcomes(plan)
    assert outcomes != _outcomes(BuildPlan(build_seconds=1.0, retrying=0.5, failed=0.2, seed=4))
    failed = sum(outcome == FAILED for _, outcome in outcomes)
    retried = sum(retries for retries, _ in outcomes)
    assert 20 <= failed <= 60, failed
    assert 70 <= retried <= 130, retried
    assert not any(retries and outcome == FAILED for retries, outcome in outcomes)


def test_the_default_plan_always_builds() -> None:
    assert set(_outcomes(BuildPlan())) == {(False, BUILT)}


def test_every_failing_or_retrying_plan_fails_or_retries_every_build() -> None:
    assert set(_outcomes(BuildPlan(failed=1.0))) == {(False, FAILED)}
    assert set(_outcomes(BuildPlan(retrying=1.0))) == {(True, BUILT)}
