"""What the sandbox's clients must know about a stack the component package deploys, written down here.

A stand-in that agrees with the code under test by importing it cannot catch that code's mistakes, so
nothing under `sandbox/` imports `pomerium_auth0`: each fact the two sides share is stated again below,
with the component fact it mirrors, and `tests/sandbox/test_sandbox_agreement.py` compares the two sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DEFAULT_NAMESPACE = "pomerium"
"""The IdP Secret's namespace unless `namespace` is set (components.identity_provider.DEFAULT_NAMESPACE)."""
DEFAULT_SECRET_NAME = "pomerium-idp"
"""The IdP Secret's name unless `secretName` is set (components.identity_provider.DEFAULT_SECRET_NAME)."""
DEFAULT_GROUPS_CLAIM = "pomerium.io/groups"
"""The stack's default groups claim (pomerium_auth0 domain.groups_claim.DEFAULT_GROUPS_CLAIM)."""

WEB_APPLICATION_DESCRIPTION = "Pomerium sign-in (managed by Pulumi: pomerium-auth0)"
"""The web application's description (pomerium_auth0 domain.tenant_names.WEB_APPLICATION_DESCRIPTION)."""
DIRECTORY_SYNC_DESCRIPTION = "Pomerium directory sync (managed by Pulumi: pomerium-auth0)"
"""The directory-sync application's description (pomerium_auth0 domain.tenant_names.DIRECTORY_SYNC_DESCRIPTION)."""
DIRECTORY_SYNC_SUFFIX = "-directory-sync"
"""`<appName>` + this names the directory-sync application (pomerium_auth0 domain.tenant_names.directory_sync_name)."""
GROUPS_CLAIM_ACTION_SUFFIX = "-groups-claim"
"""`<appName>` + this names the groups-claim Action (pomerium_auth0 domain.tenant_names.groups_claim_action_name)."""


def is_stack_application(app_name: str, client: Mapping[str, Any]) -> bool:
    """Whether an Auth0 client is one of the stack's applications: its exact name with its exact description.

    A prefix match would also take another stack's objects (`pomerium-dev` is a prefix of `pomerium-dev2`
    and of `pomerium-dev2-directory-sync`), so names are compared whole
    (pomerium_auth0 domain.tenant_names.owns_application).
    """
    expected = {app_name: WEB_APPLICATION_DESCRIPTION, app_name + DIRECTORY_SYNC_SUFFIX: DIRECTORY_SYNC_DESCRIPTION}
    name = client.get("name")
    return name is not None and expected.get(name) == client.get("description")


def is_stack_action(app_name: str, action: Mapping[str, Any]) -> bool:
    """Whether an Auth0 Action (or a binding's `action`) is the stack's groups-claim Action, by exact name
    (pomerium_auth0 domain.tenant_names.owns_action)."""
    return action.get("name") == app_name + GROUPS_CLAIM_ACTION_SUFFIX
