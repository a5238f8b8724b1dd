"""`POST /oauth/token`, the whole endpoint: reading the request, authenticating the client, and every grant
it answers (`client_credentials` for the Management API, `authorization_code` and `refresh_token` for a login).

The login grants authenticate the client as its `token_endpoint_auth_method` says before the code is looked
at, so a refused Basic attempt leaves the code for golang.org/x/oauth2's retry in the body.

Tokens:
- Management API tokens are opaque (`models.tokens` keeps their scopes, which the Management API checks); the
  provider never decodes them on the client-credentials path.
- The ID token is RS256 with the tenant key (`kid` header), or HS256 with the client secret when the
  application's `jwt_configuration.alg` is HS256. Profile and email claims follow the requested scopes;
  the Actions' custom claims are added, except the ones Auth0 restricts (`claims.RESTRICTED_CLAIMS`).
- The access token of a login is an RS256 JWT for `https://<host>/userinfo` (plus the `audience` asked for).
  Without an audience Auth0 issues an opaque (JWE) token instead; clients must treat it as opaque either way.
- A refresh token comes only when `offline_access` was asked for and the application has the
  `refresh_token` grant; otherwise Auth0 silently leaves it out, and so does this. Its family, rotation and
  reuse rules are `models.logins`'.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from ..exceptions import ApiError, OAuthError
from ..http_messages import Request, Response
from ..models.base import JSON
from ..models.clients import Clients
from ..models.directory import User
from ..models.logins import SignIn
from ..models.tenant import Tenant
from ..models.tokens import TOKEN_LIFETIME_SECONDS
from . import action_runner
from .claims import custom_claims, profile_claims
from .context import Context
from .keys import HS256
from .post_login import run_actions

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""Every answer of the endpoint, tokens and errors alike, is never cached (RFC 6749 §5.1)."""
ACCESS_TOKEN_SECONDS = 86400
"""Auth0's default for access tokens to `/userinfo` (and the Management API's token lifetime)."""


def token(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """POST /oauth/token: one endpoint, dispatched on `grant_type`; OAuth errors answer in OAuth's shape.
    The client id is for the request log."""
    try:
        params = token_params(request.headers.get("Content-Type", ""), request.body)
        grant_type = params.get("grant_type", "")
        if grant_type == "client_credentials":
            answer, client_id = client_credentials(ctx.tenant, request.headers, params)
        elif grant_type == "authorization_code":
            answer, client_id = authorization_code(ctx, request, params)
        elif grant_type == "refresh_token":
            answer, client_id = refresh_token(ctx, request, params)
        elif not grant_type:
            raise OAuthError(400, "invalid_request", "Missing required parameter: grant_type")
        else:
            raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")
        return token_response(answer), client_id
    except OAuthError as error:
        return Response(error.status, error.body(), dict(NO_STORE)), None


# Reading the request and authenticating the client


def token_params(content_type: str, body: bytes) -> dict[str, str]:
    """The token request's parameters; Auth0 takes a form body or JSON."""
    text = body.decode("utf-8", errors="replace")
    if content_type.split(";")[0].strip().lower() == "application/json":
        try:
            parsed: Any = json.loads(text or "{}")
        except json.JSONDecodeError as error:
            raise OAuthError(400, "invalid_request", "Invalid JSON body") from error
        if not isinstance(parsed, dict):
            raise OAuthError(400, "invalid_request", "Invalid JSON body")
        return {str(k): str(v) for k, v in parsed.items()}
    return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """HTTP Basic credentials, URL-unescaped as golang.org/x/oauth2 escapes them (RFC 6749 §2.3.1)."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise OAuthError(401, "access_denied", "Unauthorized") from error
    user, sep, password = decoded.partition(":")
    if not sep:
        raise OAuthError(401, "access_denied", "Unauthorized")
    return unquote_plus(user), unquote_plus(password)


UNAUTHORIZED = ("access_denied", "Unauthorized")
"""Auth0's 401 answer for every client-authentication failure: unknown client, wrong secret, wrong style."""


@dataclass(frozen=True)
class ClientCredentials:
    """The client id and secret a token request carries, and how it carried them."""

    client_id: str
    secret: str
    style: str
    """`client_secret_basic`, `client_secret_post` or `none` (a client id in the body, no secret)."""


def presented_credentials(headers: Mapping[str, str], params: Mapping[str, str]) -> ClientCredentials:
    """Where the request put its credentials: HTTP Basic first, then the form body (RFC 6749 §2.3.1)."""
    basic = _basic_credentials(headers.get("Authorization"))
    if basic is not None:
        return ClientCredentials(basic[0], basic[1], "client_secret_basic")
    secret = params.get("client_secret", "")
    return ClientCredentials(params.get("client_id", ""), secret, "client_secret_post" if secret else "none")


def authenticate_client(clients: Clients, credentials: ClientCredentials) -> dict[str, Any]:
    """The client, if it authenticated the way its `token_endpoint_auth_method` says; else Auth0's 401.

    Auth0 holds an application to its configured method: an SPA (`none`) sending only its client id to an
    application set to `client_secret_post` gets `401 access_denied "Unauthorized"` (auth0-spa-js#488 and
    #539, auth0-angular-samples#201), as does a client sending no secret to a `client_secret_basic` one
    (ibi-group/datatools-server#487), and client libraries tell users to match the application's setting
    (nuxt-oidc-auth's README: "Client Secret (Post)" → body, "(Basic)" → header). No recorded answer to
    Basic against a `client_secret_post` application was found: refusing it is inferred from the above.
    golang.org/x/oauth2's auto-detected style then makes two requests: Basic (refused), then the body.
    """
    client_id = credentials.client_id
    try:
        client = clients.get_client(client_id)
    except ApiError as error:
        raise OAuthError(401, *UNAUTHORIZED) from error
    method = client.get("token_endpoint_auth_method", "client_secret_post")
    if credentials.style != method:
        raise OAuthError(401, *UNAUTHORIZED)
    if method != "none" and not clients.client_secret_matches(client_id, credentials.secret):
        raise OAuthError(401, *UNAUTHORIZED)
    return client


# The client-credentials grant (Management API tokens)


def client_credentials(
    tenant: Tenant, headers: Mapping[str, str], params: Mapping[str, str]
) -> tuple[dict[str, Any], str]:
    """Answer a client-credentials token request the way Auth0 does (and say for whom), or raise its error.

    Unlike the login grants, either credential style is taken here whatever the application's
    `token_endpoint_auth_method`: the sandbox's own clients and tests send Basic to `client_secret_post`
    applications. Auth0 has not been observed on this combination for this grant; see README.
    """
    credentials = presented_credentials(headers, params)
    client_id, client_secret = credentials.client_id, credentials.secret
    if not client_id or not tenant.clients.client_secret_matches(client_id, client_secret):
        raise OAuthError(401, *UNAUTHORIZED)
    client = tenant.clients.get_client(client_id)
    if "client_credentials" not in client["grant_types"]:
        raise OAuthError(403, "unauthorized_client", "Grant type 'client_credentials' not allowed for the client.")
    audience = params.get("audience", "")
    if not audience:
        raise OAuthError(
            403,
            "access_denied",
            "No audience parameter was provided, and no default audience has been configured",
        )
    if audience != tenant.audience:
        raise OAuthError(403, "access_denied", f"Service not found: {audience}")
    granted = tenant.grants.granted_scopes(client_id, audience)
    if granted is None:
        raise OAuthError(
            403,
            "access_denied",
            f'Client is not authorized to access "{audience}". You need to create a "client-grant" associated '
            "to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants",
        )
    scopes = tuple(granted)
    if params.get("scope"):
        requested = tuple(params["scope"].split())
        missing = [scope for scope in requested if scope not in granted]
        if missing:
            raise OAuthError(403, "access_denied", "Client has not been granted scopes: " + ",".join(missing))
        scopes = requested
    answer = {
        "access_token": tenant.tokens.issue(client_id, scopes),
        "scope": " ".join(scopes),
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "token_type": "Bearer",
    }
    return answer, client_id


# The login grants


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
    except action_runner.ActionFailed as failure:
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
    ctx.tenant.logins.remember_userinfo_claims(jti, custom_claims(custom_id_claims))
    access_claims = {
        **custom_claims(custom_access_claims),
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


def _id_token(
    ctx: Context, client: JSON, sign_in: SignIn, user: User, custom: dict[str, Any], moment: int, nonce: str | None
) -> str:
    lifetime = int(client.get("jwt_configuration", {}).get("lifetime_in_seconds", 36000))
    claims: dict[str, Any] = {
        **profile_claims(user, sign_in.scopes),
        **custom_claims(custom),
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
