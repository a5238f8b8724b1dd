"""Bad config stops the program before anything is registered, with a message naming the key."""

from __future__ import annotations

import pytest
from pomerium_auth0 import InputError, InputErrors

from tests.conftest import stack_config
from tests.harness import new_engine


def failure(config: dict[str, str]) -> InputErrors:
    engine = new_engine(config=config)
    with pytest.raises(InputErrors) as raised:
        engine.run_stack_program()
    assert engine.registrations == [], "nothing may be registered when config is invalid"
    return raised.value


def only_error(config: dict[str, str]) -> InputError:
    errors = failure(config).errors
    assert len(errors) == 1, errors
    return errors[0]


def test_missing_authenticate_service_url_names_the_key_and_the_command_to_set_it() -> None:
    config = stack_config()
    del config["pomerium-auth0:authenticateServiceUrl"]
    error = only_error(config)
    assert error.key == "pomerium-auth0:authenticateServiceUrl"
    assert "pulumi config set pomerium-auth0:authenticateServiceUrl" in str(error)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("authenticateServiceUrl", "http://authenticate.example.com", "only https://"),
        ("authenticateServiceUrl", "https://authenticate.example.com/login", "path"),
        ("authenticateServiceUrl", "authenticate.example.com", "no scheme"),
        ("idpProviderUrl", "https://login.example.com/authorize", "path"),
        ("idpProviderUrl", "https://login:8443", "valid host name"),
        ("auth0Domain", "https://acme.us.auth0.com", "scheme"),
        ("auth0Domain", "acme.us.auth0.com/", "trailing slash"),
        ("auth0Domain", "acme.us.auth0.com/api/v2", "path"),
        ("namespace", "Pomerium", "RFC 1123"),
        ("namespace", "x" * 64, "RFC 1123"),
        ("secretName", "pomerium_idp", "RFC 1123"),
        ("appName", "Pomerium Dev", "RFC 1123"),
        ("directorySync", "full", "legacy, enterprise, off"),
        ("groupsClaim", "yes", "true or false"),
        ("groupsClaimName", "groups", "silently drops"),
        ("groupsClaimName", "roles", "silently drops"),
        ("groupsClaimName", "Permissions", "silently drops"),
        ("groupsClaimName", "org_id", "silently drops"),
        ("protect", "1", "true or false"),
    ],
)
def test_malformed_values_are_rejected_with_key_value_and_fix(key: str, value: str, words: str) -> None:
    error = only_error(stack_config(**{key: value}))
    assert error.key == f"pomerium-auth0:{key}"
    assert words in str(error)
    assert repr(value) in error.problem
    assert "Fix:" in str(error)


def test_every_problem_is_reported_at_once() -> None:
    errors = failure(stack_config(namespace="Bad_Namespace", directorySync="sometimes")).errors
    assert [error.key for error in errors] == ["pomerium-auth0:namespace", "pomerium-auth0:directorySync"]


def test_a_misspelt_key_is_rejected_with_a_suggestion() -> None:
    error = only_error(stack_config(authenticateServiceURL="https://x.example.com"))
    assert error.key == "pomerium-auth0:authenticateServiceURL"
    assert "did you mean pomerium-auth0:authenticateServiceUrl" in str(error)


def test_tenant_domain_falls_back_to_the_auth0_provider_domain_and_is_checked_under_its_key() -> None:
    error = only_error(stack_config(**{"auth0:domain": "https://acme.us.auth0.com"}))
    assert error.key == "auth0:domain"


def test_no_tenant_domain_anywhere_names_both_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTH0_DOMAIN", raising=False)
    config = stack_config()
    del config["auth0:domain"]
    error = only_error(config)
    assert error.key == "pomerium-auth0:auth0Domain"


def test_every_config_key_has_one_check_wherever_components_share_it() -> None:
    from pomerium_auth0.components import identity_provider
    from pomerium_auth0.stack.stack_config import ALL_ARGUMENTS, CONSUMER_ARGUMENTS, KEYS, STACK_ARGUMENTS

    assert sorted(KEYS) == sorted({key for arguments in ALL_ARGUMENTS for key in arguments.config_keys})
    idp = identity_provider.ARGUMENTS
    for arguments in (*CONSUMER_ARGUMENTS.values(), STACK_ARGUMENTS):
        for key in idp.config_keys.keys() & arguments.config_keys.keys():
            assert arguments.settings[arguments.config_keys[key]].check is idp.settings[idp.config_keys[key]].check, key


def test_a_port_is_accepted_only_on_a_loopback_tenant_the_sandbox() -> None:
    engine = new_engine(config=stack_config(**{"auth0:domain": "127.0.0.1:18443"}))
    engine.run_stack_program()
    grant = next(r for r in engine.registrations if r.type == "auth0:index/clientGrant:ClientGrant")
    assert grant.inputs["audience"] == "https://127.0.0.1:18443/api/v2/"

    for real_tenant in ("acme.us.auth0.com:443", "acme.us.auth0.com:18443", "127.0.0.2:18443", "localhost:http"):
        assert only_error(stack_config(**{"auth0:domain": real_tenant})).key == "auth0:domain"
