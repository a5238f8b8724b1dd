"""The Auth0 applications, grant, credentials and IdP Secret that the component registers."""

from __future__ import annotations

import base64
import json

import pytest
from pomerium_auth0 import Auth0IdentityProvider, InputError
from pomerium_auth0.domain.tenant_names import MANAGED_BY

from tests.conftest import AUTHENTICATE_URL, TENANT, build_identity_provider, stack_config
from tests.harness import Engine, fake_token, idp_secret_data, is_secret_value, new_engine, resolve, unwrap

CLIENT = "auth0:index/client:Client"
CREDENTIALS = "auth0:index/clientCredentials:ClientCredentials"
GRANT = "auth0:index/clientGrant:ClientGrant"
SECRET = "kubernetes:core/v1:Secret"


def test_web_application_is_a_regular_web_app_with_exact_pomerium_urls(engine: Engine) -> None:
    build_identity_provider(engine)
    web = engine.monitor.named("idp-web").inputs
    assert web["appType"] == "regular_web"
    assert web["callbacks"] == [f"{AUTHENTICATE_URL}/oauth2/callback"]
    assert web["initiateLoginUri"] == AUTHENTICATE_URL
    assert web["allowedLogoutUrls"] == [f"{AUTHENTICATE_URL}/.pomerium/signed_out"]
    assert web["jwtConfiguration"] == {"alg": "RS256"}
    assert web["oidcConformant"] is True
    assert web["grantTypes"] == ["authorization_code", "refresh_token"]
    assert not any("*" in url for url in [*web["callbacks"], *web["allowedLogoutUrls"], web["initiateLoginUri"]])


def test_trailing_slash_on_the_authenticate_url_does_not_double_the_callback_slash(engine: Engine) -> None:
    build_identity_provider(engine, authenticate_service_url=AUTHENTICATE_URL + "/")
    assert engine.monitor.named("idp-web").inputs["callbacks"] == [f"{AUTHENTICATE_URL}/oauth2/callback"]


def test_machine_to_machine_app_uses_only_client_credentials(engine: Engine) -> None:
    build_identity_provider(engine)
    m2m = engine.monitor.named("idp-directory-sync").inputs
    assert m2m["appType"] == "non_interactive"
    assert m2m["grantTypes"] == ["client_credentials"]


def test_only_the_m2m_app_is_granted_the_management_api_with_exactly_two_scopes(engine: Engine) -> None:
    build_identity_provider(engine)
    grant = engine.monitor.one(GRANT).inputs
    assert grant["audience"] == f"https://{TENANT}/api/v2/"
    assert sorted(grant["scopes"]) == ["read:role_members", "read:roles"]
    assert grant["clientId"] == fake_token("cid", "idp-directory-sync")


def test_client_secrets_are_read_through_client_credentials_with_client_secret_post(engine: Engine) -> None:
    build_identity_provider(engine)
    credentials = {registration.name: registration.inputs for registration in engine.monitor.of_type(CREDENTIALS)}
    assert credentials == {
        "idp-web-credentials": {
            "clientId": fake_token("cid", "idp-web"),
            "authenticationMethod": "client_secret_post",
        },
        "idp-directory-sync-credentials": {
            "clientId": fake_token("cid", "idp-directory-sync"),
            "authenticationMethod": "client_secret_post",
        },
    }


def test_a_rotation_sets_a_secret_kept_by_its_number_on_both_applications_and_in_the_idp_secret(
    engine: Engine,
) -> None:
    build_identity_provider(engine, client_secret_rotation=2)
    passwords = {r.name: r.inputs for r in engine.monitor.of_type("random:index/randomPassword:RandomPassword")}
    names = ("idp-web-credentials", "idp-directory-sync-credentials")
    assert passwords == {
        f"{name}-rotation": {"length": 64, "special": False, "keepers": {"rotation": "2"}} for name in names
    }
    for name in names:
        given = engine.monitor.named(name).inputs["clientSecret"]
        assert is_secret_value(given)
        assert unwrap(given) == fake_token("PASSWORD", f"{name}-rotation", 64)
    data = idp_secret_data(engine)
    assert data["IDP_CLIENT_SECRET"] == fake_token("PASSWORD", "idp-web-credentials-rotation", 64)
    account = json.loads(base64.b64decode(data["IDP_SERVICE_ACCOUNT"]))
    assert account["secret"] == fake_token("PASSWORD", "idp-directory-sync-credentials-rotation", 64)


def test_secret_holds_exactly_the_keys_pomerium_reads(engine: Engine) -> None:
    build_identity_provider(engine)
    data = idp_secret_data(engine)
    assert data == {
        "IDP_PROVIDER": "auth0",
        "IDP_PROVIDER_URL": f"https://{TENANT}",
        "IDP_CLIENT_ID": fake_token("cid", "idp-web"),
        "IDP_CLIENT_SECRET": fake_token("SECRETVALUE", "idp-web-credentials", 64),
        "IDP_SERVICE_ACCOUNT": data["IDP_SERVICE_ACCOUNT"],
    }


def test_service_account_is_standard_base64_of_compact_m2m_json(engine: Engine) -> None:
    build_identity_provider(engine)
    encoded = idp_secret_data(engine)["IDP_SERVICE_ACCOUNT"]
    decoded = base64.b64decode(encoded, validate=True).decode()
    assert "\n" not in encoded
    assert decoded == json.dumps(
        {
            "client_id": fake_token("cid", "idp-directory-sync"),
            "secret": fake_token("SECRETVALUE", "idp-directory-sync-credentials", 64),
        },
        separators=(",", ":"),
    )


def test_secret_is_ready_for_envfrom_with_name_namespace_and_standard_labels(engine: Engine) -> None:
    build_identity_provider(engine, namespace="identity", secret_name="pomerium-idp-dev")
    secret = engine.monitor.one(SECRET).inputs
    assert secret["type"] == "Opaque"
    assert secret["metadata"]["name"] == "pomerium-idp-dev"
    assert secret["metadata"]["namespace"] == "identity"
    assert secret["metadata"]["labels"] == {
        "app.kubernetes.io/name": "pomerium",
        "app.kubernetes.io/instance": "pomerium-test",
        "app.kubernetes.io/component": "identity-provider",
        "app.kubernetes.io/part-of": "pomerium",
        "app.kubernetes.io/managed-by": "pulumi",
    }


def test_secret_content_reaches_the_engine_as_a_secret(engine: Engine) -> None:
    build_identity_provider(engine)
    assert is_secret_value(engine.monitor.one(SECRET).inputs["stringData"])


def test_client_secrets_never_appear_in_plain_resource_inputs(engine: Engine) -> None:
    build_identity_provider(engine)
    secrets = {
        fake_token("SECRETVALUE", name, 64) for name in ("idp-web-credentials", "idp-directory-sync-credentials")
    }
    for registration in engine.registrations:
        for key, value in registration.inputs.items():
            if is_secret_value(value):
                continue
            rendered = json.dumps(value)
            assert not any(secret in rendered for secret in secrets), f"{registration.name}.{key} leaks a secret"


def test_component_outputs_ids_names_and_a_secret_checksum(engine: Engine) -> None:
    idp = build_identity_provider(engine, namespace="identity")
    assert resolve(idp.web_client_id).value == fake_token("cid", "idp-web")
    assert resolve(idp.directory_sync_client_id).value == fake_token("cid", "idp-directory-sync")
    assert resolve(idp.secret_name).value == "pomerium-idp"
    assert resolve(idp.secret_namespace).value == "identity"
    checksum = resolve(idp.secret_checksum)
    assert checksum.secret
    assert len(checksum.value) == 64
    assert fake_token("SECRETVALUE", "idp-web-credentials", 64) not in checksum.value


def test_checksum_changes_when_a_client_secret_changes() -> None:
    from tests.harness import new_engine

    first = new_engine()
    checksum_before = resolve(build_identity_provider(first).secret_checksum).value
    second = new_engine()
    second.mocks.secret_overrides["idp-web-credentials"] = "rotated-web-secret"
    checksum_after = resolve(build_identity_provider(second).secret_checksum).value
    third = new_engine()
    checksum_again = resolve(build_identity_provider(third).secret_checksum).value
    assert checksum_before != checksum_after
    assert checksum_before == checksum_again


def test_component_registers_its_outputs(engine: Engine) -> None:
    build_identity_provider(engine)
    component = engine.monitor.one("pomerium-auth0:index:Auth0IdentityProvider")
    outputs = engine.monitor.registered_outputs[component.urn]
    assert set(outputs) == {
        "web_client_id",
        "directory_sync_client_id",
        "idp_provider_url",
        "secret_name",
        "secret_namespace",
        "secret_checksum",
    }
    assert is_secret_value(outputs["secret_checksum"])


def test_every_child_is_parented_to_the_component(engine: Engine) -> None:
    build_identity_provider(engine)
    component = engine.monitor.one("pomerium-auth0:index:Auth0IdentityProvider")
    children = [registration for registration in engine.registrations if registration is not component]
    assert len(children) == 8
    assert {child.parent for child in children} == {component.urn}


def test_applications_do_not_wait_on_each_other_and_the_grant_waits_only_on_the_m2m_app(engine: Engine) -> None:
    build_identity_provider(engine)
    urn = {registration.name: registration.urn for registration in engine.registrations}
    assert engine.monitor.named("idp-web").dependencies == frozenset()
    assert engine.monitor.named("idp-directory-sync").dependencies == frozenset()
    assert engine.monitor.one(GRANT).dependencies == {urn["idp-directory-sync"]}
    assert engine.monitor.named("idp-web-credentials").dependencies == {urn["idp-web"]}
    assert engine.monitor.named("idp-directory-sync-credentials").dependencies == {urn["idp-directory-sync"]}
    assert engine.monitor.one(SECRET).dependencies == {
        urn["idp-web"],
        urn["idp-web-credentials"],
        urn["idp-directory-sync"],
        urn["idp-directory-sync-credentials"],
    }


def test_an_empty_client_secret_stops_the_update_with_the_scope_to_grant(engine: Engine) -> None:
    engine.mocks.secret_overrides["idp-web-credentials"] = ""
    with pytest.raises(Exception, match="read:client_keys"):
        build_identity_provider(engine)
    assert engine.monitor.of_type(SECRET) == []


def test_a_preview_goes_on_without_a_client_secret_auth0_has_not_returned_yet() -> None:
    """A preview has no secret to report (unknown in a real one): no error, and the Secret is planned."""
    engine = new_engine(config=stack_config(), preview=True)
    engine.mocks.secret_overrides["idp-web-credentials"] = ""
    build_identity_provider(engine)
    assert len(engine.monitor.of_type(SECRET)) == 1


def test_a_misspelt_argument_is_rejected_with_a_suggestion_before_anything_is_registered(engine: Engine) -> None:
    with pytest.raises(InputError, match="did you mean auth0_domain") as raised:
        build_identity_provider(engine, auth0_domian="acme.us.auth0.com")
    assert raised.value.key == "Auth0IdentityProviderArgs.auth0_domian"
    assert engine.registrations == []


def test_a_missing_required_argument_names_it(engine: Engine) -> None:
    args = {"auth0_domain": TENANT, "app_name": "pomerium-test"}
    with pytest.raises(InputError, match="required") as raised:
        engine.run(lambda: Auth0IdentityProvider("idp", args))  # type: ignore[arg-type]
    assert raised.value.key == "Auth0IdentityProviderArgs.authenticate_service_url"
    assert engine.registrations == []


def test_both_applications_carry_the_marker_the_orphan_tool_relies_on(engine: Engine) -> None:
    build_identity_provider(engine)
    clients = engine.monitor.of_type("auth0:index/client:Client")
    assert len(clients) == 2
    assert all(client.inputs["description"].endswith(MANAGED_BY) for client in clients)
