"""`/authorize` and the login form that stands in for Universal Login (LOGIN-CONTRACT.md); when the form's
credentials are right, the post-login Actions run (`post_login`) and a code goes back to the callback.

`/authorize` checks what Auth0 checks, in Auth0's order. Until the `redirect_uri` is known to be one of the
application's callbacks, errors go to an error page (Auth0 redirects to its `/error` page; the contract
answers 400 with that page directly). After that, errors go back to the callback as `error`,
`error_description` and `state` query parameters, as Auth0 sends them.
"""

from __future__ import annotations

import secrets
import time

from ..exceptions import ApiError
from ..http_messages import Request, Response
from ..models.base import JSON
from ..models.logins import CODE_SECONDS, TRANSACTION_SECONDS, AuthorizationCode, SignIn, Transaction
from . import action_runner, pages
from .context import Context, query_params
from .discovery import RESPONSE_TYPES
from .pages import error_page, html, not_implemented, redirect
from .post_login import run_actions

SUPPORTED_CHALLENGE_METHODS = ("S256", "plain")
UNIMPLEMENTED_PARAMETERS = ("response_mode", "organization", "invitation", "request", "request_uri")
"""`/authorize` parameters Auth0 honours and this tenant does not (`response_mode` other than `query`)."""
WRONG_CREDENTIALS = "Wrong email or password."
LOST_TRANSACTION = (
    "You may have pressed the back button, refreshed during login, opened too many login dialogs, or there is "
    "some issue with cookies, since we couldn't find your session. Try logging in again from the application and "
    "if the problem persists please contact the administrator."
)
"""Auth0's description for a login transaction it no longer has (an expired one, for instance)."""


def enabled_connections(ctx: Context, client_id: str) -> list[JSON]:
    """The connections enabled for the application, database connections first (Auth0's default order)."""
    enabled = [
        connection
        for connection in ctx.tenant.connections.list_connections()
        if {"client_id": client_id} in ctx.tenant.connections.enabled_clients(connection["id"])
    ]
    return sorted(enabled, key=lambda connection: connection["strategy"] != "auth0")


def authorize(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """GET /authorize (authorization code flow): a login transaction and a redirect to the form, or Auth0's error."""
    query = query_params(request.query)
    client_id = query.get("client_id", "")
    if not client_id:
        return error_page("invalid_request", "Missing required parameter: client_id"), None
    try:
        client = ctx.tenant.clients.get_client(client_id)
    except ApiError:
        return error_page("invalid_request", f"Unknown client: {client_id}"), None
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_uri:
        return error_page("invalid_request", "Missing required parameter: redirect_uri"), client_id
    if redirect_uri not in client.get("callbacks", []):
        description = f"Callback URL mismatch. {redirect_uri} is not in the list of allowed callback URLs"
        return error_page("unauthorized_client", description), client_id
    state = query.get("state")

    def refuse(error: str, description: str) -> tuple[Response, str | None]:
        return redirect(redirect_uri, {"error": error, "error_description": description, "state": state}), client_id

    response_type = query.get("response_type", "")
    if not response_type:
        return refuse("invalid_request", "Missing required parameter: response_type")
    if response_type in RESPONSE_TYPES and response_type != "code":
        return not_implemented(f"response_type={response_type}"), client_id
    if response_type != "code":
        return refuse("unsupported_response_type", f"Unsupported response type: {response_type}")
    for name in UNIMPLEMENTED_PARAMETERS:
        if query.get(name, "query" if name == "response_mode" else "") not in ("", "query"):
            return not_implemented(f"{name}={query[name]}"), client_id
    if "authorization_code" not in client.get("grant_types", []):
        return refuse("unauthorized_client", "Grant type 'authorization_code' not allowed for the client.")
    challenge = query.get("code_challenge") or None
    method = query.get("code_challenge_method") or ("plain" if challenge else None)
    if method is not None and method not in SUPPORTED_CHALLENGE_METHODS:
        return refuse("invalid_request", "Unsupported code_challenge_method")
    audience = query.get("audience") or None
    if audience is not None and audience != ctx.tenant.audience:
        return refuse("access_denied", f"Service not found: {audience}")
    enabled = enabled_connections(ctx, client_id)
    if not enabled:
        return refuse("invalid_request", "no connections enabled for the client")
    if "connection" in query:
        matching = [c for c in enabled if c["name"] == query["connection"]]
        if not matching:
            return refuse("invalid_request", "the connection is not enabled")
        enabled = matching
    if query.get("prompt") == "none":
        # No session cookie is ever set here, so silent authentication always needs a login.
        return refuse("login_required", "Login required")
    transaction = Transaction(
        client_id=client_id,
        redirect_uri=redirect_uri,
        state=state,
        nonce=query.get("nonce") or None,
        scopes=tuple(query.get("scope", "openid").split()),
        audience=audience,
        code_challenge=challenge,
        code_challenge_method=method,
        connection=enabled[0],
        issuer=ctx.issuer_url(request.headers),
        query=query,
        expires_at=time.time() + TRANSACTION_SECONDS,
    )
    key = ctx.tenant.logins.add_transaction(transaction)
    return redirect("/u/login", {"state": key}), client_id


def _transaction(ctx: Context, request: Request) -> tuple[str, Transaction | None]:
    key = query_params(request.query).get("state", "")
    return key, ctx.tenant.logins.transaction(key)


def login_page(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """GET /u/login?state=<transaction>: the form."""
    key, transaction = _transaction(ctx, request)
    if transaction is None:
        return error_page("invalid_request", LOST_TRANSACTION), None
    return _form(ctx, key, transaction, 200), transaction.client_id


def _form(ctx: Context, key: str, transaction: Transaction, status: int, error: str | None = None) -> Response:
    application = ctx.tenant.clients.get_client(transaction.client_id)["name"]
    body = pages.login_form(key, application=application, connection=transaction.connection["name"], error=error)
    return html(status, body)


def submit_login(ctx: Context, request: Request) -> tuple[Response, str | None]:
    """POST /u/login?state=<transaction>: check the credentials, run the Actions, and send the code back."""
    key, transaction = _transaction(ctx, request)
    if transaction is None:
        return error_page("invalid_request", LOST_TRANSACTION), None
    form = query_params(request.body.decode("utf-8", errors="replace"))
    user_id = ctx.tenant.directory.sign_in(
        transaction.connection["name"], form.get("username", ""), form.get("password", "")
    )
    if user_id is None:
        return _form(ctx, key, transaction, 400, WRONG_CREDENTIALS), transaction.client_id
    ctx.tenant.logins.finish_transaction(key)
    sign_in = SignIn(
        client_id=transaction.client_id,
        user_id=user_id,
        connection=transaction.connection,
        scopes=transaction.scopes,
        audience=transaction.audience,
        sid=secrets.token_urlsafe(24),
        issuer=transaction.issuer,
        nonce=transaction.nonce,
    )
    back = {"state": transaction.state}
    try:
        result = run_actions(ctx, sign_in, request, transaction.query, transaction.redirect_uri, "oidc-basic-profile")
    except action_runner.ActionFailed as failure:
        denied = {"error": "access_denied", "error_description": failure.message, **back}
        return redirect(transaction.redirect_uri, denied), transaction.client_id
    code = AuthorizationCode(
        sign_in=sign_in,
        id_token_claims=result.id_token_claims,
        access_token_claims=result.access_token_claims,
        redirect_uri=transaction.redirect_uri,
        code_challenge=transaction.code_challenge,
        code_challenge_method=transaction.code_challenge_method,
        expires_at=time.time() + CODE_SECONDS,
    )
    return redirect(transaction.redirect_uri, {"code": ctx.tenant.logins.add_code(code), **back}), transaction.client_id
