"""What a stack's Auth0 objects are called, so the components that create them and the tools that find them agree.

Every name derives from the stack's `appName`. A prefix match would also take another stack's objects
(`pomerium-dev` is a prefix of `pomerium-dev2` and of `pomerium-dev2-directory-sync`), so a stack's
objects are recognised by exact name, and applications also by their exact description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MANAGED_BY = "(managed by Pulumi: pomerium-auth0)"
"""How the components' applications end their description."""
WEB_APPLICATION_DESCRIPTION = f"Pomerium sign-in {MANAGED_BY}"
DIRECTORY_SYNC_DESCRIPTION = f"Pomerium directory sync {MANAGED_BY}"


def directory_sync_name(app_name: str) -> str:
    """The Machine-to-Machine application's name."""
    return f"{app_name}-directory-sync"


def groups_claim_action_name(app_name: str) -> str:
    """The groups-claim Action's name (also its binding's display name)."""
    return f"{app_name}-groups-claim"


def application_descriptions(app_name: str) -> dict[str, str]:
    """Name to description of each application a stack with this `appName` creates."""
    return {app_name: WEB_APPLICATION_DESCRIPTION, directory_sync_name(app_name): DIRECTORY_SYNC_DESCRIPTION}


def owns_application(app_name: str, client: Mapping[str, Any]) -> bool:
    """Whether an Auth0 client (as the Management API returns it) is one of this stack's applications."""
    name = client.get("name")
    return name is not None and application_descriptions(app_name).get(name) == client.get("description")


def owns_action(app_name: str, action: Mapping[str, Any]) -> bool:
    """Whether an Auth0 Action (or a binding's `action`) is this stack's groups-claim Action."""
    return action.get("name") == groups_claim_action_name(app_name)
