"""The admin routes' handlers: each reads one admin request and changes or reports the tenant's state
(`models`), the request log, or the conditions the dispatcher applies (`conditions`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs

from ..action_builds import BuildModel, BuildPlan
from ..conditions import Conditions
from ..exceptions import ApiError
from ..faults import FaultInjector, FaultPlan
from ..http_messages import Request, Response
from ..management.paging import int_param
from ..models.tenant import Tenant
from ..rate_limit import RateLimit, TokenBucket
from ..requestlog import RequestLog


@dataclass(frozen=True)
class AdminCall:
    """One admin request (and its path parameters), with what the admin routes may read and change: the
    tenant's state, the request log and the conditions the dispatcher applies."""

    tenant: Tenant
    log: RequestLog
    conditions: Conditions
    request: Request
    params: dict[str, str]


def requests(call: AdminCall) -> Response:
    """The log entries after `since` (a `seq`), and the latest `seq` so a reader can take a baseline."""
    since = int_param({key: values[-1] for key, values in parse_qs(call.request.query).items()}, "since", 0)
    return Response(200, {"requests": call.log.entries(since), "last_seq": call.log.last_seq()})


def add_client(call: AdminCall) -> Response:
    """Another bootstrap-like application, so runs with different scopes can go side by side."""
    body = json.loads(call.request.body)
    client_id, secret = call.tenant.seed_machine_client(body["role"], body["scope"])
    return Response(201, {"client_id": client_id, "client_secret": secret})


def set_faults(call: AdminCall) -> Response:
    """Turn seeded fault injection on (a spec like --faults takes) or off (null), mid-session."""
    spec = json.loads(call.request.body)["faults"]
    call.conditions.faults = FaultInjector(FaultPlan.parse(spec)) if spec else None
    return Response(204)


def set_rate_limit(call: AdminCall) -> Response:
    """Turn the Management API's token bucket on (a spec like --rate-limit takes, starting full) or off."""
    spec = json.loads(call.request.body)["rate_limit"]
    try:
        call.conditions.rate_limit = TokenBucket(RateLimit.parse(spec)) if spec else None
    except ValueError as error:
        return Response(400, ApiError(400, str(error)).body())
    return Response(204)


def set_action_builds(call: AdminCall) -> Response:
    """New Action build settings (a spec like --action-builds takes; null: the default), mid-session."""
    spec = json.loads(call.request.body)["action_builds"]
    try:
        call.tenant.actions.builds = BuildModel(BuildPlan.parse(spec) if spec else None)
    except ValueError as error:
        return Response(400, ApiError(400, str(error)).body())
    return Response(204)


def set_client_scopes(call: AdminCall) -> Response:
    """Re-scope a client's Management API grant (the bootstrap app's, in scope tests) without needing a token
    that may itself lack the scope; new tokens carry the new scopes."""
    client_id = call.params["client_id"]
    scope = json.loads(call.request.body)["scope"]
    grants = [g for g in call.tenant.grants.list_grants() if g["client_id"] == client_id]
    for grant in grants:
        call.tenant.grants.update_grant(grant["id"], {"scope": scope})
    return Response(204 if grants else 404)
