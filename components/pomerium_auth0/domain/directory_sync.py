"""How Pomerium learns a user's Auth0 roles through the Management API, per Pomerium edition.

Pomerium up to v0.19 syncs roles as groups with a Machine-to-Machine app whose credentials it
reads from `IDP_SERVICE_ACCOUNT`; Pomerium Enterprise syncs with a wider scope set; open-source
Pomerium v0.20+ ignores the service account entirely (groups come from an ID-token claim).

The Enterprise scopes are exactly those Pomerium's Auth0 guide asks for ("Directory Sync
(Enterprise)": `read:roles`, `read:role_members`, `read:users` and `read:user_idp_tokens`;
https://www.pomerium.com/docs/integrations/user-identity/auth0, pomerium/documentation
`content/docs/integrations/user-identity/auth0.mdx`, since "auth0: update permissions", #1801).
Pomerium's open-source Auth0 directory provider (pomerium/datasource `pkg/directory/auth0`) lists
users, roles and role members, and reads no IdP tokens; Enterprise is closed source, so the
documented list is what is granted.
"""

from __future__ import annotations

import base64
import json
from enum import StrEnum


class DirectorySync(StrEnum):
    """Which Management API grant (if any) the Machine-to-Machine app gets."""

    LEGACY = "legacy"
    """Pomerium up to v0.19: roles read as groups with `read:roles` and `read:role_members`."""
    ENTERPRISE = "enterprise"
    """Pomerium Enterprise directory sync: the four scopes its Auth0 guide asks for (module docstring)."""
    OFF = "off"
    """No Machine-to-Machine app and no `IDP_SERVICE_ACCOUNT`: groups come only from the claim."""


MANAGEMENT_API_SCOPES: dict[DirectorySync, tuple[str, ...]] = {
    DirectorySync.LEGACY: ("read:roles", "read:role_members"),
    DirectorySync.ENTERPRISE: ("read:roles", "read:role_members", "read:users", "read:user_idp_tokens"),
    DirectorySync.OFF: (),
}
"""The exact scopes granted per setting; nothing beyond these is ever requested."""

ALLOWED_MANAGEMENT_API_SCOPES = frozenset(MANAGEMENT_API_SCOPES[DirectorySync.ENTERPRISE])
"""The widest scope set any setting grants: the policy pack rejects anything beyond it."""


def management_api_audience(tenant_domain: str) -> str:
    """The Management API identifier, which is always on the tenant's canonical domain.

    Auth0 rejects tokens for `https://<custom domain>/api/v2/` with "401 Bad audience", so
    this never uses a custom login domain.
    """
    return f"https://{tenant_domain}/api/v2/"


def encode_service_account(client_id: str, secret: str, tenant_domain: str, login_url: str) -> str:
    """`IDP_SERVICE_ACCOUNT`: standard base64 (no newline) of compact JSON of the M2M credentials.

    `domain` is added only when logins go through a custom domain (`login_url` is not the
    tenant's own); Pomerium v0.17 to v0.19 then call the Management API on the tenant domain
    instead of on the login URL's host.
    """
    account = {"client_id": client_id, "secret": secret}
    if login_url != f"https://{tenant_domain}":
        account["domain"] = tenant_domain
    document = json.dumps(account, separators=(",", ":"))
    return base64.b64encode(document.encode()).decode("ascii")
