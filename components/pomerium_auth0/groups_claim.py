"""The Post-Login Action that puts Auth0 roles into the ID token for Pomerium v0.20 and later.

Open-source Pomerium v0.20+ ignores `IDP_SERVICE_ACCOUNT` and reads groups from an ID-token
claim, which Auth0 only adds through an Action. Auth0 silently drops a plain `groups` claim (and
every other claim it restricts, see `validation.claim_name`), hence the namespaced default.
"""

from __future__ import annotations

import json
from importlib import resources

DEFAULT_GROUPS_CLAIM = "pomerium.io/groups"
ACTION_RUNTIME = "node22"
"""The newest Node runtime Auth0 Actions support."""
POST_LOGIN_TRIGGER = "post-login"
POST_LOGIN_TRIGGER_VERSION = "v3"

_TEMPLATE = resources.files(__package__).joinpath("groups_claim.js").read_text(encoding="utf-8")


def render_action_code(pomerium_client_id: str, claim: str) -> str:
    """The Action's JavaScript, bound to one web application and one claim name.

    Values are inserted as JSON literals, which are valid JavaScript and cannot break out of
    the string they stand for.
    """
    return _TEMPLATE.replace("__POMERIUM_CLIENT_ID__", json.dumps(pomerium_client_id)).replace(
        "__GROUPS_CLAIM__", json.dumps(claim)
    )
