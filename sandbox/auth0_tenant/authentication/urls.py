"""The Authentication API's one table: method and path to the handler that answers it. Anything else under
these hosts that is not a Management API or admin path answers 501 (the dispatcher's)."""

from __future__ import annotations

from collections.abc import Callable

from ..http_messages import Request, Response
from . import authorize, discovery, logout, token, userinfo
from .context import Context

Route = Callable[[Context, Request], tuple[Response, str | None]]
"""A handler: the answer, and the client id the request log names (None when there is none)."""

URLS: dict[tuple[str, str], Route] = {
    ("GET", "/.well-known/openid-configuration"): discovery.openid_configuration,
    ("GET", "/.well-known/jwks.json"): discovery.jwks,
    ("GET", "/authorize"): authorize.authorize,
    ("GET", "/u/login"): authorize.login_page,
    ("POST", "/u/login"): authorize.submit_login,
    ("POST", "/oauth/token"): token.token,
    ("GET", "/userinfo"): userinfo.userinfo,
    ("GET", "/v2/logout"): logout.v2_logout,
    ("GET", "/oidc/logout"): logout.oidc_logout,
}


def find(method: str, path: str) -> Route | None:
    """The handler for a request, or None when it is not an Authentication API route."""
    return URLS.get((method, path))
