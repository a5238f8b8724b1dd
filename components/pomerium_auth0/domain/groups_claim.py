"""The Post-Login Action that puts Auth0 roles into the ID token for Pomerium v0.20 and later.

Open-source Pomerium v0.20+ ignores `IDP_SERVICE_ACCOUNT` and reads groups from an ID-token
claim, which Auth0 only adds through an Action. Auth0 silently drops a plain `groups` claim (and
every other claim it restricts, see `validation.claim_name`), hence the namespaced default.

Auth0 keeps one ordered binding list per trigger, and the provider rewrites the whole list on
every change, so two stacks binding Actions at the same moment can drop each other's binding.
Hence one Action per tenant, bound by one stack (`GroupsClaimAction.OWN`); it reads the claim
name from each Pomerium application's metadata, so the other stacks (`SHARED`) only mark their
application and never touch the binding list.
"""

from __future__ import annotations

import json
from enum import StrEnum
from importlib import resources

DEFAULT_GROUPS_CLAIM = "pomerium.io/groups"
ACTION_RUNTIME = "node22"
"""The newest Node runtime Auth0 Actions support."""
POST_LOGIN_TRIGGER = "post-login"
POST_LOGIN_TRIGGER_VERSION = "v3"

CLAIM_METADATA_KEY = "pomerium_groups_claim"
"""`client_metadata` key of a Pomerium web application: the name of its groups claim."""


class GroupsClaimAction(StrEnum):
    """Which stack deploys the tenant's groups-claim Action and binds it to post-login."""

    OWN = "own"
    """This stack: one per tenant."""
    SHARED = "shared"
    """Another stack in the same tenant; this one only marks its application."""


ACTION_CODE = (
    resources.files(__package__)
    .joinpath("groups_claim.js")
    .read_text(encoding="utf-8")
    .replace("__CLAIM_METADATA_KEY__", json.dumps(CLAIM_METADATA_KEY))
)
"""The Action's JavaScript; the key is inserted as a JSON literal, which is valid JavaScript."""
