"""`/.well-known/openid-configuration` and `/.well-known/jwks.json`, for the host the request came in on.

The document has Auth0's fields and values (as a current tenant publishes them), with every URL on the
requesting host: `issuer` with its trailing slash, which go-oidc compares with the provider URL it was
given. `end_session_endpoint` is there because Auth0 publishes it for tenants created since November 2023.
"""

from __future__ import annotations

from typing import Any

from ..http_messages import Request, Response
from .context import Context

SCOPES = (
    "openid", "profile", "offline_access", "name", "given_name", "family_name", "nickname", "email",
    "email_verified", "picture", "created_at", "identities", "phone", "address",
)  # fmt: skip
RESPONSE_TYPES = ("code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token")
CLAIMS = (
    "aud", "auth_time", "created_at", "email", "email_verified", "exp", "family_name", "given_name", "iat",
    "identities", "iss", "name", "nickname", "phone_number", "picture", "sub",
)  # fmt: skip


def openid_configuration(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """GET /.well-known/openid-configuration, for the host the request came in on."""
    return Response(200, document(ctx.issuer_url(request.headers))), None


def jwks(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """GET /.well-known/jwks.json: the tenant's public signing keys."""
    return Response(200, {"keys": [ctx.key.jwk()]}), None


def document(issuer: str) -> dict[str, Any]:
    """Auth0's discovery document with this issuer (`https://<host>/`)."""
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + "authorize",
        "token_endpoint": issuer + "oauth/token",
        "device_authorization_endpoint": issuer + "oauth/device/code",
        "userinfo_endpoint": issuer + "userinfo",
        "mfa_challenge_endpoint": issuer + "mfa/challenge",
        "jwks_uri": issuer + ".well-known/jwks.json",
        "registration_endpoint": issuer + "oidc/register",
        "revocation_endpoint": issuer + "oauth/revoke",
        "scopes_supported": list(SCOPES),
        "response_types_supported": list(RESPONSE_TYPES),
        "code_challenge_methods_supported": ["S256", "plain"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256", "RS256", "PS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "claims_supported": list(CLAIMS),
        "request_uri_parameter_supported": False,
        "request_parameter_supported": False,
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
        "end_session_endpoint": issuer + "oidc/logout",
    }
