"""Auth0's Authentication API, enough for an OIDC login the way Pomerium signs in: discovery and keys,
`/authorize` with a login form standing in for Universal Login, the post-login Actions, `/oauth/token`
(authorization code, refresh token, and the client-credentials grant of `tokens.py`), `/userinfo` and logout.

Modules: `discovery` (the two well-known documents), `login` (`/authorize` and the form), `post_login`
(the Actions' event), `actions` with `action_runner.js` (Node), `grants` (the token grants and `/userinfo`),
`logout`, `keys` (the RS256 key), `pages` (HTML), `context` (what they share).
What it leaves out of Auth0's is listed in the README's sandbox section.
"""

from __future__ import annotations

from collections.abc import Callable

from ..exceptions import OAuthError
from ..http_messages import Request, Response
from ..tokens import client_credentials, token_params
from . import discovery, grants, login, logout
from .context import Context

Route = Callable[[Context, Request], tuple[Response, str | None]]


def _openid_configuration(ctx: Context, request: Request) -> tuple[Response, str | None]:
    return Response(200, discovery.openid_configuration(ctx, ctx.issuer_url(request.headers))), None


def _jwks(ctx: Context, request: Request) -> tuple[Response, str | None]:
    return Response(200, discovery.jwks(ctx)), None


def _token(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """POST /oauth/token: one endpoint, dispatched on `grant_type`."""
    params = token_params(request.headers.get("Content-Type", ""), request.body)
    grant_type = params.get("grant_type", "")
    if grant_type == "client_credentials":
        answer, client_id = client_credentials(ctx.tenant, request.headers, params)
    elif grant_type == "authorization_code":
        answer, client_id = grants.authorization_code(ctx, request, params)
    elif grant_type == "refresh_token":
        answer, client_id = grants.refresh_token(ctx, request, params)
    elif not grant_type:
        raise OAuthError(400, "invalid_request", "Missing required parameter: grant_type")
    else:
        raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")
    return grants.token_response(answer), client_id


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/.well-known/openid-configuration"): _openid_configuration,
    ("GET", "/.well-known/jwks.json"): _jwks,
    ("GET", "/authorize"): login.authorize,
    ("GET", "/u/login"): login.login_page,
    ("POST", "/u/login"): login.submit_login,
    ("POST", "/oauth/token"): _token,
    ("GET", "/userinfo"): grants.userinfo,
    ("GET", "/v2/logout"): logout.v2_logout,
    ("GET", "/oidc/logout"): logout.oidc_logout,
}
"""Every Authentication API route the tenant answers; anything else under these paths is a 501."""


class AuthenticationApi:
    """The routes above, over one tenant's context."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def route(self, request: Request) -> Route | None:
        """The handler for this request, or None when it is not an Authentication API route."""
        return ROUTES.get((request.method, request.path))

    def handle(self, route: Route, request: Request) -> tuple[Response, str | None]:
        """Answer with the route; OAuth errors become their JSON body. The client id is for the request log."""
        try:
            return route(self.context, request)
        except OAuthError as error:
            return Response(error.status, error.body(), dict(grants.NO_STORE)), None
