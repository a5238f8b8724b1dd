"""The admin routes' one table: method and path pattern (under `ADMIN_PREFIX`) to handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..http_messages import Response
from . import responses as r
from .responses import AdminCall

ADMIN_PREFIX = "/__sandbox/"
ADMIN_HEADER = "X-Sandbox-Admin"

AdminHandler = Callable[[AdminCall], Response]


@dataclass(frozen=True)
class AdminRoute:
    """One admin route: `pattern` is a regular expression for the whole path after `ADMIN_PREFIX`."""

    method: str
    pattern: str
    handler: AdminHandler
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", re.compile(re.escape(ADMIN_PREFIX) + self.pattern, re.DOTALL))


URLS = (
    AdminRoute("GET", "requests", r.requests),
    AdminRoute("POST", "clients", r.add_client),
    AdminRoute("PUT", "faults", r.set_faults),
    AdminRoute("PUT", "rate-limit", r.set_rate_limit),
    AdminRoute("PUT", "action-builds", r.set_action_builds),
    AdminRoute("PUT", "client-scopes/(?P<client_id>.*)", r.set_client_scopes),  # the client id: the rest of the path
)


def find(method: str, path: str) -> tuple[AdminHandler, dict[str, str]] | None:
    """The handler for an admin request and its path parameters, or None."""
    for route in URLS:
        found = route.compiled.fullmatch(path)
        if found and route.method == method:
            return route.handler, found.groupdict()
    return None
