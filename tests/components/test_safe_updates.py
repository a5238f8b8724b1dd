"""Routine changes never replace an Auth0 client: a new client ID would log every user out."""

from __future__ import annotations

from typing import Any

import pulumi
from pomerium_auth0 import Auth0IdentityProvider

from tests.conftest import AUTHENTICATE_URL, TENANT, run_program
from tests.harness import Engine, new_engine, stack_file_config

DEV_STACK_RESOURCES = [
    ("auth0:index/action:Action", "pomerium-idp-groups-claim"),
    ("auth0:index/client:Client", "pomerium-idp-directory-sync"),
    ("auth0:index/client:Client", "pomerium-idp-web"),
    ("auth0:index/clientCredentials:ClientCredentials", "pomerium-idp-directory-sync-credentials"),
    ("auth0:index/clientCredentials:ClientCredentials", "pomerium-idp-web-credentials"),
    ("auth0:index/clientGrant:ClientGrant", "pomerium-idp-management-api-grant"),
    ("auth0:index/triggerAction:TriggerAction", "pomerium-idp-groups-claim-binding"),
    ("kubernetes:apps/v1:Deployment", "pomerium-deployment"),
    ("kubernetes:core/v1:ConfigMap", "pomerium-config"),
    ("kubernetes:core/v1:Secret", "pomerium-idp-secret"),
    ("kubernetes:core/v1:Secret", "pomerium-secrets"),
    ("kubernetes:core/v1:Service", "pomerium-service"),
    ("pomerium-auth0:index:Auth0IdentityProvider", "pomerium-idp"),
    ("pomerium-auth0:index:Pomerium", "pomerium"),
    ("pulumi:providers:auth0", "auth0"),
    ("random:index/randomPassword:RandomPassword", "pomerium-cookie-secret"),
    ("random:index/randomPassword:RandomPassword", "pomerium-shared-secret"),
    ("random:index/randomPassword:RandomPassword", "pomerium-signing-key"),
]


def test_resource_names_are_stable() -> None:
    engine = run_program()
    assert (
        sorted((registration.type, registration.name) for registration in engine.registrations) == DEV_STACK_RESOURCES
    )


def test_nothing_asks_for_replacement_on_change() -> None:
    engine = run_program(protect="true")
    assert [registration.name for registration in engine.registrations if registration.replace_on_changes] == []
    assert [registration.name for registration in engine.registrations if registration.delete_before_replace] == []


def changed_inputs(before: Engine, after: Engine) -> set[tuple[str, str]]:
    old = {registration.urn: registration.inputs for registration in before.registrations}
    new = {registration.urn: registration.inputs for registration in after.registrations}
    assert old.keys() == new.keys(), "a rename must not change any resource's URN"
    changed: set[tuple[str, str]] = set()
    for urn, inputs in new.items():
        for key in old[urn].keys() | inputs.keys():
            if old[urn].get(key) != inputs.get(key):
                changed.add((urn.rsplit("::", 1)[-1], key))
    return changed


def test_renaming_the_apps_only_changes_display_names_and_labels() -> None:
    assert changed_inputs(run_program(appName="pomerium-dev"), run_program(appName="sso-gateway")) == {
        ("pomerium-idp-web", "name"),
        ("pomerium-idp-directory-sync", "name"),
        ("pomerium-idp-groups-claim", "name"),
        ("pomerium-idp-groups-claim-binding", "displayName"),
        ("pomerium-idp-secret", "metadata"),
    }


def test_child_names_extend_the_component_name_so_aliases_on_the_component_carry_over() -> None:
    engine = new_engine()
    args: Any = {"authenticate_service_url": AUTHENTICATE_URL, "auth0_domain": TENANT, "app_name": "pomerium-test"}
    engine.run(
        lambda: Auth0IdentityProvider("sso", args, pulumi.ResourceOptions(aliases=[pulumi.Alias(name="pomerium-idp")]))
    )
    component = engine.monitor.one("pomerium-auth0:index:Auth0IdentityProvider")
    assert any('name: "pomerium-idp"' in alias for alias in component.alias_specs)
    children = [registration for registration in engine.registrations if registration is not component]
    assert children
    assert all(child.name.startswith("sso-") for child in children)


def protected(engine: Engine) -> set[str]:
    return {registration.name for registration in engine.registrations if registration.protect}


def test_prod_protects_the_auth0_applications_the_secret_and_the_generated_secrets() -> None:
    # Losing a generated secret's entropy signs every user out and changes the JWT signing key.
    engine = new_engine(stack="prod", config=stack_file_config("prod"))
    engine.run_stack_program()
    assert protected(engine) == {
        "pomerium-idp-web",
        "pomerium-idp-directory-sync",
        "pomerium-idp-secret",
        "pomerium-cookie-secret",
        "pomerium-shared-secret",
        "pomerium-signing-key",
    }


def test_other_stacks_are_not_protected_by_default() -> None:
    assert protected(run_program()) == set()
