"""Which claims go into the tokens and `/userinfo`: the standard ones the `profile` and `email` scopes release,
and the Actions' custom claims Auth0 lets through (never a restricted one, or one in Auth0's namespaces)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models.directory import User

PROFILE_CLAIMS = ("name", "nickname", "picture", "updated_at")
EMAIL_CLAIMS = ("email", "email_verified")
RESTRICTED_CLAIMS = frozenset(
    {
        "acr", "act", "active", "amr", "at_hash", "ath", "attest", "aud", "auth_time", "authorization_details",
        "azp", "c_hash", "client_id", "cnf", "cty", "dest", "entitlements", "events", "exp", "groups", "gty", "htm",
        "htu", "iat", "internalService", "iss", "jcard", "jku", "jti", "jwe", "jwk", "kid", "may_act", "mky", "nbf",
        "nonce", "object_id", "org_id", "org_name", "orig", "origid", "permissions", "roles", "rph", "s_hash", "sid",
        "sip_callid", "sip_cseq_num", "sip_date", "sip_from_tag", "sip_via_branch", "sub", "sub_jwk", "toe", "txn",
        "typ", "uuid", "vot", "vtm", "x5t#S256",
    }
)  # fmt: skip
"""The claims "subject to Auth0's restrictions" (docs: Create Custom Claims). An Action that sets one, or one in
Auth0's own namespaces, does not fail the login: Auth0 leaves the claim out of the token. Kept apart from the
component's copy on purpose, so the sandbox checks the component rather than agreeing with it by import."""
RESERVED_NAMESPACES = ("urn:auth0", "auth0.com", "webtask.io", "webtask.run")


def profile_claims(user: User, scopes: tuple[str, ...]) -> dict[str, Any]:
    """The standard claims the `profile` and `email` scopes release, from the user's profile."""
    profile: Mapping[str, Any] = user
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        claims.update({key: profile[key] for key in PROFILE_CLAIMS if key in profile})
    if "email" in scopes:
        claims.update({key: profile[key] for key in EMAIL_CLAIMS if key in profile})
    return claims


def custom_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """The custom claims Auth0 lets into a token."""
    return {
        name: value
        for name, value in claims.items()
        if name not in RESTRICTED_CLAIMS and not any(namespace in name for namespace in RESERVED_NAMESPACES)
    }
