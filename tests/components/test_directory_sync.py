"""The directorySync setting: which Management API grant the M2M app gets, per Pomerium edition."""

from __future__ import annotations

import pytest
from pomerium_auth0 import InputError
from pomerium_auth0.components.identity_provider import IDP_KEYS

from tests.conftest import TENANT, build_identity_provider
from tests.harness import Engine, resolve, unwrap

GRANT = "auth0:index/clientGrant:ClientGrant"


@pytest.mark.parametrize(
    ("setting", "scopes"),
    [
        ("legacy", ["read:role_members", "read:roles"]),
        ("enterprise", ["read:role_members", "read:roles", "read:user_idp_tokens", "read:users"]),
    ],
)
def test_each_setting_grants_exactly_its_scopes(engine: Engine, setting: str, scopes: list[str]) -> None:
    build_identity_provider(engine, directory_sync=setting)
    grant = engine.monitor.one(GRANT).inputs
    assert sorted(grant["scopes"]) == scopes
    assert grant["audience"] == f"https://{TENANT}/api/v2/"


def test_off_creates_no_m2m_app_no_grant_and_no_service_account(engine: Engine) -> None:
    idp = build_identity_provider(engine, directory_sync="off")
    assert [registration.name for registration in engine.monitor.of_type("auth0:index/client:Client")] == ["idp-web"]
    assert engine.monitor.of_type(GRANT) == []
    assert [r.name for r in engine.monitor.of_type("auth0:index/clientCredentials:ClientCredentials")] == [
        "idp-web-credentials"
    ]
    data = unwrap(engine.monitor.one("kubernetes:core/v1:Secret").inputs["stringData"])
    assert set(data) == IDP_KEYS - {"IDP_SERVICE_ACCOUNT"}
    assert resolve(idp.directory_sync_client_id).value is None


def test_an_unknown_setting_lists_the_allowed_ones_before_anything_is_registered(engine: Engine) -> None:
    with pytest.raises(InputError, match="legacy, enterprise, off") as raised:
        build_identity_provider(engine, directory_sync="full")
    assert raised.value.key == "Auth0IdentityProviderArgs.directory_sync"
    assert engine.registrations == []
