"""Every test gets its own mock engine: fresh root stack, mocks, monitor and config."""

from __future__ import annotations

import pytest
from pomerium_auth0 import Auth0IdentityProvider

from tests.harness import Engine, new_engine

TENANT = "acme-dev.us.auth0.com"
AUTHENTICATE_URL = "https://authenticate.dev.example.com"


def stack_config(**overrides: str) -> dict[str, str]:
    """Minimal valid config for the stack program, with `pomerium-auth0:` keys given unprefixed."""
    config = {
        "auth0:domain": TENANT,
        "pomerium-auth0:authenticateServiceUrl": AUTHENTICATE_URL,
    }
    for key, value in overrides.items():
        config[key if ":" in key else f"pomerium-auth0:{key}"] = value
    return config


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
