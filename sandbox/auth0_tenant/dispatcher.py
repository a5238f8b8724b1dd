"""Every request's way through the tenant: to the admin routes, the Authentication API or the Management API
(each found in its own URL table), under the Management API's rate limit and seeded faults, with errors
rendered as each API renders them and every non-admin request written to the request log.

A request no API knows answers 501, so a newer provider calling something this tenant lacks shows up at once
instead of passing by accident.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, unquote

from .admin import urls as admin_urls
from .admin.responses import AdminCall
from .authentication import urls as authentication_urls
from .authentication.context import Context
from .conditions import Conditions
from .exceptions import ApiError, OAuthError, not_implemented
from .http_messages import Request, Response
from .management import urls as management_urls
from .management.responses import Call
from .management.scopes import API_PREFIX, insufficient_scope_message
from .models.base import now
from .models.tenant import Tenant
from .rate_limit import too_many_requests
from .requestlog import RequestLog


def _rate_limited() -> Response:
    """An injected 429, with the headers Auth0's rate limit sends."""
    reset = int(time.time()) + 1
    headers = {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    body = too_many_requests().body()
    return Response(429, body, headers)


class Dispatcher:
    """The whole tenant behind one `handle` call, independent of the HTTP server that feeds it."""

    def __init__(
        self,
        tenant: Tenant,
        authentication: Context,
        log: RequestLog,
        admin_token: str,
        conditions: Conditions,
    ) -> None:
        self.tenant = tenant
        self.authentication = authentication
        self.log = log
        self.admin_token = admin_token
        self.conditions = conditions

    def handle(self, request: Request) -> Response:
        """Answer one request and (unless it is an admin request) log it."""
        if request.path.startswith(admin_urls.ADMIN_PREFIX):
            return self._admin(request)
        client_id: str | None = None
        fault: str | None = None
        limited: dict[str, str] = {}
        rate_limited = False
        try:
            authentication_route = authentication_urls.find(request.method, request.path)
            if authentication_route is not None:
                response, client_id = authentication_route(self.authentication, request)
            elif request.path.startswith(API_PREFIX + "/"):
                bucket, faults = self.conditions.rate_limit, self.conditions.faults
                decision = bucket.take() if bucket else None
                limited = decision.headers if decision else {}
                rate_limited = decision is not None and not decision.allowed
                fault = None if rate_limited or not faults else faults.draw()
                if rate_limited:
                    client_id = self._caller(request)
                    raise too_many_requests()
                if fault == "429":
                    response = _rate_limited()
                elif fault in ("500", "503"):
                    response = Response(int(fault), ApiError(int(fault), "Injected fault").body())
                else:
                    if fault == "slow":
                        time.sleep(faults.plan.slow_seconds if faults else 0)
                    response, client_id = self._management(request)
            else:
                raise not_implemented(request.method, request.path)
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
        found = management_urls.find(request.method, request.path)
        if found is None:
            raise not_implemented(request.method, request.path)
        handler, endpoint, params = found
        token = self.tenant.tokens.authenticate(request.headers.get("Authorization"))
        try:
            if not token.has_any(endpoint.scopes):
                raise ApiError(403, insufficient_scope_message(endpoint.scopes), "insufficient_scope")
            query = {key: values[-1] for key, values in parse_qs(request.query, keep_blank_values=True).items()}
            call = Call(self.tenant, token, {k: unquote(v) for k, v in params.items()}, query, request.body)
            return handler(call), token.client_id
        except ApiError as error:
            return Response(error.status, error.body()), token.client_id

    def _admin(self, request: Request) -> Response:
        """The sandbox's own routes, behind the admin token; never logged."""
        given = request.headers.get(admin_urls.ADMIN_HEADER, "")
        if not secrets.compare_digest(given.encode(), self.admin_token.encode()):
            return Response(401, ApiError(401, f"Missing or wrong {admin_urls.ADMIN_HEADER} header").body())
        found = admin_urls.find(request.method, request.path)
        if found is None:
            return Response(501, not_implemented(request.method, request.path).body())
        handler, params = found
        return handler(AdminCall(self.tenant, self.log, self.conditions, request, params))
