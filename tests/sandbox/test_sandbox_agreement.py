"""The sandbox and the component package agree on what they share, each side having written it down itself.

The sandbox imports nothing from `pomerium_auth0` (a stand-in that agreed with the code under test by import
could not catch its mistakes), so this is the one place both sides meet: the tenant's default bootstrap
scopes, the stack defaults the relying party reads a stack file with, and how a stack's Auth0 objects are
recognised by name.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pomerium_auth0.components.identity_provider import DEFAULT_NAMESPACE, DEFAULT_SECRET_NAME
from pomerium_auth0.domain import tenant_names
from pomerium_auth0.domain.groups_claim import DEFAULT_GROUPS_CLAIM
from pomerium_auth0.stack.bootstrap_scopes import BOOTSTRAP_SCOPES, Feature, required_scopes

from sandbox import stack_conventions
from sandbox.auth0_tenant.management.scopes import DEFAULT_BOOTSTRAP_SCOPES

APP_NAMES = ("pomerium", "pomerium-dev", "pomerium-dev2", "pomerium-dev-directory-sync", "team-a", "")
"""Stacks whose names trip a prefix match: `pomerium-dev` is a prefix of `pomerium-dev2` and of its objects."""


def _candidate_clients() -> list[dict[str, Any]]:
    """Every application each stack above creates, under its own and the others' descriptions, and odd ones."""
    names = {name for app in APP_NAMES for name in tenant_names.application_descriptions(app)}
    descriptions = [
        tenant_names.WEB_APPLICATION_DESCRIPTION,
        tenant_names.DIRECTORY_SYNC_DESCRIPTION,
        "Managed by Pulumi",
        None,
    ]
    pairs = itertools.product(sorted(names), descriptions)
    clients = [{"name": name, "description": text} if text else {"name": name} for name, text in pairs]
    return [*clients, {}, {"description": tenant_names.WEB_APPLICATION_DESCRIPTION}]


def _candidate_actions() -> list[dict[str, Any]]:
    names = sorted({tenant_names.groups_claim_action_name(app) for app in APP_NAMES} | set(APP_NAMES))
    return [*({"name": name} for name in names), {}, {"id": "a1"}]


def test_the_tenant_grants_the_readmes_bootstrap_scopes_by_default() -> None:
    every_group = {scope for group in BOOTSTRAP_SCOPES for scope in group.scopes}
    assert set(DEFAULT_BOOTSTRAP_SCOPES) == required_scopes(Feature) == every_group
    assert list(DEFAULT_BOOTSTRAP_SCOPES) == sorted(set(DEFAULT_BOOTSTRAP_SCOPES))


def test_the_relying_party_reads_a_stack_file_with_the_components_defaults() -> None:
    assert stack_conventions.DEFAULT_NAMESPACE == DEFAULT_NAMESPACE
    assert stack_conventions.DEFAULT_SECRET_NAME == DEFAULT_SECRET_NAME
    assert stack_conventions.DEFAULT_GROUPS_CLAIM == DEFAULT_GROUPS_CLAIM


def test_the_application_names_and_descriptions_are_the_components() -> None:
    assert stack_conventions.WEB_APPLICATION_DESCRIPTION == tenant_names.WEB_APPLICATION_DESCRIPTION
    assert stack_conventions.DIRECTORY_SYNC_DESCRIPTION == tenant_names.DIRECTORY_SYNC_DESCRIPTION
    for app in APP_NAMES:
        assert app + stack_conventions.DIRECTORY_SYNC_SUFFIX == tenant_names.directory_sync_name(app)
        assert app + stack_conventions.GROUPS_CLAIM_ACTION_SUFFIX == tenant_names.groups_claim_action_name(app)


@pytest.mark.parametrize("app", APP_NAMES)
def test_both_sides_recognise_the_same_applications(app: str) -> None:
    for client in _candidate_clients():
        expected = tenant_names.owns_application(app, client)
        assert stack_conventions.is_stack_application(app, client) == expected, (app, client)


@pytest.mark.parametrize("app", APP_NAMES)
def test_both_sides_recognise_the_same_actions(app: str) -> None:
    for action in _candidate_actions():
        expected = tenant_names.owns_action(app, action)
        assert stack_conventions.is_stack_action(app, action) == expected, (app, action)


def test_a_stack_whose_name_is_a_prefix_of_anothers_owns_none_of_its_objects() -> None:
    """`pomerium-dev` and `pomerium-dev2`: the case a prefix match gets wrong, checked on both sides by name."""
    theirs_web = {"name": "pomerium-dev2", "description": tenant_names.WEB_APPLICATION_DESCRIPTION}
    theirs_sync = {"name": "pomerium-dev2-directory-sync", "description": tenant_names.DIRECTORY_SYNC_DESCRIPTION}
    theirs_action = {"name": "pomerium-dev2-groups-claim"}
    for owns_application, owns_action in (
        (tenant_names.owns_application, tenant_names.owns_action),
        (stack_conventions.is_stack_application, stack_conventions.is_stack_action),
    ):
        assert not owns_application("pomerium-dev", theirs_web)
        assert not owns_application("pomerium-dev", theirs_sync)
        assert not owns_action("pomerium-dev", theirs_action)
        assert owns_application("pomerium-dev2", theirs_web)
        assert owns_application("pomerium-dev2", theirs_sync)
        assert owns_action("pomerium-dev2", theirs_action)


def test_both_sides_know_the_same_claims_auth0_restricts() -> None:
    from pomerium_auth0.inputs.checks import RESTRICTED_CLAIMS

    from sandbox.auth0_tenant.authentication.claims import RESTRICTED_CLAIMS as TENANT_RESTRICTED_CLAIMS

    assert {claim.lower() for claim in TENANT_RESTRICTED_CLAIMS} == set(RESTRICTED_CLAIMS)
