"""Auth0's published Management API scopes per endpoint: the one table every route is checked against.

Source: the scope list on each endpoint's page of Auth0's Management API v2 reference (and the same
`security` entries in Auth0's OpenAPI file). The scopes of a row are alternatives: any one of them passes.
The table comes from Auth0's documentation, never from what our own code happens to call, so a missing
scope fails here the way it fails against a real tenant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
        """The endpoint's name, e.g. `GET /clients/{id}` (what tests and request counts call it)."""
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

# Auth0's field-level read rules for GET /clients and GET /clients/{id}, from the endpoint pages of the
# Management API v2 reference (https://auth0.com/docs/api/management/v2/clients/get-clients and
# .../get-clients-by-id; the same text is the doc comment of List and Get in github.com/auth0/go-auth0/v3
# v3.4.0, management/clients/client/client.go, generated from Auth0's OpenAPI file).
CLIENT_FIELDS_ANY_SCOPE = frozenset({"client_id", "app_type", "name", "description"})
"""'The following can be retrieved with any scope'."""

CLIENT_KEY_FIELDS = frozenset({"client_secret", "encryption_key", "client_authentication_methods", "signing_keys"})
"""'...can only be retrieved with the read:client_keys or read:client_credentials scope' (the docs say
`signing_key`; the field Auth0 returns is `signing_keys`)."""

CLIENT_SETTINGS_FIELDS = frozenset(
    {
        "callbacks", "oidc_logout", "allowed_origins", "web_origins", "tenant", "global", "config_route",
        "callback_url_template", "jwt_configuration", "api_type", "logo_uri", "allowed_clients", "owners",
        "custom_login_page", "custom_login_page_off", "custom_login_page_on", "sso", "addons", "form_template",
        "custom_login_page_codeview", "resource_servers", "client_metadata", "mobile", "allowed_logout_urls",
        "token_endpoint_auth_method", "is_first_party", "oidc_conformant", "is_token_endpoint_ip_header_trusted",
        "initiate_login_uri", "grant_types", "refresh_token", "organization_usage", "organization_require_behavior",
    }
)  # fmt: skip
"""'...can only be retrieved with the read:clients or read:client_keys scope' (nested fields such as
`jwt_configuration.alg` and `refresh_token.rotation_type` follow their parent). The web page spells one
`custom_login_page_off`, the SDK's copy `custom_login_page_on`: both are here."""

CLIENT_KEY_READ_SCOPES = ("read:client_keys", "read:client_credentials")
CLIENT_SETTINGS_READ_SCOPES = ("read:clients", "read:client_keys")


def client_field_read_scopes(name: str) -> tuple[str, ...]:
    """The scopes of which a token needs one to see this top-level client field; () for any scope.

    A field in none of Auth0's three lists (`sso_disabled`, `cross_origin_authentication`, `client_aliases`,
    ...) is treated as a settings field: the docs name only four fields that any scope may read, so this is
    the reading that can never show a caller more than Auth0 would.
    """
    if name in CLIENT_FIELDS_ANY_SCOPE:
        return ()
    if name in CLIENT_KEY_FIELDS:
        return CLIENT_KEY_READ_SCOPES
    return CLIENT_SETTINGS_READ_SCOPES


CONNECTION_FIELD_READ_SCOPES: dict[str, tuple[str, ...]] = {"options": ("read:connections_options",)}
"""Connection fields Auth0 returns only with these scopes: 'In order to return options in the response, the
`read:connections_options` scope must be present' (go-auth0 v3.4.0, management/types.go, ConnectionOptions).
The read paths of client grants, actions, action versions and trigger bindings have no documented
field-level rule: any scope their endpoint accepts returns the whole object."""


def connection_field_read_scopes(name: str) -> tuple[str, ...]:
    """The scopes of which a token needs one to see this connection field; () for any scope."""
    return CONNECTION_FIELD_READ_SCOPES.get(name, ())


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

DEFAULT_BOOTSTRAP_SCOPES: tuple[str, ...] = (
    "create:actions", "create:client_grants", "create:clients", "delete:actions", "delete:client_grants",
    "delete:clients", "read:actions", "read:client_credentials", "read:client_grants", "read:clients",
    "read:connections", "update:actions", "update:client_grants", "update:client_keys", "update:clients",
    "update:connections",
)  # fmt: skip
"""The bootstrap application's scopes unless told otherwise: the README's list, every mode included
(pomerium_auth0 bootstrap_scopes.required_scopes(Feature), sorted)."""

INSPECTOR_SCOPES: tuple[str, ...] = (
    *sorted(
        {scope for endpoint in ENDPOINTS for scope in endpoint.scopes if scope.startswith("read:")}
        | {scope for needed in CONNECTION_FIELD_READ_SCOPES.values() for scope in needed}
    ),
    "update:client_keys",
)
"""Every read scope of the table and the field rules, plus rotation: what tests use to look at the tenant behind
Pulumi's back."""


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
