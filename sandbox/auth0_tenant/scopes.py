"""Auth0's published Management API scopes per endpoint: the one table every route is checked against.

Source: the scope list on each endpoint's page of Auth0's Management API v2 reference (and the same
`security` entries in Auth0's OpenAPI file). The scopes of a row are alternatives: any one of them passes.
The table comes from Auth0's documentation, never from what our own code happens to call, so a missing
scope fails here the way it fails against a real tenant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pomerium_auth0.bootstrap_scopes import Feature, required_scopes

API_PREFIX = "/api/v2"


@dataclass(frozen=True)
class Endpoint:
    """One Management API operation: method, path template (`{name}` is one path segment) and its scopes."""

    method: str
    template: str
    scopes: tuple[str, ...]
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        object.__setattr__(self, "pattern", re.compile(f"^{API_PREFIX}{regex}$"))

    @property
    def key(self) -> str:
        """The name a route handler registers under, e.g. `GET /clients/{id}`."""
        return f"{self.method} {self.template}"


_CLIENT_READ = ("read:clients", "read:client_keys", "read:client_credentials", "read:client_summary")
_CLIENT_UPDATE = (
    "update:clients",
    "update:client_keys",
    "update:client_credentials",
    "update:client_token_vault_privileged_access",
)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/clients", _CLIENT_READ),
    Endpoint("POST", "/clients", ("create:clients",)),
    Endpoint("GET", "/clients/{id}", _CLIENT_READ),
    Endpoint("PATCH", "/clients/{id}", _CLIENT_UPDATE),
    Endpoint("DELETE", "/clients/{id}", ("delete:clients",)),
    Endpoint("POST", "/clients/{id}/rotate-secret", ("update:client_keys",)),
    Endpoint("GET", "/clients/{id}/credentials", ("read:client_credentials",)),
    Endpoint("POST", "/clients/{id}/credentials", ("create:client_credentials",)),
    Endpoint("GET", "/clients/{id}/credentials/{credential_id}", ("read:client_credentials",)),
    Endpoint("PATCH", "/clients/{id}/credentials/{credential_id}", ("update:client_credentials",)),
    Endpoint("DELETE", "/clients/{id}/credentials/{credential_id}", ("delete:client_credentials",)),
    Endpoint("GET", "/client-grants", ("read:client_grants",)),
    Endpoint("POST", "/client-grants", ("create:client_grants",)),
    Endpoint("GET", "/client-grants/{id}", ("read:client_grants",)),
    Endpoint("PATCH", "/client-grants/{id}", ("update:client_grants",)),
    Endpoint("DELETE", "/client-grants/{id}", ("delete:client_grants",)),
    Endpoint("GET", "/actions/actions", ("read:actions",)),
    Endpoint("POST", "/actions/actions", ("create:actions",)),
    Endpoint("GET", "/actions/actions/{id}", ("read:actions",)),
    Endpoint("PATCH", "/actions/actions/{id}", ("update:actions",)),
    Endpoint("DELETE", "/actions/actions/{id}", ("delete:actions",)),
    # Deploying needs create:actions, not update:actions (Auth0's post-deploy-action page).
    Endpoint("POST", "/actions/actions/{id}/deploy", ("create:actions",)),
    Endpoint("GET", "/actions/actions/{id}/versions", ("read:actions",)),
    Endpoint("GET", "/actions/actions/{id}/versions/{version_id}", ("read:actions",)),
    # There is no read:triggers/update:triggers scope: bindings use the action scopes.
    Endpoint("GET", "/actions/triggers/{trigger_id}/bindings", ("read:actions",)),
    Endpoint("PATCH", "/actions/triggers/{trigger_id}/bindings", ("update:actions",)),
    Endpoint("GET", "/connections", ("read:connections",)),
    Endpoint("GET", "/connections/{id}", ("read:connections",)),
    Endpoint("GET", "/connections/{id}/clients", ("read:connections",)),
    Endpoint("PATCH", "/connections/{id}/clients", ("update:connections",)),
    Endpoint("GET", "/roles", ("read:roles",)),
    Endpoint("GET", "/roles/{id}/users", ("read:users", "read:roles", "read:role_members")),
    Endpoint("GET", "/users/{id}/roles", ("read:users", "read:roles", "read:role_members")),
)

CLIENT_FIELD_READ_SCOPES: dict[str, tuple[str, ...]] = {
    # "...can only be retrieved with the read:client_keys or read:client_credentials scopes".
    "client_secret": ("read:client_keys", "read:client_credentials"),
    "encryption_key": ("read:client_keys", "read:client_credentials"),
    "client_authentication_methods": ("read:client_keys", "read:client_credentials"),
    "signing_keys": ("read:client_keys", "read:client_credentials"),
    # "...can only be retrieved with the read:clients or read:client_keys scopes".
    "token_endpoint_auth_method": ("read:clients", "read:client_keys"),
}
"""Client fields Auth0 leaves out of a response unless the token has one of these scopes."""

CLIENT_FIELD_WRITE_SCOPES: dict[str, tuple[str, ...]] = {
    "client_secret": ("update:client_keys",),
    "signing_keys": ("update:client_keys",),
    "client_authentication_methods": ("update:client_credentials",),
}
"""Client fields a PATCH may only set with one of these scopes."""

CLIENT_CREATE_FIELD_SCOPES: dict[str, tuple[str, ...]] = {
    "client_authentication_methods": ("create:client_credentials",),
}
"""Client fields a POST /clients may only set with one of these scopes."""

DEFAULT_BOOTSTRAP_SCOPES: tuple[str, ...] = tuple(sorted(required_scopes(Feature)))
"""The bootstrap application's scopes unless told otherwise: the README's list, every mode included."""

INSPECTOR_SCOPES: tuple[str, ...] = (
    *sorted({scope for endpoint in ENDPOINTS for scope in endpoint.scopes if scope.startswith("read:")}),
    "update:client_keys",
)
"""Every read scope in the table, plus rotation: what tests use to look at the tenant behind Pulumi's back."""


def match(method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
    """The endpoint a request targets and its path parameters, or None when Auth0 has no such operation here."""
    for endpoint in ENDPOINTS:
        found = endpoint.pattern.match(path)
        if found and endpoint.method == method:
            return endpoint, found.groupdict()
    return None


def insufficient_scope_message(scopes: tuple[str, ...]) -> str:
    """Auth0's wording for a token that lacks every scope an endpoint accepts."""
    return "Insufficient scope, expected any of: " + ", ".join(scopes)
