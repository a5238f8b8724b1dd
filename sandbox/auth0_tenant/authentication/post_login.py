"""The post-login trigger: Auth0's `event` for a sign-in, and the deployed Actions run on it.

It runs at login (`transaction.protocol` `oidc-basic-profile`) and again at each refresh-token exchange
(`oauth2-refresh-token`), as Auth0 runs it, so refreshed ID tokens carry the same custom claims.
"""

from __future__ import annotations

from typing import Any

from ..http_messages import Request
from ..models.base import now
from ..models.logins import SignIn
from . import action_runner
from .context import Context


def run_actions(
    ctx: Context, sign_in: SignIn, request: Request, query: dict[str, str], redirect_uri: str | None, protocol: str
) -> action_runner.ActionResult:
    """Run the deployed post-login Actions for this sign-in (`protocol` as Auth0 names the flow), or raise."""
    deployed = [action_runner.DeployedAction(*entry) for entry in ctx.tenant.actions.deployed_code("post-login")]
    if not deployed:
        return action_runner.ActionResult()
    return action_runner.run_post_login(deployed, event(ctx, sign_in, request, query, redirect_uri, protocol))


def event(
    ctx: Context, sign_in: SignIn, request: Request, query: dict[str, str], redirect_uri: str | None, protocol: str
) -> dict[str, Any]:
    """Auth0's post-login `event`, with the fields our Actions and Auth0's documentation use."""
    client = ctx.tenant.clients.get_client(sign_in.client_id)
    user = ctx.tenant.directory.user(sign_in.user_id)
    connection = sign_in.connection
    event: dict[str, Any] = {
        "client": {
            "client_id": client["client_id"],
            "name": client["name"],
            "metadata": client.get("client_metadata", {}),
        },
        "connection": {
            "id": connection["id"],
            "name": connection["name"],
            "strategy": connection["strategy"],
            "metadata": {},
        },
        "user": {key: value for key, value in user.items() if key != "logins_count"},
        "authorization": {"roles": ctx.tenant.directory.role_names(sign_in.user_id)},
        "authentication": {
            "methods": [{"name": "pwd" if connection["strategy"] == "auth0" else "federated", "timestamp": now()}]
        },
        "request": {
            "ip": "127.0.0.1",
            "method": request.method,
            "hostname": request.headers.get("Host", ctx.domain),
            "user_agent": request.headers.get("User-Agent", ""),
            "language": "en",
            "query": query,
            "geoip": {},
        },
        "session": {"id": sign_in.sid},
        "stats": {"logins_count": user.get("logins_count", 0)},
        "tenant": {"id": "sandbox"},
        "transaction": {
            "protocol": protocol,
            "requested_scopes": list(sign_in.scopes),
            "redirect_uri": redirect_uri,
            "response_type": ["code"],
            "response_mode": "query",
            "locale": "en",
            "ui_locales": [],
        },
    }
    if sign_in.audience is not None:
        event["resource_server"] = {"identifier": sign_in.audience}
    return event
