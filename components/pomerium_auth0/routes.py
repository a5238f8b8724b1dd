"""Pomerium routes from stack config, checked and rendered into Pomerium's config file.

The default is no routes at all: Pomerium then serves only its authenticate endpoints and
exposes no upstream application until a route (with its policy) is configured.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import yaml

from .errors import InputError

_ROUTE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_UPSTREAM_SCHEMES = ("http", "https", "h2c")
_EXAMPLE = '[{"from": "https://grafana.example.com", "to": "http://grafana.monitoring:3000", "policy": [...]}]'


def _route_error(key: str, index: int, problem: str) -> InputError:
    return InputError(f"{key}[{index}]", problem, f"each route looks like {_EXAMPLE}")


def _check_from(key: str, index: int, value: object) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
        raise _route_error(key, index, f"'from' must be an https:// URL with no path, got {value!r}")


def _check_to(key: str, index: int, value: object) -> None:
    upstreams = value if isinstance(value, list) else [value]
    for upstream in upstreams:
        parts = urlsplit(upstream) if isinstance(upstream, str) else None
        if parts is None or parts.scheme not in _UPSTREAM_SCHEMES or not parts.hostname:
            raise _route_error(key, index, f"'to' must be http://, https:// or h2c:// URL(s), got {upstream!r}")


def check_routes(key: str, value: object) -> list[dict[str, Any]]:
    """A list of Pomerium route mappings with a valid `from` and `to` each."""
    if not isinstance(value, list):
        raise InputError(key, f"must be a list of routes, got {type(value).__name__}", f"set it to e.g. {_EXAMPLE}")
    routes = []
    for index, route in enumerate(value):
        if not isinstance(route, Mapping):
            raise _route_error(key, index, f"must be a mapping, got {type(route).__name__}")
        for field in ("from", "to"):
            if field not in route:
                raise _route_error(key, index, f"is missing '{field}'")
        bad_keys = sorted(str(field) for field in route if not _ROUTE_KEY.match(str(field)))
        if bad_keys:
            raise _route_error(key, index, f"has keys that are not Pomerium route options: {', '.join(bad_keys)}")
        _check_from(key, index, route["from"])
        _check_to(key, index, route["to"])
        routes.append(dict(route))
    return routes


def render_config(routes: list[dict[str, Any]]) -> str:
    """Pomerium's config.yaml: only routes; every other setting arrives through the environment."""
    return yaml.safe_dump({"routes": routes}, sort_keys=False, default_flow_style=False)
