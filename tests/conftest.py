"""Every test gets its own mock engine (root stack, mocks, monitor, config), and none of the sandbox's environment."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pomerium_auth0 import Auth0IdentityProvider

from tests.harness import Engine, new_engine

TENANT = "acme-dev.us.auth0.com"
AUTHENTICATE_URL = "https://authenticate.dev.example.com"
CLEARED_PREFIXES = ("AUTH0_", "PULUMI_", "POMERIUM_AUTH0_")
CLEARED_NAMES = frozenset({"SSL_CERT_FILE", "KUBECONFIG"})
KEPT_NAMES = frozenset({"PULUMI_PROJECT_SCHEMA"})
"""A file path `scripts/e2e.sh` gives tests/project/test_project_files.py; it reaches no network."""


def is_cleared(name: str) -> bool:
    """Whether the mock suite runs without this environment variable: everything `scripts/sandbox.sh env` exports
    (but PATH) and every other Auth0 or Pulumi setting, so a shell that ran it makes the suite call nothing."""
    return name not in KEPT_NAMES and (name.startswith(CLEARED_PREFIXES) or name in CLEARED_NAMES)


@pytest.fixture(autouse=True, scope="session")
def _without_sandbox_environment() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if is_cleared(name)]:
            patch.delenv(name)
        yield


def stack_config(**overrides: str) -> dict[str, str]:
    """Minimal valid config for the stack program, with `pomerium-auth0:` keys given unprefixed."""
    config = {
        "auth0:domain": TENANT,
        "pomerium-auth0:authenticateServiceUrl": AUTHENTICATE_URL,
    }
    for key, value in overrides.items():
        config[key if ":" in key else f"pomerium-auth0:{key}"] = value
    return config


def run_program(stack: str = "dev", secret_keys: list[str] | None = None, **config: str) -> Engine:
    """Run the stack program (`__main__.py`) under a fresh engine with `stack_config(**config)`."""
    engine = new_engine(stack=stack, config=stack_config(**config), secret_keys=secret_keys)
    engine.run_stack_program()
    return engine


@pytest.fixture
def engine() -> Engine:
    return new_engine(config=stack_config())


def build_identity_provider(engine: Engine, **overrides: object) -> Auth0IdentityProvider:
    """Construct the component (not the program) under `engine` with valid defaults."""
    args: dict[str, object] = {
        "authenticate_service_url": AUTHENTICATE_URL,
        "auth0_domain": TENANT,
        "app_name": "pomerium-test",
    }
    args.update(overrides)
    built: list[Auth0IdentityProvider] = []
    engine.run(lambda: built.append(Auth0IdentityProvider("idp", args)))  # type: ignore[arg-type]
    return built[0]
