"""The stack's explicit auth0 provider: what it serves, the config it gets, the state it takes over."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pulumi_auth0
from pomerium_auth0.stack.auth0_provider import config_keys, default_provider_name

from tests.conftest import TENANT, run_program
from tests.harness import is_secret_value, unwrap


def test_every_auth0_resource_uses_the_explicit_provider_and_the_rest_default_ones() -> None:
    engine = run_program()
    (provider,) = engine.monitor.of_type("pulumi:providers:auth0")
    custom = [registration for registration in engine.registrations if registration.custom]
    served = {
        registration.name: registration.provider.startswith(f"{provider.urn}::")
        for registration in custom
        if not registration.type.startswith("pulumi:providers:")
    }
    auth0_names = {registration.name for registration in custom if registration.type.startswith("auth0:")}
    assert len(auth0_names) == 7
    assert {name for name, explicit in served.items() if explicit} == auth0_names
    kubernetes_and_random = [
        registration.provider for registration in custom if registration.type.split(":")[0] in ("kubernetes", "random")
    ]
    assert len(kubernetes_and_random) == 8
    assert set(kubernetes_and_random) == {""}


def test_the_provider_gets_the_stack_auth0_config_as_written_and_secrets_stay_secret() -> None:
    engine = run_program(
        secret_keys=["auth0:clientSecret"],
        checkBootstrapScopes="false",
        **{"auth0:clientId": "bootstrap-id", "auth0:clientSecret": "bootstrap-secret-value", "auth0:debug": "true"},
    )
    (provider,) = engine.monitor.of_type("pulumi:providers:auth0")
    assert unwrap(provider.inputs) == {
        "domain": TENANT,
        "clientId": "bootstrap-id",
        "clientSecret": "bootstrap-secret-value",
        "debug": "true",
    }
    assert [key for key, value in provider.inputs.items() if is_secret_value(value)] == ["clientSecret"]


def test_the_config_keys_are_the_sdk_config_modules() -> None:
    # pulumi_auth0.config reads every key of the provider's schema; a key missing here would be
    # config that the default provider honoured and the explicit one silently drops.
    source = (Path(pulumi_auth0.__file__).parent / "config" / "vars.py").read_text()
    assert sorted(config_keys()) == sorted(re.findall(r"__config__\.get\w*\('(\w+)'\)", source))


def test_the_provider_takes_over_the_default_provider_state_by_alias() -> None:
    engine = run_program()
    (provider,) = engine.monitor.of_type("pulumi:providers:auth0")
    # The engine's ProviderRequest.DefaultName: "default", then each semver part after "_".
    assert default_provider_name("3.55.1") == "default_3_55_1"
    assert default_provider_name("3.56.0-alpha.1") == "default_3_56_0_alpha_1"
    default_name = default_provider_name(version("pulumi-auth0"))
    assert [spec for spec in provider.alias_specs if f'name: "{default_name}"' in spec], provider.alias_specs
