"""`GET /v2/logout` (Auth0's own) and `GET /oidc/logout` (RP-initiated logout, the discovery document's
`end_session_endpoint`).

The return URL must be one of the application's `allowed_logout_urls`; Auth0 ignores its query string and
fragment when comparing. Without `client_id`, Auth0 checks the tenant's own Allowed Logout URLs; this
tenant has none, so such a request may not return anywhere. There is no session cookie to end.
"""

from __future__ import annotations

import jwt

from ..exceptions import ApiError
from ..http_messages import Request, Response
from ..models.base import JSON
from .context import Context, query_params
from .pages import error_page, html, message_html, redirect


def _allowed(client: JSON | None, url: str) -> bool:
    bare = url.split("#", 1)[0].split("?", 1)[0]
    return client is not None and bare in client.get("allowed_logout_urls", [])


def _client(ctx: Context, client_id: str) -> JSON | None:
    try:
        return ctx.tenant.clients.get_client(client_id) if client_id else None
    except ApiError:
        return None


def _mismatch(parameter: str, url: str, client_id: str) -> Response:
    where = (
        f"https://manage.auth0.com/#/applications/{client_id}/settings"
        if client_id
        else ("https://manage.auth0.com/#/tenant/advanced")
    )
    description = (
        f'The "{parameter}" querystring parameter "{url}" is not defined as a valid URL in "Allowed Logout URLs". '
        f"To add a new URL, please do it here: {where}"
    )
    return error_page("invalid_request", description)


def v2_logout(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """GET /v2/logout?client_id=…&returnTo=…: back to `returnTo` (or the first allowed URL), or Auth0's error."""
    query = query_params(request.query)
    client_id = query.get("client_id", "")
    client = _client(ctx, client_id)
    return_to = query.get("returnTo", "")
    if not return_to:
        allowed = client.get("allowed_logout_urls", []) if client else []
        if allowed:
            return redirect(allowed[0], {}), client_id or None
        return html(200, message_html("OK")), client_id or None
    if not _allowed(client, return_to):
        return _mismatch("returnTo", return_to, client_id), client_id or None
    return redirect(return_to, {}), client_id


def oidc_logout(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """GET /oidc/logout: to `post_logout_redirect_uri` (with `state`), the client named or in `id_token_hint`."""
    query = query_params(request.query)
    client_id = query.get("client_id", "")
    hint = query.get("id_token_hint", "")
    if hint and not client_id:
        try:
            unverified = jwt.decode(hint, options={"verify_signature": False, "verify_exp": False})
            client_id = str(unverified.get("aud", ""))
        except jwt.InvalidTokenError:
            return error_page("invalid_request", "Invalid id_token_hint"), None
    target = query.get("post_logout_redirect_uri", "")
    if not target:
        return html(200, message_html("OK")), client_id or None
    if not client_id:
        return error_page("invalid_request", "Either id_token_hint or client_id is required"), None
    if not _allowed(_client(ctx, client_id), target):
        return _mismatch("post_logout_redirect_uri", target, client_id), client_id
    return redirect(target, {"state": query.get("state")}), client_id
