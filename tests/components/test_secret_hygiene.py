"""No secret value, nor its base64, reaches a plain resource input, a stack output or a log line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from tests.conftest import stack_config
from tests.harness import Engine, is_secret_value, new_engine, resolve, unwrap
from tests.secret_scan import encoded_forms, leaks

BOOTSTRAP_SECRET = "bootstrap-client-secret-9f1c2e7d"
SECRET_DATA_KEYS = ("IDP_CLIENT_SECRET", "IDP_SERVICE_ACCOUNT", "COOKIE_SECRET", "SHARED_SECRET", "SIGNING_KEY")


def plain_strings(value: Any) -> Iterator[str]:
    """Every string in a wire value that is not under a secret marker."""
    if is_secret_value(value):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from plain_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from plain_strings(item)


def secret_values(engine: Engine) -> set[str]:
    """Secret values and the derived service account."""
    secrets = engine.secret_strings()
    for registration in engine.monitor.of_type("kubernetes:core/v1:Secret"):
        data = unwrap(registration.inputs["stringData"])
        secrets.update(data[key] for key in SECRET_DATA_KEYS if key in data)
    return secrets


def leaks_of(engine: Engine, outputs: dict[str, pulumi.Output[Any]], printed: str) -> list[str]:
    places: list[tuple[str, str]] = []
    for registration in engine.registrations:
        places += [(f"input of {registration.name}", text) for text in plain_strings(registration.inputs)]
    for name, output in outputs.items():
        resolved = resolve(output)
        if not resolved.secret:
            places += [(f"stack output {name}", text) for text in plain_strings(resolved.value)]
    places += [("engine log", line) for line in engine.log_lines]
    places.append(("stdout/stderr", printed))
    return leaks(secret_values(engine), places)


def test_no_secret_reaches_plain_inputs_outputs_or_logs(capfd: pytest.CaptureFixture[str]) -> None:
    engine = new_engine(
        config=stack_config(**{"auth0:clientSecret": BOOTSTRAP_SECRET}), secret_keys=["auth0:clientSecret"]
    )
    outputs = engine.run_stack_program()
    captured = capfd.readouterr()
    found = encoded_forms(secret_values(engine))
    assert BOOTSTRAP_SECRET in found
    # bootstrap, two client secrets, service account, the cookie and shared secrets and the signing
    # key, and the three passwords they are derived from: 10, each plain and base64-encoded.
    assert len(found) == 2 * 10
    assert leaks_of(engine, outputs, captured.out + captured.err) == []


def test_the_scan_finds_a_secret_that_does_leak(capfd: pytest.CaptureFixture[str]) -> None:
    engine = new_engine(config=stack_config())

    def careless_program() -> None:
        engine.run_stack_program()
        secret = next(iter(engine.secret_strings()))
        pulumi.log.info(f"debugging: {secret}")

    engine.run(careless_program)
    outputs = engine.stack_outputs()
    captured = capfd.readouterr()
    assert any(leak.startswith("engine log") for leak in leaks_of(engine, outputs, captured.out + captured.err))
