"""Pomerium routes from stack config, checked and rendered into Pomerium's config file.

The default is no routes at all: Pomerium then serves only its authenticate endpoints and
exposes no upstream application until a route (with its policy) is configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlsplit

import yaml

from ..inputs.input_errors import InputError, raise_all
from .policy_language import Deployment, policy_problems, route_option_problems

_UPSTREAM_SCHEMES = ("http", "https", "h2c")
_EXAMPLE = '[{"from": "https://grafana.example.com", "to": "http://grafana.monitoring:3000", "policy": [...]}]'


def _route_error(key: str, index: int, problem: str) -> InputError:
    return InputError(f"{key}[{index}]", problem, f"each route looks like {_EXAMPLE}")


def _from_problem(value: object) -> str | None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/"):
        return f"'from' must be an https:// URL with no path, got {value!r}"
    return None


def _to_problem(value: object) -> str | None:
    upstreams = value if isinstance(value, list) else [value]
    for upstream in upstreams:
        parts = urlsplit(upstream) if isinstance(upstream, str) else None
        if parts is None or parts.scheme not in _UPSTREAM_SCHEMES or not parts.hostname:
            return f"'to' must be http://, https:// or h2c:// URL(s), got {upstream!r}"
    return None


def _errors_of_route(
    key: str, index: int, route: Mapping[object, object], deployment: Deployment | None
) -> list[InputError]:
    errors = [_route_error(key, index, f"is missing '{field}'") for field in ("from", "to") if field not in route]
    checks = (("from", _from_problem), ("to", _to_problem))
    errors += [
        _route_error(key, index, problem)
        for field, check in checks
        if field in route and (problem := check(route[field])) is not None
    ]
    problems = route_option_problems(route)
    if "policy" in route:
        problems += policy_problems(route["policy"], deployment)
    return errors + [InputError(f"{key}[{index}].{problem.path}", problem.problem, problem.fix) for problem in problems]


def route_errors(key: str, value: object, deployment: Deployment | None = None) -> list[InputError]:
    """Every problem of a list of Pomerium routes: `from`, `to`, the route options and each `policy`.

    With a `deployment`, policies are also held to the groups claim and directory sync it has.
    """
    if not isinstance(value, list):
        return [InputError(key, f"must be a list of routes, got {type(value).__name__}", f"set it to e.g. {_EXAMPLE}")]
    errors = []
    for index, route in enumerate(value):
        if isinstance(route, Mapping):
            errors += _errors_of_route(key, index, route, deployment)
        else:
            errors.append(_route_error(key, index, f"must be a mapping, got {type(route).__name__}"))
    return errors


def check_routes(key: str, value: object, deployment: Deployment | None = None) -> list[dict[str, Any]]:
    """The routes, as plain mappings, once :func:`route_errors` finds nothing; else every error at once."""
    raise_all(route_errors(key, value, deployment))
    return [dict(route) for route in cast("list[Mapping[str, Any]]", value)]


def render_config(routes: list[dict[str, Any]]) -> str:
    """Pomerium's config.yaml: only routes; every other setting arrives through the environment."""
    return yaml.safe_dump({"routes": routes}, sort_keys=False, default_flow_style=False)
