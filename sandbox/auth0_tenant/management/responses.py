"""The Management API's handlers: each turns one authorised call into calls on the tenant's models and
answers as Auth0 does (list forms, filters, field visibility). `urls.py` maps each endpoint to one of these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..exceptions import ApiError
from ..http_messages import Response
from ..models.tenant import Tenant
from ..models.tokens import Token
from . import scopes
from .field_rules import check_field_scopes, visible_client, visible_connection
from .paging import actions_paged, paged


@dataclass(frozen=True)
class Call:
    """One authorised Management API call, as a handler sees it: the tenant, the caller's token, the path
    parameters, the query (last value of each name) and the body."""

    tenant: Tenant
    token: Token
    params: dict[str, str]
    query: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The request body as JSON, or Auth0's 400 for a body that is not."""
        try:
            return json.loads(self.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ApiError(400, "Invalid request payload JSON format", "invalid_body") from error


# Clients


def list_clients(call: Call) -> Response:
    clients = [visible_client(c, call.token, call.query) for c in call.tenant.clients.list_clients()]
    if "app_type" in call.query:
        wanted = set(call.query["app_type"].split(","))
        clients = [c for c in clients if c.get("app_type") in wanted]
    return Response(200, paged(clients, call.query, "clients"))


def create_client(call: Call) -> Response:
    body = call.json()
    check_field_scopes(body, scopes.CLIENT_CREATE_FIELD_SCOPES, call.token)
    created = call.tenant.clients.create_client(body)
    return Response(201, visible_client(created, call.token, call.query, full=True))


def get_client(call: Call) -> Response:
    return Response(200, visible_client(call.tenant.clients.get_client(call.params["id"]), call.token, call.query))


def update_client(call: Call) -> Response:
    body = call.json()
    check_field_scopes(body, scopes.CLIENT_FIELD_WRITE_SCOPES, call.token)
    updated = call.tenant.clients.update_client(call.params["id"], body)
    return Response(200, visible_client(updated, call.token, call.query))


def delete_client(call: Call) -> Response:
    call.tenant.clients.delete_client(call.params["id"])
    return Response(204)


def rotate_secret(call: Call) -> Response:
    rotated = call.tenant.clients.rotate_secret(call.params["id"])
    return Response(200, visible_client(rotated, call.token, call.query, full=True))


def list_credentials(call: Call) -> Response:
    return Response(200, call.tenant.clients.list_credentials(call.params["id"]))


def create_credential(call: Call) -> Response:
    return Response(201, call.tenant.clients.create_credential(call.params["id"], call.json()))


def get_credential(call: Call) -> Response:
    return Response(200, call.tenant.clients.get_credential(call.params["id"], call.params["credential_id"]))


def update_credential(call: Call) -> Response:
    body = call.json()
    return Response(200, call.tenant.clients.update_credential(call.params["id"], call.params["credential_id"], body))


def delete_credential(call: Call) -> Response:
    call.tenant.clients.delete_credential(call.params["id"], call.params["credential_id"])
    return Response(204)


# Client grants


def list_grants(call: Call) -> Response:
    grants = call.tenant.grants.list_grants()
    for name in ("audience", "client_id", "subject_type"):
        if name in call.query:
            grants = [g for g in grants if g.get(name) == call.query[name]]
    if "allow_any_organization" in call.query:
        wanted = call.query["allow_any_organization"] == "true"
        grants = [g for g in grants if bool(g.get("allow_any_organization")) == wanted]
    return Response(200, paged(grants, call.query, "client_grants"))


def create_grant(call: Call) -> Response:
    return Response(201, call.tenant.grants.create_grant(call.json()))


def get_grant(call: Call) -> Response:
    return Response(200, call.tenant.grants.get_grant(call.params["id"]))


def update_grant(call: Call) -> Response:
    return Response(200, call.tenant.grants.update_grant(call.params["id"], call.json()))


def delete_grant(call: Call) -> Response:
    call.tenant.grants.delete_grant(call.params["id"])
    return Response(204)


# Actions


def list_actions(call: Call) -> Response:
    actions = call.tenant.actions.list_actions()
    if "actionName" in call.query:
        actions = [a for a in actions if a["name"] == call.query["actionName"]]
    if "triggerId" in call.query:
        actions = [a for a in actions if call.query["triggerId"] in {t["id"] for t in a["supported_triggers"]}]
    if "deployed" in call.query:
        wanted = call.query["deployed"] == "true"
        actions = [a for a in actions if ("deployed_version" in a) == wanted]
    return Response(200, actions_paged(actions, call.query, "actions"))


def create_action(call: Call) -> Response:
    return Response(201, call.tenant.actions.create_action(call.json()))


def get_action(call: Call) -> Response:
    return Response(200, call.tenant.actions.get_action(call.params["id"]))


def update_action(call: Call) -> Response:
    return Response(200, call.tenant.actions.update_action(call.params["id"], call.json()))


def delete_action(call: Call) -> Response:
    call.tenant.actions.delete_action(call.params["id"], force=call.query.get("force") == "true")
    return Response(204)


def deploy_action(call: Call) -> Response:
    # go-auth0 sends this POST with no body and no Content-Type, so the body is never parsed.
    return Response(200, call.tenant.actions.deploy_action(call.params["id"]))


def list_versions(call: Call) -> Response:
    versions = call.tenant.actions.list_versions(call.params["id"])
    return Response(200, actions_paged(versions, call.query, "versions"))


def get_version(call: Call) -> Response:
    return Response(200, call.tenant.actions.get_version(call.params["id"], call.params["version_id"]))


def list_bindings(call: Call) -> Response:
    bindings = call.tenant.actions.list_bindings(call.params["trigger_id"])
    return Response(200, actions_paged(bindings, call.query, "bindings"))


def replace_bindings(call: Call) -> Response:
    return Response(200, {"bindings": call.tenant.actions.replace_bindings(call.params["trigger_id"], call.json())})


# Connections


def list_connections(call: Call) -> Response:
    connections = call.tenant.connections.list_connections()
    for key in ("name", "strategy"):
        if key in call.query:
            connections = [c for c in connections if c[key] == call.query[key]]
    visible = [visible_connection(c, call.token, call.query) for c in connections]
    return Response(200, paged(visible, call.query, "connections"))


def get_connection(call: Call) -> Response:
    connection = call.tenant.connections.get_connection(call.params["id"])
    return Response(200, visible_connection(connection, call.token, call.query))


def list_enabled_clients(call: Call) -> Response:
    """Checkpoint pages only (`take`, `from`), as Auth0 answers this route."""
    clients = call.tenant.connections.enabled_clients(call.params["id"])
    query = {"take": "50", **call.query}
    return Response(200, paged(clients, query, "clients"))


def update_enabled_clients(call: Call) -> Response:
    call.tenant.connections.update_enabled_clients(call.params["id"], call.json())
    return Response(204)


# Roles (the seeded ones, read as Pomerium's directory sync reads them)


def list_roles(call: Call) -> Response:
    roles = call.tenant.directory.list_roles(call.query.get("name_filter"))
    return Response(200, paged(roles, call.query, "roles"))


def list_role_users(call: Call) -> Response:
    """Offset pages, or checkpoint pages with `from`/`take`, as Auth0 answers this route."""
    return Response(200, paged(call.tenant.directory.role_users(call.params["id"]), call.query, "users"))


def list_user_roles(call: Call) -> Response:
    return Response(200, paged(call.tenant.directory.user_roles(call.params["id"]), call.query, "roles"))
