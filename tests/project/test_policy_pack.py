"""The guardrail policy pack: our own resources pass it, and each rule catches its violation."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import yaml
from pomerium_auth0.components.identity_provider import IDP_KEYS
from pomerium_auth0.domain.directory_sync import ALLOWED_MANAGEMENT_API_SCOPES
from pomerium_auth0_policy import (
    Resource,
    idp_credentials_stay_secret,
    management_api_grant_scopes,
    policies,
    route_policies,
    web_application_login_hygiene,
)
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from tests.conftest import stack_config
from tests.harness import ROOT, Registration, new_engine, unwrap

MANAGEMENT_API = "https://acme.eu.auth0.com/api/v2/"


def _options(registration: Registration) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=registration.protect,
        ignore_changes=[],
        delete_before_replace=registration.delete_before_replace,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=list(registration.additional_secret_outputs),
    )


def violations_via_the_pack(registrations: list[Registration]) -> list[str]:
    """Run every policy of the pack on a program's registrations, as the engine's analyzer would."""
    found: list[str] = []
    stack = StackValidationArgs(
        [
            PolicyResource(r.type, unwrap(r.inputs), r.urn, r.name, _options(r), None, None, [], {})
            for r in registrations
        ]
    )
    for policy in policies():

        def report(message: str, urn: str | None, name: str = policy.name) -> None:
            found.append(f"{name}: {message}")

        if isinstance(policy, StackValidationPolicy):
            policy.validate(stack, report)
            continue
        assert isinstance(policy, ResourceValidationPolicy)
        for r in registrations:
            policy.validate(ResourceValidationArgs(r.type, unwrap(r.inputs), r.urn, r.name, _options(r), None), report)
    return found


@pytest.mark.parametrize("directory_sync", ["legacy", "enterprise", "off"])
def test_everything_the_program_registers_passes_the_pack(directory_sync: str) -> None:
    engine = new_engine(config=stack_config(directorySync=directory_sync))
    engine.run_stack_program()
    assert len(engine.registrations) >= 6
    assert violations_via_the_pack(engine.registrations) == []


def test_the_pack_reports_a_bad_grant_and_a_leaking_secret_the_program_could_register() -> None:
    """The adapter above can report: the program's own grant and IdP Secret, each broken one way."""
    engine = new_engine(config=stack_config())
    engine.run_stack_program()
    grant_registration = engine.monitor.one("auth0:index/clientGrant:ClientGrant")
    scopes = [*unwrap(grant_registration.inputs)["scopes"], "delete:users"]
    over_granted = dataclasses.replace(grant_registration, inputs={**grant_registration.inputs, "scopes": scopes})
    idp_secret = engine.monitor.named("pomerium-idp-secret")
    assert set(idp_secret.additional_secret_outputs) >= {"data", "stringData"}
    leaking = dataclasses.replace(idp_secret, additional_secret_outputs=("data",))

    assert violations_via_the_pack([grant_registration]) == violations_via_the_pack([idp_secret]) == []
    assert violations_via_the_pack([over_granted]) == [
        "management-api-grant-scopes: Management API grant has scopes beyond what Pomerium needs: delete:users "
        "(allowed: read:role_members, read:roles, read:user_idp_tokens, read:users)."
    ]
    assert violations_via_the_pack([leaking]) == [
        "idp-credentials-stay-secret: Secret holds IdP keys in stringData but stringData is not marked secret "
        "(additional_secret_outputs)."
    ]


def test_the_pack_allows_exactly_the_widest_scope_set_the_component_grants() -> None:
    from pomerium_auth0_policy import ALLOWED_MANAGEMENT_API_SCOPES as POLICY_SCOPES

    assert POLICY_SCOPES == ALLOWED_MANAGEMENT_API_SCOPES


def test_the_pack_guards_exactly_the_keys_the_component_writes() -> None:
    """The pack installs without the component (policy/requirements.txt), so it keeps its own copy: held equal here."""
    from pomerium_auth0_policy import IDP_KEYS as POLICY_IDP_KEYS

    assert POLICY_IDP_KEYS == IDP_KEYS


def grant(**props: Any) -> Resource:
    return Resource("auth0:index/clientGrant:ClientGrant", {"audience": MANAGEMENT_API, **props})


def test_management_api_grant_with_extra_scopes_is_rejected_naming_them() -> None:
    (violation,) = management_api_grant_scopes(grant(scopes=["read:roles", "delete:users", "update:clients"]))
    assert "delete:users, update:clients" in violation


def test_management_api_grant_of_all_scopes_is_rejected() -> None:
    assert management_api_grant_scopes(grant(allowAllScopes=True, scopes=[]))


def test_grants_to_other_apis_are_not_this_packs_business() -> None:
    other = Resource(
        "auth0:index/clientGrant:ClientGrant", {"audience": "https://api.example.com", "scopes": ["admin"]}
    )
    assert management_api_grant_scopes(other) == []


def web_app(**props: Any) -> Resource:
    base = {
        "appType": "regular_web",
        "callbacks": ["https://authenticate.example.com/oauth2/callback"],
        "grantTypes": ["authorization_code", "refresh_token"],
    }
    return Resource("auth0:index/client:Client", {**base, **props})


@pytest.mark.parametrize(
    "props",
    [
        {"callbacks": ["https://*.example.com/oauth2/callback"]},
        {"allowedLogoutUrls": ["https://*.example.com"]},
        {"webOrigins": ["*"]},
        {"initiateLoginUri": "https://*.example.com"},
        {"grantTypes": ["authorization_code", "implicit"]},
    ],
)
def test_web_app_with_wildcards_or_implicit_grant_is_rejected(props: dict[str, Any]) -> None:
    assert web_application_login_hygiene(web_app()) == []
    assert len(web_application_login_hygiene(web_app(**props))) == 1


def test_secret_with_idp_keys_not_marked_secret_is_rejected() -> None:
    props = {"stringData": {"IDP_CLIENT_SECRET": "x", "IDP_PROVIDER": "auth0"}}
    assert idp_credentials_stay_secret(Resource("kubernetes:core/v1:Secret", props, ("data",)))
    assert idp_credentials_stay_secret(Resource("kubernetes:core/v1:Secret", props, ("data", "stringData"))) == []


def test_idp_credentials_in_a_configmap_or_a_literal_env_value_are_rejected() -> None:
    configmap = Resource("kubernetes:core/v1:ConfigMap", {"data": {"IDP_SERVICE_ACCOUNT": "e30="}})
    assert idp_credentials_stay_secret(configmap)
    container = {"name": "pomerium", "env": [{"name": "IDP_CLIENT_SECRET", "value": "plain"}]}
    deployment = Resource(
        "kubernetes:apps/v1:Deployment", {"spec": {"template": {"spec": {"containers": [container]}}}}
    )
    (violation,) = idp_credentials_stay_secret(deployment)
    assert "pomerium" in violation
    safe = {"name": "pomerium", "envFrom": [{"secretRef": {"name": "pomerium-idp"}}]}
    safe_deployment = Resource(
        "kubernetes:apps/v1:Deployment", {"spec": {"template": {"spec": {"containers": [safe]}}}}
    )
    assert idp_credentials_stay_secret(safe_deployment) == []


def composed_program(
    routes: list[dict[str, Any]], directory_sync: str = "off", groups_claim_name: str | None = None
) -> list[Registration]:
    """A program of its own: our two components, and routes the component alone cannot cross-check."""
    from pomerium_auth0 import Auth0IdentityProvider, Auth0IdentityProviderArgs, Pomerium

    args = Auth0IdentityProviderArgs(
        authenticate_service_url="https://authenticate.example.com",
        auth0_domain="acme.eu.auth0.com",
        app_name="pomerium-composed",
        directory_sync=directory_sync,
    )
    if groups_claim_name:
        args["groups_claim_name"] = groups_claim_name

    def program() -> None:
        idp = Auth0IdentityProvider("idp", args)
        Pomerium(
            "pomerium",
            {
                "authenticate_service_url": "https://authenticate.example.com",
                "namespace": "pomerium",
                "idp_secret_name": idp.secret_name,
                "idp_secret_checksum": idp.secret_checksum,
                "routes": routes,
            },
        )

    engine = new_engine()
    engine.run(program)
    return engine.registrations


def routed(*criteria: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"from": "https://app.example.com", "to": "http://app:8080", "policy": [{"allow": {"or": list(criteria)}}]}]


@pytest.mark.parametrize(
    ("criterion", "directory_sync", "claim_name", "words"),
    [
        ({"groups": "admins"}, "off", None, "instead: claim/pomerium.io/groups"),
        ({"groups": "admins"}, "legacy", None, "open-source Pomerium v0.33"),
        (
            {"claim/pomerium.io/groups": "admins"},
            "off",
            "https://acme.example/roles",
            "claim/https://acme.example/roles",
        ),
        ({"claim/pomerium.io/group": "admins"}, "enterprise", None, "use claim/pomerium.io/groups"),
    ],
    ids=["groups-off", "groups-legacy-on-v0.33", "renamed-claim", "singular-claim"],
)
def test_the_pack_cross_checks_a_composed_programs_routes_against_its_idp(
    criterion: dict[str, Any], directory_sync: str, claim_name: str | None, words: str
) -> None:
    registrations = composed_program(routed(criterion), directory_sync, claim_name)
    (violation,) = violations_via_the_pack(registrations)
    assert violation.startswith("route-policies: ConfigMap pomerium-config: routes[0].policy[0].allow.or[0]: ")
    assert words in violation
    # Negative control: the claim the IdP does put in the token passes.
    claim = f"claim/{claim_name or 'pomerium.io/groups'}"
    assert violations_via_the_pack(composed_program(routed({claim: "admins"}), directory_sync, claim_name)) == []


def test_the_pack_checks_routes_of_a_configmap_of_its_own_without_an_idp_in_the_stack() -> None:
    document = yaml.safe_dump({"routes": routed({"emial": "a@example.com"}), "address": ":8080"})
    config_map = Resource(
        "kubernetes:core/v1:ConfigMap", {"metadata": {"name": "edge"}, "data": {"config.yaml": document}}
    )
    (violation,) = route_policies([config_map])
    assert "ConfigMap edge: routes[0].policy[0].allow.or[0]: 'emial'" in violation
    assert "did you mean email?" in violation
    assert route_policies([Resource("kubernetes:core/v1:ConfigMap", {"data": {"config.yaml": "routes: []"}})]) == []
    assert route_policies([Resource("kubernetes:core/v1:ConfigMap", {"data": {"other.yaml": document}})]) == []


def test_the_two_teams_example_passes_the_pack() -> None:
    from tests.project.test_examples import run_two_teams

    assert violations_via_the_pack(run_two_teams().registrations) == []


def test_the_packs_requirements_install_the_components_with_the_stack_programs_pins() -> None:
    from tests.project.test_package import _pins

    pack = ROOT / "policy" / "requirements.txt"
    dev = _pins(ROOT / "requirements-dev.txt")
    assert _pins(pack) == {**_pins(ROOT / "requirements.txt"), "pulumi-policy": dev["pulumi-policy"]}
    # pip runs in the pack's directory (the CLI and the README's command alike), so `..` is this repository.
    assert "-e .." in pack.read_text().splitlines()
