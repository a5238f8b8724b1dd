"""The Management API's one table: each endpoint (`METHOD /path/{param}`, under `/api/v2`) and its handler.

The table must name exactly the endpoints of Auth0's scope table (`scopes.ENDPOINTS`), checked when this
module loads: an endpoint without a handler, or a handler without a scope row, stops the tenant at start.
A request that matches no row answers 501, so a newer provider calling something this tenant lacks shows
up at once instead of passing by accident.
"""

from __future__ import annotations

from collections.abc import Callable

from ..http_messages import Response
from . import responses as r
from .responses import Call
from .scopes import ENDPOINTS, Endpoint, match

Handler = Callable[[Call], Response]

URLS: dict[str, Handler] = {
    "GET /clients": r.list_clients,
    "POST /clients": r.create_client,
    "GET /clients/{id}": r.get_client,
    "PATCH /clients/{id}": r.update_client,
    "DELETE /clients/{id}": r.delete_client,
    "POST /clients/{id}/rotate-secret": r.rotate_secret,
    "GET /clients/{id}/credentials": r.list_credentials,
    "POST /clients/{id}/credentials": r.create_credential,
    "GET /clients/{id}/credentials/{credential_id}": r.get_credential,
    "PATCH /clients/{id}/credentials/{credential_id}": r.update_credential,
    "DELETE /clients/{id}/credentials/{credential_id}": r.delete_credential,
    "GET /client-grants": r.list_grants,
    "POST /client-grants": r.create_grant,
    "GET /client-grants/{id}": r.get_grant,
    "PATCH /client-grants/{id}": r.update_grant,
    "DELETE /client-grants/{id}": r.delete_grant,
    "GET /actions/actions": r.list_actions,
    "POST /actions/actions": r.create_action,
    "GET /actions/actions/{id}": r.get_action,
    "PATCH /actions/actions/{id}": r.update_action,
    "DELETE /actions/actions/{id}": r.delete_action,
    "POST /actions/actions/{id}/deploy": r.deploy_action,
    "GET /actions/actions/{id}/versions": r.list_versions,
    "GET /actions/actions/{id}/versions/{version_id}": r.get_version,
    "GET /actions/triggers/{trigger_id}/bindings": r.list_bindings,
    "PATCH /actions/triggers/{trigger_id}/bindings": r.replace_bindings,
    "GET /connections": r.list_connections,
    "GET /connections/{id}": r.get_connection,
    "GET /connections/{id}/clients": r.list_enabled_clients,
    "PATCH /connections/{id}/clients": r.update_enabled_clients,
    "GET /roles": r.list_roles,
    "GET /roles/{id}/users": r.list_role_users,
    "GET /users/{id}/roles": r.list_user_roles,
}

_disagreeing = {e.key for e in ENDPOINTS} ^ set(URLS)
if _disagreeing:
    raise RuntimeError(f"scope table and URL table disagree on: {sorted(_disagreeing)}")


def find(method: str, path: str) -> tuple[Handler, Endpoint, dict[str, str]] | None:
    """The handler for a request, the endpoint (with its scopes) and the raw path parameters, or None."""
    found = match(method, path)
    if found is None:
        return None
    endpoint, params = found
    return URLS[endpoint.key], endpoint, params
