"""Pomerium routes as the Pomerium Ingress Controller takes them: one Ingress object per route.

The controller (v0.33.1) reads a route's host and path from the Ingress rule, its upstream from the
rule's Service backend, and every other route option from an `ingress.pomerium.io/<option>`
annotation whose value it parses as YAML. An Ingress backend can only name a Service in the
Ingress's own namespace, so each Ingress goes where its Service is. The controller reaches an
upstream outside the cluster only through a Service of type ExternalName.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..inputs.input_errors import InputError
from .policy_language import Deployment
from .pomerium_routes import check_routes

ANNOTATION_PREFIX = "ingress.pomerium.io"
SECURE_UPSTREAM = "secure_upstream"
"""The annotation that makes the controller speak TLS to the Service (a `to` of https://)."""

ANNOTATED_OPTIONS = frozenset(
    {
        *("allow_any_authenticated_user", "allow_public_unauthenticated_access", "allow_spdy", "allow_upgrades"),
        *("allow_websockets", "bearer_token_format", "circuit_breaker_thresholds", "cors_allow_preflight"),
        *("depends_on", "description", "enable_google_cloud_serverless_authentication", "health_checks"),
        *("healthy_panic_threshold", "host_path_regex_rewrite_pattern", "host_path_regex_rewrite_substitution"),
        *("host_rewrite_header", "host_rewrite", "idle_timeout", "idp_access_token_allowed_audiences"),
        *("load_balancing_policy", "logo_url", "name", "outlier_detection", "pass_identity_headers"),
        *("prefix_rewrite", "preserve_host_header", "regex_rewrite_pattern", "regex_rewrite_substitution"),
        *("remove_request_headers", "rewrite_response_headers", "set_request_headers", "set_response_headers"),
        *("timeout", "tls_server_name", "tls_skip_verify"),
        *("allowed_domains", "allowed_idp_claims", "allowed_users", "policy"),
    }
)
"""Route options the controller v0.33.1 reads from annotations with a plain value (its `baseAnnotations`
and `policyAnnotations`). Options that name a Secret, and `allowed_groups` (which it refuses), are
left out: a route with them gets a preview error instead of an Ingress the controller rejects."""

PATH_OPTIONS = {"prefix": "Prefix", "path": "Exact"}
"""Route options that become the Ingress rule's path, with its pathType."""

_IN_CLUSTER_SUFFIX = re.compile(r"^svc(\.[a-z0-9-]+)*$")
_EXAMPLE_TO = "http://grafana.monitoring:3000 or http://grafana.monitoring.svc.cluster.local:3000"


@dataclass(frozen=True)
class IngressRoute:
    """One route, as the parts of the Ingress object that carries it."""

    host: str
    path: str
    path_type: str
    service: str
    namespace: str | None
    """The Service's namespace; None when `to` names only the Service (the component's namespace)."""
    port: int
    annotations: dict[str, str]

    @property
    def object_name(self) -> str:
        """The Ingress's name: its host, plus the path when there is one, so each route has its own."""
        path = re.sub(r"[^a-z0-9]+", "-", self.path.lower()).strip("-")
        return f"{self.host}-{path}" if path else self.host


def _error(key: str, index: int, problem: str, fix: str) -> InputError:
    return InputError(f"{key}[{index}]", problem, fix)


def _annotation_value(value: object) -> str:
    """The option's value as YAML text that the controller parses back to the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if yaml.safe_load(value) == value else json.dumps(value)
    if isinstance(value, (list, dict)):
        return yaml.safe_dump(value, sort_keys=False, default_flow_style=False)
    return json.dumps(value)


def _backend(key: str, index: int, to: object) -> tuple[str, str | None, int, bool]:
    """(Service, namespace or None, port, TLS) from a `to` that names an in-cluster Service."""
    if isinstance(to, list):
        if len(to) != 1:
            raise _error(
                key,
                index,
                f"has {len(to)} upstreams in 'to'; an Ingress rule has exactly one Service backend",
                "give one Service in 'to' (the Service load-balances across its pods)",
            )
        to = to[0]
    parts = urlsplit(str(to))
    if parts.scheme == "h2c":
        raise _error(
            key,
            index,
            f"'to' {to!r} uses h2c://, which the ingress controller does not offer for Ingress backends",
            "use http:// (or https:// for TLS to the Service)",
        )
    labels = (parts.hostname or "").split(".")
    if len(labels) > 2 and not _IN_CLUSTER_SUFFIX.match(".".join(labels[2:])):
        raise _error(
            key,
            index,
            f"'to' {to!r} is not an in-cluster Service; the ingress controller routes only to Services",
            f"name a Service, e.g. {_EXAMPLE_TO}; for an upstream outside the cluster create a Service of "
            "type ExternalName for it and name that Service",
        )
    if parts.path not in ("", "/") or parts.query:
        raise _error(
            key,
            index,
            f"'to' {to!r} has a path or query, which an Ingress backend cannot carry",
            "drop it from 'to'; use the prefix_rewrite option to rewrite the path",
        )
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    return labels[0], labels[1] if len(labels) > 1 else None, port, secure


def _path(key: str, index: int, route: dict[str, Any]) -> tuple[str, str]:
    given = [option for option in PATH_OPTIONS if option in route]
    if len(given) > 1:
        raise _error(key, index, "sets both 'prefix' and 'path'", "keep one: prefix (a path prefix) or path (exact)")
    if not given:
        return "/", "Prefix"
    value = route[given[0]]
    if not isinstance(value, str) or not value.startswith("/"):
        raise _error(key, index, f"'{given[0]}' must be a path starting with '/', got {value!r}", "e.g. /api")
    return value, PATH_OPTIONS[given[0]]


def ingress_routes(key: str, routes: list[dict[str, Any]]) -> list[IngressRoute]:
    """Routes that `check_routes` passed, translated for the controller, or an error naming the route."""
    translated: list[IngressRoute] = []
    for index, route in enumerate(routes):
        unsupported = sorted(
            option for option in route if option not in ("from", "to", *PATH_OPTIONS, *ANNOTATED_OPTIONS)
        )
        if unsupported:
            raise _error(
                key,
                index,
                f"sets {', '.join(unsupported)}, which the ingress controller does not read from an Ingress annotation",
                "remove it; a Secret-backed option is an annotation you add to the Service's own Ingress, and "
                "allowed_groups needs a policy on the groups claim instead",
            )
        service, namespace, port, secure = _backend(key, index, route["to"])
        path, path_type = _path(key, index, route)
        annotations = {
            f"{ANNOTATION_PREFIX}/{option}": _annotation_value(route[option])
            for option in sorted(route)
            if option in ANNOTATED_OPTIONS
        }
        if secure:
            annotations[f"{ANNOTATION_PREFIX}/{SECURE_UPSTREAM}"] = "true"
        translated.append(
            IngressRoute(
                host=str(urlsplit(route["from"]).hostname),
                path=path,
                path_type=path_type,
                service=service,
                namespace=namespace,
                port=port,
                annotations=annotations,
            )
        )
    names = [(route.namespace, route.object_name) for route in translated]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise _error(
                key,
                index,
                f"has the same host and path as route {names.index(name)}",
                "merge the two routes, or give one a different 'prefix'",
            )
    return translated


def check_ingress_routes(key: str, value: object, deployment: Deployment | None = None) -> list[dict[str, Any]]:
    """Routes the controller can carry, as given: the check of the `routes` argument (see `check_routes`).

    The argument stays the routes themselves, so the stack config can hand the component what it
    checked; the component translates them (`ingress_routes`) where it creates the Ingress objects.
    """
    routes = check_routes(key, value, deployment)
    ingress_routes(key, routes)
    return routes
