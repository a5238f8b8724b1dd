"""`POST /oauth/token`: reading the request, authenticating the client, and the client-credentials grant.

Management API tokens are opaque: the provider never decodes them on the client-credentials path, and an
opaque token keeps the scopes server-side, where the Management API routes check them. The login grants
(`authentication.grants`) read the request and authenticate the client with the same functions here.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote_plus

from .exceptions import ApiError, OAuthError
from .models.clients import Clients
from .models.tenant import Tenant
from .models.tokens import TOKEN_LIFETIME_SECONDS


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
