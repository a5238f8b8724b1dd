"""`Request` and `Response`: what the HTTP server reads off the wire and what it writes back.

Every handler of the three APIs (Management, Authentication, admin) takes the one and returns the other,
so none of them depends on the HTTP server, or on the dispatcher that picks the handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    """What the HTTP layer read off the wire."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


@dataclass
class Response:
    """What to send back; `body=None` sends no body (204), `bytes` go as they are, anything else as JSON."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
