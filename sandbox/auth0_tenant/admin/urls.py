"""The admin routes' one table: method and path pattern (under `ADMIN_PREFIX`) to handler."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..http_messages import Response
from . import responses as r
from .responses import AdminCall

ADMIN_PREFIX = "/__sandbox/"
ADMIN_HEADER = "X-Sandbox-Admin"

AdminHandler = Callable[[AdminCall], Response]

URLS: dict[tuple[str, str], AdminHandler] = {
    ("GET", "requests"): r.requests,
    ("POST", "clients"): r.add_client,
    ("PUT", "faults"): r.set_faults,
    ("PUT", "rate-limit"): r.set_rate_limit,
    ("PUT", "action-builds"): r.set_action_builds,
    ("PUT", "client-scopes/(?P<client_id>.*)"): r.set_client_scopes,
}
"""Patterns are regular expressions for the whole path after the prefix; a client id is the rest of the path."""

_PATTERNS = [
    (method, re.compile(re.escape(ADMIN_PREFIX) + pattern, re.DOTALL), handler)
    for (method, pattern), handler in URLS.items()
]


def find(method: str, path: str) -> tuple[AdminHandler, dict[str, str]] | None:
    """The handler for an admin request and its path parameters, or None."""
    for wanted, pattern, handler in _PATTERNS:
        found = pattern.fullmatch(path)
        if found and wanted == method:
            return handler, found.groupdict()
    return None
