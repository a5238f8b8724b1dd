"""The post-login trigger: Auth0's `event` for a sign-in, and the deployed Actions run on it.

It runs at login (`transaction.protocol` `oidc-basic-profile`) and again at each refresh-token exchange
(`oauth2-refresh-token`), as Auth0 runs it, so refreshed ID tokens carry the same custom claims.
"""

from __future__ import annotations

from typing import Any

from ..http_messages import Request
from ..store import now
from . import actions
from .context import Context, Grant


def run_actions(
    ctx: Context, grant: Grant, request: Request, query: dict[str, str], redirect_uri: str | None, protocol: str
) -> actions.ActionResult:
    """Run the deployed post-login Actions for this grant (`protocol` as Auth0 names the flow), or raise."""
    deployed = [actions.DeployedAction(*entry) for entry in ctx.store.deployed_code("post-login")]
    if not deployed:
        return actions.ActionResult()
    return actions.run_post_login(deployed, event(ctx, grant, request, query, redirect_uri, protocol))


def event(
    ctx: Context, grant: Grant, request: Request, query: dict[str, str], redirect_uri: str | None, protocol: str
) -> dict[str, Any]:
    """Auth0's post-login `event`, with the fields our Actions and Auth0's documentation use."""
    client = ctx.store.get_client(grant.client_id)
    user = ctx.directory.user(grant.user_id)
    connection = grant.connection
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
        "authorization": {"roles": ctx.directory.role_names(grant.user_id)},
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
        "session": {"id": grant.sid},
        "stats": {"logins_count": user.get("logins_count", 0)},
        "tenant": {"id": "sandbox"},
        "transaction": {
            "protocol": protocol,
            "requested_scopes": list(grant.scopes),
            "redirect_uri": redirect_uri,
            "response_type": ["code"],
            "response_mode": "query",
            "locale": "en",
            "ui_locales": [],
        },
    }
    if grant.audience is not None:
        event["resource_server"] = {"identifier": grant.audience}
    return event
