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
from ..store import JSON
from ..tokens import authenticate_client, presented_credentials
from . import actions
from .context import ACCESS_TOKEN_SECONDS, Context, Grant, RefreshToken
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
INVALID_REFRESH_TOKEN = "Unknown or invalid refresh token."
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


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
    client = authenticate_client(ctx.store, presented_credentials(request.headers, params))
    _allow(client, "authorization_code")
    code = ctx.state.redeem_code(_require(params, "code"))
    if code is None or code.grant.client_id != client["client_id"]:
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
    answer = _tokens(ctx, client, code.grant, code.id_token_claims, code.access_token_claims, nonce=code.grant.nonce)
    if "offline_access" in code.grant.scopes and "refresh_token" in client.get("grant_types", []):
        answer["refresh_token"] = _new_refresh_token(ctx, code.grant, family=None)
    return answer, client["client_id"]


def refresh_token(ctx: Context, request: Request, params: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """Exchange a refresh token under the application's `refresh_token` settings; the Actions run again."""
    client = authenticate_client(ctx.store, presented_credentials(request.headers, params))
    _allow(client, "refresh_token")
    settings = client.get("refresh_token", {})
    presented = _require(params, "refresh_token")
    record = _live_refresh_token(ctx, presented, client["client_id"], settings)
    query = {key: value for key, value in params.items() if key not in ("client_secret", "refresh_token")}
    try:
        result = run_actions(ctx, record.grant, request, query, None, "oauth2-refresh-token")
    except actions.ActionFailed as failure:
        raise OAuthError(403, "access_denied", failure.message) from failure
    answer = _tokens(ctx, client, record.grant, result.id_token_claims, result.access_token_claims, nonce=None)
    if settings.get("rotation_type") == "rotating":
        answer["refresh_token"] = _new_refresh_token(ctx, record.grant, family=record)
        with ctx.state.lock:
            record.rotated_at = record.rotated_at or time.time()
    return answer, client["client_id"]


def _live_refresh_token(ctx: Context, presented: str, client_id: str, settings: JSON) -> RefreshToken:
    """The token's record if it may still be used; reuse of a rotated token past `leeway` revokes its family."""
    moment = time.time()
    with ctx.state.lock:
        record = ctx.state.refresh_tokens.get(presented)
        if record is None or record.grant.client_id != client_id:
            raise OAuthError(403, "invalid_grant", INVALID_REFRESH_TOKEN)
        if record.rotated_at is not None and moment - record.rotated_at > int(settings.get("leeway", 0)):
            # Reuse detection: a rotated token used again ends every token of its family.
            for token in [t for t, r in ctx.state.refresh_tokens.items() if r.family == record.family]:
                del ctx.state.refresh_tokens[token]
            raise OAuthError(403, "invalid_grant", INVALID_REFRESH_TOKEN)
        if settings.get("expiration_type") == "expiring":
            absolute = not settings.get("infinite_token_lifetime") and (
                moment - record.family_created_at > int(settings.get("token_lifetime", 0))
            )
            idle = not settings.get("infinite_idle_token_lifetime") and (
                moment - record.last_used_at > int(settings.get("idle_token_lifetime", 0))
            )
            if absolute or idle:
                del ctx.state.refresh_tokens[presented]
                raise OAuthError(403, "invalid_grant", INVALID_REFRESH_TOKEN)
        record.last_used_at = moment
        return record


def _new_refresh_token(ctx: Context, grant: Grant, family: RefreshToken | None) -> str:
    token = secrets.token_urlsafe(36)
    moment = time.time()
    record = RefreshToken(
        grant=grant,
        family=family.family if family else secrets.token_hex(8),
        family_created_at=family.family_created_at if family else moment,
        last_used_at=moment,
    )
    with ctx.state.lock:
        ctx.state.refresh_tokens[token] = record
    return token


def _tokens(
    ctx: Context,
    client: JSON,
    grant: Grant,
    custom_id_claims: dict[str, Any],
    custom_access_claims: dict[str, Any],
    *,
    nonce: str | None,
) -> dict[str, Any]:
    """The token response: an access token for /userinfo (and the audience), and an ID token for `openid`."""
    moment = int(time.time())
    user = ctx.directory.user(grant.user_id)
    scope = " ".join(grant.scopes)
    audiences = [a for a in (grant.audience, grant.issuer + "userinfo") if a]
    jti = secrets.token_urlsafe(16)
    with ctx.state.lock:
        ctx.state.userinfo_claims[jti] = _custom(custom_id_claims)
    access_claims = {
        **_custom(custom_access_claims),
        "jti": jti,
        "iss": grant.issuer,
        "sub": grant.user_id,
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
    if "openid" in grant.scopes:
        answer["id_token"] = _id_token(ctx, client, grant, user, custom_id_claims, moment, nonce)
    return answer


def profile_claims(user: JSON, scopes: tuple[str, ...]) -> dict[str, Any]:
    """The standard claims the `profile` and `email` scopes release, from the user's profile."""
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        claims.update({key: user[key] for key in PROFILE_CLAIMS if key in user})
    if "email" in scopes:
        claims.update({key: user[key] for key in EMAIL_CLAIMS if key in user})
    return claims


def _custom(claims: dict[str, Any]) -> dict[str, Any]:
    """The custom claims Auth0 lets into a token."""
    return {
        name: value
        for name, value in claims.items()
        if name not in RESTRICTED_CLAIMS and not any(namespace in name for namespace in RESERVED_NAMESPACES)
    }


def _id_token(
    ctx: Context, client: JSON, grant: Grant, user: JSON, custom: dict[str, Any], moment: int, nonce: str | None
) -> str:
    lifetime = int(client.get("jwt_configuration", {}).get("lifetime_in_seconds", 36000))
    claims: dict[str, Any] = {
        **profile_claims(user, grant.scopes),
        **_custom(custom),
        "iss": grant.issuer,
        "aud": client["client_id"],
        "sub": grant.user_id,
        "iat": moment,
        "exp": moment + lifetime,
        "sid": grant.sid,
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
        user = ctx.directory.user(str(claims["sub"]))
    except (jwt.InvalidTokenError, ApiError) as error:
        headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{type(error).__name__}"',
        }
        return Response(401, b"Unauthorized", headers), None
    with ctx.state.lock:
        custom = ctx.state.userinfo_claims.get(str(claims.get("jti")), {})
    answer = {"sub": user["user_id"], **profile_claims(user, tuple(str(claims.get("scope", "")).split())), **custom}
    return Response(200, answer), str(claims.get("azp")) or None
