"""`POST /oauth/token` for the login grants (`authorization_code`, `refresh_token`) and `GET /userinfo`.

The client authenticates as its `token_endpoint_auth_method` says (`tokens.authenticate_client`) before the
code is looked at, so a refused Basic attempt leaves the code for golang.org/x/oauth2's retry in the body.

Tokens:
- The ID token is RS256 with the tenant key (`kid` header), or HS256 with the client secret when the
  application's `jwt_configuration.alg` is HS256. Profile and email claims follow the requested scopes;
  the Actions' custom claims are added, except the ones Auth0 restricts (`RESTRICTED_CLAIMS`).
- The access token is an RS256 JWT for `https://<host>/userinfo` (plus the `audience` asked for). Without an
  audience Auth0 issues an opaque (JWE) token instead; clients must treat it as opaque either way.
- A refresh token comes only when `offline_access` was asked for and the application has the
  `refresh_token` grant; otherwise Auth0 silently leaves it out, and so does this.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping
from typing import Any

import jwt

from ..exceptions import ApiError, OAuthError
from ..http_messages import Request, Response
from ..models.base import JSON
from ..models.directory import User
from ..models.logins import SignIn
from ..tokens import authenticate_client, presented_credentials
from . import actions
from .context import Context
from .keys import HS256
from .post_login import run_actions

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
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
ACCESS_TOKEN_SECONDS = 86400
"""Auth0's default for access tokens to `/userinfo` (and the Management API's token lifetime)."""


def _require(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise OAuthError(400, "invalid_request", f"Missing required parameter: {name}")
    return value


def _allow(client: JSON, grant_type: str) -> None:
    if grant_type not in client.get("grant_types", []):
        raise OAuthError(403, "unauthorized_client", f"Grant type '{grant_type}' not allowed for the client.")


def _pkce_matches(verifier: str, challenge: str, method: str | None) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        computed = verifier
    return secrets.compare_digest(computed.encode(), challenge.encode())


def authorization_code(ctx: Context, request: Request, params: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """Redeem a code: once, by its client, with its redirect_uri and PKCE verifier."""
    client = authenticate_client(ctx.tenant.clients, presented_credentials(request.headers, params))
    _allow(client, "authorization_code")
    code = ctx.tenant.logins.redeem_code(_require(params, "code"))
    if code is None or code.sign_in.client_id != client["client_id"]:
        raise OAuthError(403, "invalid_grant", "Invalid authorization code")
    sent = params.get("redirect_uri", "")
    if sent != code.redirect_uri:
        raise OAuthError(
            403,
            "invalid_grant",
            f"The redirect URI is wrong. You sent {sent or 'none'}, and we expected {code.redirect_uri}",
        )
    if code.code_challenge is not None:
        verifier = params.get("code_verifier", "")
        if not verifier or not _pkce_matches(verifier, code.code_challenge, code.code_challenge_method):
            raise OAuthError(403, "invalid_grant", "Failed to verify code verifier")
    sign_in = code.sign_in
    answer = _tokens(ctx, client, sign_in, code.id_token_claims, code.access_token_claims, nonce=sign_in.nonce)
    if "offline_access" in sign_in.scopes and "refresh_token" in client.get("grant_types", []):
        answer["refresh_token"] = ctx.tenant.logins.new_refresh_token(sign_in)
    return answer, client["client_id"]


def refresh_token(ctx: Context, request: Request, params: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """Exchange a refresh token under the application's `refresh_token` settings; the Actions run again."""
    client = authenticate_client(ctx.tenant.clients, presented_credentials(request.headers, params))
    _allow(client, "refresh_token")
    settings = client.get("refresh_token", {})
    presented = _require(params, "refresh_token")
    record = ctx.tenant.logins.live_refresh_token(presented, client["client_id"], settings)
    query = {key: value for key, value in params.items() if key not in ("client_secret", "refresh_token")}
    try:
        result = run_actions(ctx, record.sign_in, request, query, None, "oauth2-refresh-token")
    except actions.ActionFailed as failure:
        raise OAuthError(403, "access_denied", failure.message) from failure
    answer = _tokens(ctx, client, record.sign_in, result.id_token_claims, result.access_token_claims, nonce=None)
    if settings.get("rotation_type") == "rotating":
        answer["refresh_token"] = ctx.tenant.logins.rotate_refresh_token(record)
    return answer, client["client_id"]


def _tokens(
    ctx: Context,
    client: JSON,
    sign_in: SignIn,
    custom_id_claims: dict[str, Any],
    custom_access_claims: dict[str, Any],
    *,
    nonce: str | None,
) -> dict[str, Any]:
    """The token response: an access token for /userinfo (and the audience), and an ID token for `openid`."""
    moment = int(time.time())
    user = ctx.tenant.directory.user(sign_in.user_id)
    scope = " ".join(sign_in.scopes)
    audiences = [a for a in (sign_in.audience, sign_in.issuer + "userinfo") if a]
    jti = secrets.token_urlsafe(16)
    ctx.tenant.logins.remember_userinfo_claims(jti, _custom(custom_id_claims))
    access_claims = {
        **_custom(custom_access_claims),
        "jti": jti,
        "iss": sign_in.issuer,
        "sub": sign_in.user_id,
        "aud": audiences if len(audiences) > 1 else audiences[0],
        "iat": moment,
        "exp": moment + ACCESS_TOKEN_SECONDS,
        "scope": scope,
        "azp": client["client_id"],
    }
    answer: dict[str, Any] = {
        "access_token": ctx.key.sign(access_claims),
        "scope": scope,
        "expires_in": ACCESS_TOKEN_SECONDS,
        "token_type": "Bearer",
    }
    if "openid" in sign_in.scopes:
        answer["id_token"] = _id_token(ctx, client, sign_in, user, custom_id_claims, moment, nonce)
    return answer


def profile_claims(user: User, scopes: tuple[str, ...]) -> dict[str, Any]:
    """The standard claims the `profile` and `email` scopes release, from the user's profile."""
    profile: Mapping[str, Any] = user
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        claims.update({key: profile[key] for key in PROFILE_CLAIMS if key in profile})
    if "email" in scopes:
        claims.update({key: profile[key] for key in EMAIL_CLAIMS if key in profile})
    return claims


def _custom(claims: dict[str, Any]) -> dict[str, Any]:
    """The custom claims Auth0 lets into a token."""
    return {
        name: value
        for name, value in claims.items()
        if name not in RESTRICTED_CLAIMS and not any(namespace in name for namespace in RESERVED_NAMESPACES)
    }


def _id_token(
    ctx: Context, client: JSON, sign_in: SignIn, user: User, custom: dict[str, Any], moment: int, nonce: str | None
) -> str:
    lifetime = int(client.get("jwt_configuration", {}).get("lifetime_in_seconds", 36000))
    claims: dict[str, Any] = {
        **profile_claims(user, sign_in.scopes),
        **_custom(custom),
        "iss": sign_in.issuer,
        "aud": client["client_id"],
        "sub": sign_in.user_id,
        "iat": moment,
        "exp": moment + lifetime,
        "sid": sign_in.sid,
    }
    if nonce is not None:
        claims["nonce"] = nonce
    jwt_configuration = client.get("jwt_configuration", {})
    if jwt_configuration.get("alg") == HS256:
        secret = str(client["client_secret"])
        key = (
            base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
            if jwt_configuration.get("secret_encoded")
            else secret.encode()
        )
        return ctx.key.sign(claims, alg=HS256, secret=key)
    return ctx.key.sign(claims)


def token_response(answer: dict[str, Any]) -> Response:
    """A 200 token answer, never cached (RFC 6749 §5.1)."""
    return Response(200, answer, dict(NO_STORE))


def userinfo(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """GET /userinfo: the user's claims for the token's scopes, with the ID token's custom claims (as Auth0
    returns them), or 401 as Auth0 answers."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    issuer = ctx.issuer_url(request.headers)
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise jwt.InvalidTokenError("no bearer token")
        claims = ctx.key.verify(token.strip(), audience=issuer + "userinfo", issuer=issuer)
        user = ctx.tenant.directory.user(str(claims["sub"]))
    except (jwt.InvalidTokenError, ApiError) as error:
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{type(error).__name__}"',
        }
        return Response(401, b"Unauthorized", headers), None
    custom = ctx.tenant.logins.claims_for_userinfo(str(claims.get("jti")))
    answer = {"sub": user["user_id"], **profile_claims(user, tuple(str(claims.get("scope", "")).split())), **custom}
    return Response(200, answer), str(claims.get("azp")) or None
