"""Request handling: the Authentication API (routed to `authentication`), the Management API routes and the
out-of-band admin routes.

Every Management API request goes through `TenantApp.handle`: the rate limit, fault injection, bearer token, the scope
check from `scopes.ENDPOINTS`, then the route's handler. A request neither API knows answers 501, so a
newer provider calling something this tenant lacks shows up at once instead of passing by accident.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from . import scopes
from .action_builds import BuildModel, BuildPlan
from .exceptions import ApiError, OAuthError
from .faults import FaultInjector, FaultPlan
from .http_messages import Request, Response
from .models.base import JSON, now
from .models.tenant import Tenant
from .models.tokens import Token
from .rate_limit import RateLimit, TokenBucket, too_many_requests
from .requestlog import RequestLog

if TYPE_CHECKING:
    from .authentication import AuthenticationApi

ADMIN_PREFIX = "/__sandbox/"
ADMIN_HEADER = "X-Sandbox-Admin"
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Call:
    """One authorised Management API call, as a route handler sees it."""

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


Handler = Callable[[Call], Response]
HANDLERS: dict[str, Handler] = {}


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    """Register the handler of one row of the scope table."""

    def register(handler: Handler) -> Handler:
        HANDLERS[f"{method} {template}"] = handler
        return handler

    return register


def _int_param(query: dict[str, str], name: str, default: int, maximum: int | None = None) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or (maximum is not None and int(raw) > maximum):
        limit = f" between 0 and {maximum}" if maximum is not None else " a non-negative integer"
        raise ApiError(400, f"Query validation error: '{name}' must be{limit}", "invalid_query_string")
    return int(raw)


def _paged(items: Sequence[Mapping[str, Any]], query: dict[str, str], key: str) -> Any:
    """Auth0's list forms: a bare array, `{total,start,limit,<key>}` with include_totals, or a checkpoint page."""
    if "from" in query or "take" in query:
        start = _int_param(query, "from", 0)
        take = _int_param(query, "take", 50, MAX_PER_PAGE)
        page: JSON = {key: items[start : start + take]}
        if start + take < len(items):
            page["next"] = str(start + take)
        return page
    per_page = _int_param(query, "per_page", 50, MAX_PER_PAGE)
    start = _int_param(query, "page", 0) * per_page
    chunk = items[start : start + per_page]
    if query.get("include_totals") == "true":
        return {"total": len(items), "start": start, "limit": per_page, key: chunk}
    return chunk


def _actions_paged(items: list[JSON], query: dict[str, str], key: str) -> JSON:
    """The actions API's own list form, copied from Auth0's answers: `page` only past page 0, `total` only on a
    non-empty page. go-auth0's HasNext is `total > start+limit` with no start/limit here, so a `total` on an
    empty page would make the provider's binding reader page forever, as it would against Auth0."""
    per_page = _int_param(query, "per_page", 50, MAX_PER_PAGE)
    page = _int_param(query, "page", 0)
    chunk = items[page * per_page : (page + 1) * per_page]
    answer: JSON = {key: chunk}
    if chunk:
        answer["total"] = len(items)
    if page:
        answer["page"] = page
    answer["per_page"] = per_page
    return answer


def _hidden_fields(item: JSON, token: Token, rule: Callable[[str], tuple[str, ...]]) -> set[str]:
    """The fields of `item` this token may not read under Auth0's field-level rule for its kind."""
    return {name for name in item if (needed := rule(name)) and not token.has_any(needed)}


def _visible_fields(item: JSON, call: Call, hidden: set[str], *, sent_along: frozenset[str] = frozenset()) -> JSON:
    """Drop what the token may not read, then apply `fields`/`include_fields` (default true).

    Hidden fields silently drop out, unless the caller named them in `fields`, which Auth0 answers with a 403.
    `sent_along` fields come with any `fields` selection, when the token may see them.
    """
    requested = {f for f in call.query.get("fields", "").split(",") if f}
    include = call.query.get("include_fields") != "false"
    if requested and include and (denied := sorted(requested & hidden)):
        raise ApiError(403, "You cannot read the following fields: " + ", ".join(denied), "insufficient_scope")
    visible = {k: v for k, v in item.items() if k not in hidden}
    if not requested:
        return visible
    return {k: v for k, v in visible.items() if (k in requested) == include or (include and k in sent_along)}


def _visible_client(client: JSON, call: Call, *, full: bool = False) -> JSON:
    """One client as this token may see it (`scopes.client_field_read_scopes`).

    `full=True` is for create and rotate-secret, whose answers carry the new secret (that is the only time a
    caller can see a generated secret without the read scope). Auth0 documents the read rules for GET only;
    the PATCH answer follows them too here, the stricter reading (the provider reads the client back anyway).
    Auth0 sends signing_keys along with whatever was asked for (recorded answers).
    """
    hidden = set() if full else _hidden_fields(client, call.token, scopes.client_field_read_scopes)
    return _visible_fields(client, call, hidden, sent_along=frozenset({"signing_keys"}))


CONNECTION_FIELDS_SENT_ALONG = frozenset({"id", "is_domain_connection", "authentication", "connected_accounts"})
"""What Auth0 answers with any `fields` selection of a connection (recorded answers to `fields=strategy,name`)."""


def _visible_connection(connection: JSON, call: Call) -> JSON:
    """One connection as this token may see it (`scopes.connection_field_read_scopes`), with `fields`."""
    hidden = _hidden_fields(connection, call.token, scopes.connection_field_read_scopes)
    return _visible_fields(connection, call, hidden, sent_along=CONNECTION_FIELDS_SENT_ALONG)


def _check_field_scopes(body: Any, rules: dict[str, tuple[str, ...]], token: Token) -> None:
    if not isinstance(body, dict):
        return
    for name, needed in rules.items():
        if name in body and not token.has_any(needed):
            raise ApiError(403, scopes.insufficient_scope_message(needed), "insufficient_scope")


# Clients


@route("GET", "/clients")
def list_clients(call: Call) -> Response:
    clients = [_visible_client(c, call) for c in call.tenant.clients.list_clients()]
    if "app_type" in call.query:
        wanted = set(call.query["app_type"].split(","))
        clients = [c for c in clients if c.get("app_type") in wanted]
    return Response(200, _paged(clients, call.query, "clients"))


@route("POST", "/clients")
def create_client(call: Call) -> Response:
    body = call.json()
    _check_field_scopes(body, scopes.CLIENT_CREATE_FIELD_SCOPES, call.token)
    return Response(201, _visible_client(call.tenant.clients.create_client(body), call, full=True))


@route("GET", "/clients/{id}")
def get_client(call: Call) -> Response:
    return Response(200, _visible_client(call.tenant.clients.get_client(call.params["id"]), call))


@route("PATCH", "/clients/{id}")
def update_client(call: Call) -> Response:
    body = call.json()
    _check_field_scopes(body, scopes.CLIENT_FIELD_WRITE_SCOPES, call.token)
    return Response(200, _visible_client(call.tenant.clients.update_client(call.params["id"], body), call))


@route("DELETE", "/clients/{id}")
def delete_client(call: Call) -> Response:
    call.tenant.clients.delete_client(call.params["id"])
    return Response(204)


@route("POST", "/clients/{id}/rotate-secret")
def rotate_secret(call: Call) -> Response:
    return Response(200, _visible_client(call.tenant.clients.rotate_secret(call.params["id"]), call, full=True))


@route("GET", "/clients/{id}/credentials")
def list_credentials(call: Call) -> Response:
    return Response(200, call.tenant.clients.list_credentials(call.params["id"]))


@route("POST", "/clients/{id}/credentials")
def create_credential(call: Call) -> Response:
    return Response(201, call.tenant.clients.create_credential(call.params["id"], call.json()))


@route("GET", "/clients/{id}/credentials/{credential_id}")
def get_credential(call: Call) -> Response:
    return Response(200, call.tenant.clients.get_credential(call.params["id"], call.params["credential_id"]))


@route("PATCH", "/clients/{id}/credentials/{credential_id}")
def update_credential(call: Call) -> Response:
    body = call.json()
    return Response(200, call.tenant.clients.update_credential(call.params["id"], call.params["credential_id"], body))


@route("DELETE", "/clients/{id}/credentials/{credential_id}")
def delete_credential(call: Call) -> Response:
    call.tenant.clients.delete_credential(call.params["id"], call.params["credential_id"])
    return Response(204)


# Client grants


@route("GET", "/client-grants")
def list_grants(call: Call) -> Response:
    grants = call.tenant.grants.list_grants()
    for name in ("audience", "client_id", "subject_type"):
        if name in call.query:
            grants = [g for g in grants if g.get(name) == call.query[name]]
    if "allow_any_organization" in call.query:
        wanted = call.query["allow_any_organization"] == "true"
        grants = [g for g in grants if bool(g.get("allow_any_organization")) == wanted]
    return Response(200, _paged(grants, call.query, "client_grants"))


@route("POST", "/client-grants")
def create_grant(call: Call) -> Response:
    return Response(201, call.tenant.grants.create_grant(call.json()))


@route("GET", "/client-grants/{id}")
def get_grant(call: Call) -> Response:
    return Response(200, call.tenant.grants.get_grant(call.params["id"]))


@route("PATCH", "/client-grants/{id}")
def update_grant(call: Call) -> Response:
    return Response(200, call.tenant.grants.update_grant(call.params["id"], call.json()))


@route("DELETE", "/client-grants/{id}")
def delete_grant(call: Call) -> Response:
    call.tenant.grants.delete_grant(call.params["id"])
    return Response(204)


# Actions


@route("GET", "/actions/actions")
def list_actions(call: Call) -> Response:
    actions = call.tenant.actions.list_actions()
    if "actionName" in call.query:
        actions = [a for a in actions if a["name"] == call.query["actionName"]]
    if "triggerId" in call.query:
        actions = [a for a in actions if call.query["triggerId"] in {t["id"] for t in a["supported_triggers"]}]
    if "deployed" in call.query:
        wanted = call.query["deployed"] == "true"
        actions = [a for a in actions if ("deployed_version" in a) == wanted]
    return Response(200, _actions_paged(actions, call.query, "actions"))


@route("POST", "/actions/actions")
def create_action(call: Call) -> Response:
    return Response(201, call.tenant.actions.create_action(call.json()))


@route("GET", "/actions/actions/{id}")
def get_action(call: Call) -> Response:
    return Response(200, call.tenant.actions.get_action(call.params["id"]))


@route("PATCH", "/actions/actions/{id}")
def update_action(call: Call) -> Response:
    return Response(200, call.tenant.actions.update_action(call.params["id"], call.json()))


@route("DELETE", "/actions/actions/{id}")
def delete_action(call: Call) -> Response:
    call.tenant.actions.delete_action(call.params["id"], force=call.query.get("force") == "true")
    return Response(204)


@route("POST", "/actions/actions/{id}/deploy")
def deploy_action(call: Call) -> Response:
    # go-auth0 sends this POST with no body and no Content-Type, so the body is never parsed.
    return Response(200, call.tenant.actions.deploy_action(call.params["id"]))


@route("GET", "/actions/actions/{id}/versions")
def list_versions(call: Call) -> Response:
    return Response(200, _actions_paged(call.tenant.actions.list_versions(call.params["id"]), call.query, "versions"))


@route("GET", "/actions/actions/{id}/versions/{version_id}")
def get_version(call: Call) -> Response:
    return Response(200, call.tenant.actions.get_version(call.params["id"], call.params["version_id"]))


@route("GET", "/actions/triggers/{trigger_id}/bindings")
def list_bindings(call: Call) -> Response:
    bindings = call.tenant.actions.list_bindings(call.params["trigger_id"])
    return Response(200, _actions_paged(bindings, call.query, "bindings"))


@route("PATCH", "/actions/triggers/{trigger_id}/bindings")
def replace_bindings(call: Call) -> Response:
    return Response(200, {"bindings": call.tenant.actions.replace_bindings(call.params["trigger_id"], call.json())})


# Connections


@route("GET", "/connections")
def list_connections(call: Call) -> Response:
    connections = call.tenant.connections.list_connections()
    for key in ("name", "strategy"):
        if key in call.query:
            connections = [c for c in connections if c[key] == call.query[key]]
    return Response(200, _paged([_visible_connection(c, call) for c in connections], call.query, "connections"))


@route("GET", "/connections/{id}")
def get_connection(call: Call) -> Response:
    return Response(200, _visible_connection(call.tenant.connections.get_connection(call.params["id"]), call))


@route("GET", "/connections/{id}/clients")
def list_enabled_clients(call: Call) -> Response:
    """Checkpoint pages only (`take`, `from`), as Auth0 answers this route."""
    clients = call.tenant.connections.enabled_clients(call.params["id"])
    query = {"take": "50", **call.query}
    return Response(200, _paged(clients, query, "clients"))


@route("PATCH", "/connections/{id}/clients")
def update_enabled_clients(call: Call) -> Response:
    call.tenant.connections.update_enabled_clients(call.params["id"], call.json())
    return Response(204)


# Roles (the seeded ones, read as Pomerium's directory sync reads them)


@route("GET", "/roles")
def list_roles(call: Call) -> Response:
    return Response(200, _paged(call.tenant.directory.list_roles(call.query.get("name_filter")), call.query, "roles"))


@route("GET", "/roles/{id}/users")
def list_role_users(call: Call) -> Response:
    """Offset pages, or checkpoint pages with `from`/`take`, as Auth0 answers this route."""
    return Response(200, _paged(call.tenant.directory.role_users(call.params["id"]), call.query, "users"))


@route("GET", "/users/{id}/roles")
def list_user_roles(call: Call) -> Response:
    return Response(200, _paged(call.tenant.directory.user_roles(call.params["id"]), call.query, "roles"))


_missing = {e.key for e in scopes.ENDPOINTS} ^ set(HANDLERS)
if _missing:
    raise RuntimeError(f"scope table and route handlers disagree on: {sorted(_missing)}")


def _not_implemented(request: Request) -> ApiError:
    return ApiError(
        501, f"The sandbox tenant does not implement {request.method} {request.path}", "sandbox_not_implemented"
    )


def _rate_limited() -> Response:
    reset = int(time.time()) + 1
    headers = {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    body = too_many_requests().body()
    return Response(429, body, headers)


class TenantApp:
    """The whole tenant behind one `handle` call, independent of the HTTP server that feeds it."""

    def __init__(
        self,
        tenant: Tenant,
        authentication: AuthenticationApi,
        log: RequestLog,
        admin_token: str,
        faults: FaultInjector | None = None,
        rate_limit: TokenBucket | None = None,
    ) -> None:
        self.tenant = tenant
        self.authentication = authentication
        self.log = log
        self.admin_token = admin_token
        self.faults = faults
        self.rate_limit = rate_limit

    def handle(self, request: Request) -> Response:
        """Answer one request and (unless it is an admin request) log it."""
        if request.path.startswith(ADMIN_PREFIX):
            return self._admin(request)
        client_id: str | None = None
        fault: str | None = None
        limited: dict[str, str] = {}
        rate_limited = False
        try:
            authentication_route = self.authentication.route(request)
            if authentication_route is not None:
                response, client_id = self.authentication.handle(authentication_route, request)
            elif request.path.startswith(scopes.API_PREFIX + "/"):
                decision = self.rate_limit.take() if self.rate_limit else None
                limited = decision.headers if decision else {}
                rate_limited = decision is not None and not decision.allowed
                fault = None if rate_limited or not self.faults else self.faults.draw()
                if rate_limited:
                    client_id = self._caller(request)
                    raise too_many_requests()
                if fault == "429":
                    response = _rate_limited()
                elif fault in ("500", "503"):
                    response = Response(int(fault), ApiError(int(fault), "Injected fault").body())
                else:
                    if fault == "slow":
                        time.sleep(self.faults.plan.slow_seconds if self.faults else 0)
                    response, client_id = self._management(request)
            else:
                raise _not_implemented(request)
        except ApiError as error:
            response = Response(error.status, error.body())
        except OAuthError as error:
            response = Response(error.status, error.body())
        response.headers = {**limited, **response.headers}
        self.log.record(
            {
                "ts": now(),
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "status": response.status,
                "client_id": client_id,
                "fault": fault,
                "rate_limited": rate_limited,
            }
        )
        return response

    def _caller(self, request: Request) -> str | None:
        """Who sent a request the rate limit refused, for the log only (the bucket is the tenant's, not theirs)."""
        try:
            return self.tenant.tokens.authenticate(request.headers.get("Authorization")).client_id
        except ApiError:
            return None

    def _management(self, request: Request) -> tuple[Response, str | None]:
        """Route, authenticate and authorise one Management API call; the client id is for the log."""
        found = scopes.match(request.method, request.path)
        if found is None:
            raise _not_implemented(request)
        endpoint, params = found
        token = self.tenant.tokens.authenticate(request.headers.get("Authorization"))
        try:
            if not token.has_any(endpoint.scopes):
                raise ApiError(403, scopes.insufficient_scope_message(endpoint.scopes), "insufficient_scope")
            query = {key: values[-1] for key, values in parse_qs(request.query, keep_blank_values=True).items()}
            call = Call(self.tenant, token, {k: unquote(v) for k, v in params.items()}, query, request.body)
            return HANDLERS[endpoint.key](call), token.client_id
        except ApiError as error:
            return Response(error.status, error.body()), token.client_id

    def _admin(self, request: Request) -> Response:
        """The sandbox's own routes (not Auth0's): the request log, extra clients, scopes, faults and rate limit."""
        given = request.headers.get(ADMIN_HEADER, "")
        if not secrets.compare_digest(given.encode(), self.admin_token.encode()):
            return Response(401, ApiError(401, f"Missing or wrong {ADMIN_HEADER} header").body())
        if request.method == "GET" and request.path == ADMIN_PREFIX + "requests":
            # The entries after `since` (a `seq`), and the latest `seq` so a reader can take a baseline.
            since = _int_param({key: values[-1] for key, values in parse_qs(request.query).items()}, "since", 0)
            return Response(200, {"requests": self.log.entries(since), "last_seq": self.log.last_seq()})
        if request.method == "POST" and request.path == ADMIN_PREFIX + "clients":
            # Another bootstrap-like application, so runs with different scopes can go side by side.
            body = json.loads(request.body)
            client_id, secret = self.tenant.seed_machine_client(body["role"], body["scope"])
            return Response(201, {"client_id": client_id, "client_secret": secret})
        if request.method == "PUT" and request.path == ADMIN_PREFIX + "faults":
            # Turn seeded fault injection on (a spec like --faults takes) or off (null), mid-session.
            spec = json.loads(request.body)["faults"]
            self.faults = FaultInjector(FaultPlan.parse(spec)) if spec else None
            return Response(204)
        if request.method == "PUT" and request.path == ADMIN_PREFIX + "rate-limit":
            # Turn the Management API's token bucket on (a spec like --rate-limit takes, starting full) or off.
            spec = json.loads(request.body)["rate_limit"]
            try:
                self.rate_limit = TokenBucket(RateLimit.parse(spec)) if spec else None
            except ValueError as error:
                return Response(400, ApiError(400, str(error)).body())
            return Response(204)
        if request.method == "PUT" and request.path == ADMIN_PREFIX + "action-builds":
            # New Action build settings (a spec like --action-builds takes; null: the default), mid-session.
            spec = json.loads(request.body)["action_builds"]
            try:
                self.tenant.actions.builds = BuildModel(BuildPlan.parse(spec) if spec else None)
            except ValueError as error:
                return Response(400, ApiError(400, str(error)).body())
            return Response(204)
        grant_prefix = ADMIN_PREFIX + "client-scopes/"
        if request.method == "PUT" and request.path.startswith(grant_prefix):
            # Re-scope a client's Management API grant (the bootstrap app's, in scope tests) without
            # needing a token that may itself lack the scope; new tokens carry the new scopes.
            client_id = request.path.removeprefix(grant_prefix)
            scopes = json.loads(request.body)["scope"]
            grants = [g for g in self.tenant.grants.list_grants() if g["client_id"] == client_id]
            for grant in grants:
                self.tenant.grants.update_grant(grant["id"], {"scope": scopes})
            return Response(204 if grants else 404)
        return Response(501, _not_implemented(request).body())
