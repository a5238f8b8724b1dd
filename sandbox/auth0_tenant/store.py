"""The tenant's state: clients, their credentials, client grants, actions with versions, and trigger bindings.

Every public method takes the one lock and returns deep copies, so concurrent requests (Pulumi creates
resources in parallel) see read-your-writes consistency and never share mutable state with a response.
Response shapes and defaults follow Auth0's recorded answers (terraform-provider-auth0 test recordings).
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .action_builds import BUILT, FAILED, Build, BuildModel
from .exceptions import (
    ApiError,
    action_not_found,
    client_not_found,
    connection_not_found,
    grant_not_found,
    invalid_body,
)

JSON = dict[str, Any]
T = TypeVar("T")

SANDBOX_ROLE_KEY = "sandbox_role"
"""`client_metadata` key that marks the tenant's own bootstrap and inspector clients."""

CLIENT_DEFAULTS: JSON = {
    "is_first_party": True,
    "is_token_endpoint_ip_header_trusted": False,
    "oidc_conformant": False,
    "jwt_configuration": {"secret_encoded": False, "lifetime_in_seconds": 36000},
    "sso_disabled": False,
    "cross_origin_authentication": False,
    "custom_login_page_on": True,
}
"""What Auth0 adds to a client created through the API (recorded answers); all Computed or zero in the provider."""


def _created_client_defaults(body: JSON) -> JSON:
    """The defaults Auth0 fixes at create from the `token_endpoint_auth_method` given then (recorded answers of
    terraform-provider-auth0 v1.57.0): a confidential method given means a year-long refresh token with 30 days
    idle, none given (or `none`) 30 days with 15 idle; a public client (`none`) gets no client_credentials grant.
    Later PATCHes of the method change neither."""
    method = body.get("token_endpoint_auth_method")
    confidential = method is not None and method != "none"
    grant_types = ["authorization_code", "implicit", "refresh_token"] + (
        [] if method == "none" else ["client_credentials"]
    )
    return {
        "grant_types": grant_types,
        "refresh_token": {
            "rotation_type": "non-rotating",
            "expiration_type": "non-expiring",
            "leeway": 0,
            "token_lifetime": 31557600 if confidential else 2592000,
            "infinite_token_lifetime": True,
            "infinite_idle_token_lifetime": True,
            "idle_token_lifetime": 2592000 if confidential else 1296000,
        },
    }


CLIENT_WRITABLE_FIELDS = frozenset(
    {
        "name", "description", "client_secret", "app_type", "logo_uri", "is_first_party",
        "is_token_endpoint_ip_header_trusted", "oidc_conformant", "callbacks", "allowed_origins", "web_origins",
        "client_aliases", "allowed_clients", "allowed_logout_urls", "jwt_configuration", "encryption_key", "sso",
        "sso_disabled", "cross_origin_authentication", "grant_types", "cross_origin_loc", "custom_login_page_on",
        "custom_login_page", "custom_login_page_preview", "form_template", "addons", "token_endpoint_auth_method",
        "client_metadata", "mobile", "initiate_login_uri", "native_social_login", "refresh_token",
        "organization_usage", "organization_require_behavior", "client_authentication_methods",
        "require_pushed_authorization_requests", "oidc_backchannel_logout", "oidc_logout", "signed_request_object",
        "compliance_level", "require_proof_of_possession", "default_organization", "token_exchange", "token_quota",
        "session_transfer", "resource_server_identifier", "skip_non_verifiable_callback_uri_confirmation_prompt",
        "organization_discovery_methods", "b2b_integration_configuration", "async_approval_notification_channels",
        "express_configuration", "my_organization_configuration", "third_party_security_mode",
        "redirection_policy", "fedcm_login", "identity_assertion_authorization_grant",
        "token_vault_privileged_access",
    }
)  # fmt: skip
"""The client fields go-auth0 v1.49.0 can send; Auth0 refuses properties its schema does not know."""

GRANT_FIELDS = frozenset(
    {
        "client_id", "audience", "scope", "allow_all_scopes", "allow_any_organization", "organization_usage",
        "subject_type", "authorization_details_types", "default_for",
    }
)  # fmt: skip
GRANT_UPDATABLE_FIELDS = GRANT_FIELDS - {"client_id", "audience", "subject_type", "default_for"}
ACTION_FIELDS = frozenset(
    {"name", "supported_triggers", "code", "dependencies", "runtime", "secrets", "modules", "deploy"}
)
CREDENTIAL_TYPES = frozenset({"public_key", "cert_subject_dn", "x509_cert"})

TRIGGERS = frozenset(
    {
        "post-login", "credentials-exchange", "pre-user-registration", "post-user-registration",
        "post-change-password", "send-phone-message", "password-reset-post-challenge", "custom-phone-provider",
        "custom-email-provider", "custom-token-exchange", "password-hash-migration", "iga-approval",
        "iga-certification", "iga-fulfillment-assignment", "iga-fulfillment-execution",
    }
)  # fmt: skip
"""Trigger ids Auth0 knows (go-auth0's constants and Auth0's trigger list)."""

_ID_ALPHABET = string.ascii_letters + string.digits


def now() -> str:
    """Auth0's timestamp format: RFC 3339 in UTC with a `Z` (Go's time.Time refuses a naive one)."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def random_id(length: int) -> str:
    """An opaque alphanumeric id like Auth0's client ids."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def seeded_connection_id(name: str) -> str:
    """The id of a seeded connection: the same in every sandbox tenant, so `stacks/Pulumi.sandbox.yaml`
    can list it in `connections`. Auth0 gives each tenant's connections random ids (`con_` and 16
    alphanumerics); these have that shape."""
    digest = hashlib.sha256(name.encode()).digest()
    return "con_" + "".join(_ID_ALPHABET[byte % len(_ID_ALPHABET)] for byte in digest[:16])


def _merge(target: JSON, patch: JSON) -> None:
    """Auth0's PATCH: objects merge key by key, `null` removes a key, anything else replaces it."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _with_defaults(defaults: JSON, stored: JSON) -> JSON:
    """Stored fields over Auth0's defaults, nested objects included."""
    merged = copy.deepcopy(defaults)
    _merge(merged, stored)
    return merged


def _require_object(body: Any) -> JSON:
    if not isinstance(body, dict):
        raise invalid_body("Expected type object but found type " + type(body).__name__)
    return body


def _reject_unknown(body: JSON, allowed: frozenset[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise invalid_body("Additional properties not allowed: " + ",".join(unknown))


def _require_string(body: JSON, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise invalid_body(f"Missing required property: {key}")
    return value


def _string_list(body: JSON, key: str) -> None:
    value = body.get(key)
    if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise invalid_body(f"Expected type array of strings for {key}")


MAX_CLIENT_METADATA_KEYS = 10
MAX_CLIENT_METADATA_LENGTH = 255


def _client_metadata(body: JSON) -> None:
    """Auth0's limits on `client_metadata`: at most 10 keys, string values of at most 255 characters."""
    metadata = body.get("client_metadata")
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise invalid_body("Expected type object for client_metadata")
    if len(metadata) > MAX_CLIENT_METADATA_KEYS:
        raise invalid_body(f"client_metadata: too many properties (max {MAX_CLIENT_METADATA_KEYS})")
    for key, value in metadata.items():
        if value is not None and not (isinstance(value, str) and len(value) <= MAX_CLIENT_METADATA_LENGTH):
            raise invalid_body(f"client_metadata.{key}: expected a string of at most {MAX_CLIENT_METADATA_LENGTH}")


SEEDED_CONNECTIONS: tuple[tuple[str, str, JSON], ...] = (
    (
        "Username-Password-Authentication",
        "auth0",
        {
            "mfa": {"active": True, "return_enroll_settings": True},
            "passwordPolicy": "good",
            "brute_force_protection": True,
            "strategy_version": 2,
            "authentication_methods": {"password": {"enabled": True}, "passkey": {"enabled": False}},
        },
    ),
    ("google-oauth2", "google-oauth2", {"email": True, "profile": True, "scope": ["email", "profile"]}),
)
"""A tenant's usual connections (name, strategy, options in the shape of recorded answers). Like a tenant
whose `enable_client_connections` flag is off, a new client gets none of them: only PATCH
/connections/{id}/clients enables one."""
MAX_ENABLED_CLIENTS_PATCH = 50


def _enabled_clients_patch(body: Any) -> list[tuple[str, bool]]:
    """PATCH /connections/{id}/clients: an array of at most 50 `{client_id, status}`."""
    if not isinstance(body, list) or not 0 < len(body) <= MAX_ENABLED_CLIENTS_PATCH:
        raise invalid_body(f"Expected an array of 1 to {MAX_ENABLED_CLIENTS_PATCH} items")
    changes = []
    for item in body:
        if not (
            isinstance(item, dict)
            and set(item) == {"client_id", "status"}
            and isinstance(item["client_id"], str)
            and isinstance(item["status"], bool)
        ):
            raise invalid_body("Each item needs exactly a string client_id and a boolean status")
        changes.append((item["client_id"], item["status"]))
    return changes


def _client_patch(body: JSON) -> JSON:
    """A client body as Auth0 applies it (recorded answers): `oidc_backchannel_logout` is the older view of
    `oidc_logout.backchannel_logout_urls`, so clearing either clears both, and an empty `initiate_login_uri`
    removes it."""
    patch = dict(body)
    legacy = patch.pop("oidc_backchannel_logout", False)
    if legacy is None:
        patch["oidc_logout"] = None
    elif isinstance(legacy, dict) and "oidc_logout" not in patch:
        patch["oidc_logout"] = {"backchannel_logout_urls": legacy.get("backchannel_logout_urls", [])}
    if patch.get("initiate_login_uri") == "":
        patch["initiate_login_uri"] = None
    return patch


class Store:
    """One tenant's objects, guarded by a single lock."""

    def __init__(self, signing_cert_pem: str, apis: Iterable[str], builds: BuildModel | None = None) -> None:
        """`apis` are the identifiers of the tenant's APIs (resource servers): the only audiences a grant may name."""
        self._lock = threading.RLock()
        self._apis = frozenset(apis)
        self._signing_keys = [{"cert": signing_cert_pem, "subject": "deprecated"}]
        self._clients: dict[str, JSON] = {}
        self._credentials: dict[str, dict[str, JSON]] = {}
        self._grants: dict[str, JSON] = {}
        self._connections: dict[str, JSON] = {}
        for name, strategy, options in SEEDED_CONNECTIONS:
            connection_id = seeded_connection_id(name)
            self._connections[connection_id] = {
                "id": connection_id,
                "options": copy.deepcopy(options),
                "strategy": strategy,
                "name": name,
                "is_domain_connection": False,
                # Recorded on every connection read (terraform-provider-auth0 v1.57.0, TestAccConnectionClients).
                "authentication": {"active": True},
                "connected_accounts": {"active": False},
                "realms": [name],
                "enabled_clients": [],
            }
        self._actions: dict[str, JSON] = {}
        self.builds = builds or BuildModel()
        """How Action builds go; replaced whole to change the plan mid-session."""
        self._builds: dict[str, Build] = {}
        self._versions: dict[str, list[JSON]] = {}
        self._bindings: dict[str, list[JSON]] = {trigger: [] for trigger in TRIGGERS}

    def _locked(self, fn: Callable[[], T]) -> T:
        with self._lock:
            return copy.deepcopy(fn())

    # Clients

    def _client(self, client_id: str) -> JSON:
        client = self._clients.get(client_id)
        if client is None:
            raise client_not_found()
        return client

    def _render_client(self, stored: JSON) -> JSON:
        rendered = _with_defaults(CLIENT_DEFAULTS, stored)
        urls = (rendered.get("oidc_logout") or {}).get("backchannel_logout_urls")
        if urls is not None:
            rendered["oidc_backchannel_logout"] = {"backchannel_logout_urls": copy.deepcopy(urls)}
        rendered["signing_keys"] = copy.deepcopy(self._signing_keys)
        return rendered

    def create_client(self, body: Any) -> JSON:
        """POST /clients: Auth0 generates client_id and (unless given) client_secret."""
        body = _require_object(body)
        _reject_unknown(body, CLIENT_WRITABLE_FIELDS)
        _require_string(body, "name")
        for key in ("callbacks", "allowed_origins", "web_origins", "allowed_logout_urls", "grant_types"):
            _string_list(body, key)
        _client_metadata(body)

        def create() -> JSON:
            client_id = random_id(32)
            stored = {key: copy.deepcopy(value) for key, value in _client_patch(body).items() if value is not None}
            stored = {"name": stored.pop("name"), "client_id": client_id, **stored}
            stored.setdefault("client_secret", random_id(64))
            stored = _with_defaults(_created_client_defaults(body), stored)
            self._clients[client_id] = stored
            self._credentials[client_id] = {}
            return self._render_client(stored)

        return self._locked(create)

    def get_client(self, client_id: str) -> JSON:
        """GET /clients/{id}: the stored fields over Auth0's defaults."""
        return self._locked(lambda: self._render_client(self._client(client_id)))

    def list_clients(self) -> list[JSON]:
        """Every client in creation order, as GET /clients pages them."""
        return self._locked(lambda: [self._render_client(c) for c in self._clients.values()])

    def update_client(self, client_id: str, body: Any) -> JSON:
        """PATCH /clients/{id}: merge, with `null` removing a field."""
        body = _require_object(body)
        _reject_unknown(body, CLIENT_WRITABLE_FIELDS)
        if "name" in body:
            _require_string(body, "name")
        _client_metadata(body)

        def update() -> JSON:
            stored = self._client(client_id)
            _merge(stored, _client_patch(body))
            return self._render_client(stored)

        return self._locked(update)

    def rotate_secret(self, client_id: str) -> JSON:
        """POST /clients/{id}/rotate-secret: a fresh secret, the old one stops working at once."""

        def rotate() -> JSON:
            stored = self._client(client_id)
            stored["client_secret"] = random_id(64)
            return self._render_client(stored)

        return self._locked(rotate)

    def delete_client(self, client_id: str) -> None:
        """DELETE /clients/{id}: the client goes, and so do its credentials and client grants."""

        def delete() -> None:
            self._client(client_id)
            del self._clients[client_id]
            del self._credentials[client_id]
            for grant_id in [g for g, grant in self._grants.items() if grant["client_id"] == client_id]:
                del self._grants[grant_id]
            for connection in self._connections.values():
                if client_id in connection["enabled_clients"]:
                    connection["enabled_clients"].remove(client_id)

        self._locked(delete)

    # Connections

    def _connection(self, connection_id: str) -> JSON:
        connection = self._connections.get(connection_id)
        if connection is None:
            raise connection_not_found()
        return connection

    @staticmethod
    def _render_connection(stored: JSON) -> JSON:
        """A connection as GET /connections shows it (its enabled clients have their own route)."""
        return {key: value for key, value in stored.items() if key != "enabled_clients"}

    def list_connections(self) -> list[JSON]:
        return self._locked(lambda: [self._render_connection(c) for c in self._connections.values()])

    def get_connection(self, connection_id: str) -> JSON:
        return self._locked(lambda: self._render_connection(self._connection(connection_id)))

    def enabled_clients(self, connection_id: str) -> list[JSON]:
        """GET /connections/{id}/clients: the clients the connection is enabled for."""
        return self._locked(lambda: [{"client_id": c} for c in self._connection(connection_id)["enabled_clients"]])

    def update_enabled_clients(self, connection_id: str, body: Any) -> None:
        """PATCH /connections/{id}/clients: enable or disable just the clients listed; others keep theirs."""
        changes = _enabled_clients_patch(body)

        def update() -> None:
            enabled: list[str] = self._connection(connection_id)["enabled_clients"]
            for client_id, status in changes:
                self._client(client_id)
                if status and client_id not in enabled:
                    enabled.append(client_id)
                elif not status and client_id in enabled:
                    enabled.remove(client_id)

        self._locked(update)

    def client_secret_matches(self, client_id: str, secret: str) -> bool:
        """Whether these are a live client's credentials (constant-time on the secret)."""
        with self._lock:
            client = self._clients.get(client_id)
            expected = "" if client is None else str(client.get("client_secret", ""))
        return client is not None and secrets.compare_digest(expected.encode(), secret.encode())

    # Client credentials (the key pool behind private_key_jwt and mTLS)

    def _credential_pool(self, client_id: str) -> dict[str, JSON]:
        self._client(client_id)
        return self._credentials[client_id]

    def create_credential(self, client_id: str, body: Any) -> JSON:
        """POST /clients/{id}/credentials: Auth0 keeps the key material and answers with its metadata."""
        body = _require_object(body)
        credential_type = _require_string(body, "credential_type")
        if credential_type not in CREDENTIAL_TYPES:
            raise invalid_body(f"credential_type must be one of {sorted(CREDENTIAL_TYPES)}")

        def create() -> JSON:
            pool = self._credential_pool(client_id)
            stamp = now()
            credential: JSON = {
                "id": "cred_" + random_id(22),
                "name": body.get("name", ""),
                "kid": random_id(43),
                "credential_type": credential_type,
                "created_at": stamp,
                "updated_at": stamp,
            }
            if credential_type == "public_key":
                credential["alg"] = body.get("alg", "RS256")
            for key in ("expires_at", "subject_dn"):
                if body.get(key) is not None:
                    credential[key] = body[key]
            pool[credential["id"]] = credential
            return credential

        return self._locked(create)

    def list_credentials(self, client_id: str) -> list[JSON]:
        """GET /clients/{id}/credentials: a bare array, even with include_totals (as Auth0 answers)."""
        return self._locked(lambda: list(self._credential_pool(client_id).values()))

    def _credential(self, client_id: str, credential_id: str) -> JSON:
        credential = self._credential_pool(client_id).get(credential_id)
        if credential is None:
            raise ApiError(404, "The credential does not exist", "inexistent_credential")
        return credential

    def get_credential(self, client_id: str, credential_id: str) -> JSON:
        """GET /clients/{id}/credentials/{credential_id}."""
        return self._locked(lambda: self._credential(client_id, credential_id))

    def update_credential(self, client_id: str, credential_id: str, body: Any) -> JSON:
        """PATCH /clients/{id}/credentials/{credential_id}: only the expiry can change."""
        body = _require_object(body)
        _reject_unknown(body, frozenset({"expires_at"}))

        def update() -> JSON:
            credential = self._credential(client_id, credential_id)
            _merge(credential, body)
            credential["updated_at"] = now()
            return credential

        return self._locked(update)

    def delete_credential(self, client_id: str, credential_id: str) -> None:
        """DELETE /clients/{id}/credentials/{credential_id}."""

        def delete() -> None:
            self._credential(client_id, credential_id)
            del self._credentials[client_id][credential_id]

        self._locked(delete)

    # Client grants

    def _grant(self, grant_id: str) -> JSON:
        grant = self._grants.get(grant_id)
        if grant is None:
            raise grant_not_found()
        return grant

    def create_grant(self, body: Any) -> JSON:
        """POST /client-grants: one grant per (client, audience, subject type), as Auth0 enforces with a 409."""
        body = _require_object(body)
        _reject_unknown(body, GRANT_FIELDS)
        client_id = _require_string(body, "client_id")
        audience = _require_string(body, "audience")
        _string_list(body, "scope")
        if "scope" not in body and body.get("allow_all_scopes") is not True:
            raise invalid_body("Missing required property: scope")

        def create() -> JSON:
            self._client(client_id)
            if audience not in self._apis:
                # Auth0's answer, as auth0/auth0-deploy-cli#29 quotes it; its errorCode is not known.
                raise ApiError(404, f"No resource with identifier {audience}")
            subject_type = body.get("subject_type") or "client"
            for grant in self._grants.values():
                if (grant["client_id"], grant["audience"], grant["subject_type"]) == (
                    client_id,
                    audience,
                    subject_type,
                ):
                    raise ApiError(409, "A client grant for this client, audience and subject type already exists.")
            grant = {"id": "cgr_" + random_id(16), "client_id": client_id, "audience": audience}
            grant.update({k: copy.deepcopy(v) for k, v in body.items() if v is not None and k not in grant})
            if grant.get("allow_all_scopes") is not True:
                grant.setdefault("scope", [])
            grant["subject_type"] = subject_type
            self._grants[grant["id"]] = grant
            return grant

        return self._locked(create)

    def get_grant(self, grant_id: str) -> JSON:
        """GET /client-grants/{id}."""
        return self._locked(lambda: self._grant(grant_id))

    def list_grants(self) -> list[JSON]:
        """Every client grant in creation order, as GET /client-grants pages them."""
        return self._locked(lambda: list(self._grants.values()))

    def update_grant(self, grant_id: str, body: Any) -> JSON:
        """PATCH /client-grants/{id}: listed fields are replaced whole (a new `scope` replaces the old)."""
        body = _require_object(body)
        _reject_unknown(body, GRANT_UPDATABLE_FIELDS)
        _string_list(body, "scope")

        def update() -> JSON:
            grant = self._grant(grant_id)
            for key, value in body.items():
                if value is None:
                    grant.pop(key, None)
                else:
                    grant[key] = copy.deepcopy(value)
            if body.get("allow_all_scopes") is True and "scope" not in body:
                grant.pop("scope", None)  # recorded: all scopes allowed leaves no list (TestAccClientGrant #38)
            return grant

        return self._locked(update)

    def delete_grant(self, grant_id: str) -> None:
        """DELETE /client-grants/{id}."""

        def delete() -> None:
            # An unknown or already-deleted grant answers 204 too (TestAccClientGrant's recording, #83 and #85).
            self._grants.pop(grant_id, None)

        self._locked(delete)

    def seed_machine_client(self, role: str, audience: str, scopes: Iterable[str]) -> tuple[str, str]:
        """A machine-to-machine client with a Management API grant, marked as the sandbox's own."""
        client = self.create_client(
            {
                "name": f"sandbox-{role}",
                "description": "Created by the sandbox tenant",
                "app_type": "non_interactive",
                "grant_types": ["client_credentials"],
                "token_endpoint_auth_method": "client_secret_post",
                "client_metadata": {SANDBOX_ROLE_KEY: role},
            }
        )
        self.create_grant({"client_id": client["client_id"], "audience": audience, "scope": list(scopes)})
        return client["client_id"], client["client_secret"]

    def granted_scopes(self, client_id: str, audience: str) -> tuple[str, ...] | None:
        """The scopes a client's grant for an audience carries, or None when it has no such grant."""
        with self._lock:
            for grant in self._grants.values():
                if grant["client_id"] == client_id and grant["audience"] == audience:
                    return tuple(grant.get("scope", ()))
        return None

    # Actions

    def _action(self, action_id: str) -> JSON:
        action = self._actions.get(action_id)
        if action is None:
            raise action_not_found()
        return action

    def _render_version(self, version: JSON) -> JSON:
        rendered = {k: copy.deepcopy(v) for k, v in version.items() if k != "action_id"}
        rendered["secrets"] = [{k: v for k, v in s.items() if k != "value"} for s in version["secrets"]]
        return rendered

    def _render_action(self, action: JSON) -> JSON:
        rendered = {k: copy.deepcopy(v) for k, v in action.items() if not k.endswith("_version_id")}
        rendered["secrets"] = [{k: v for k, v in s.items() if k != "value"} for s in action["secrets"]]
        versions = {v["id"]: v for v in self._versions[action["id"]]}
        if action.get("current_version_id") in versions:
            current = versions[action["current_version_id"]]
            rendered["current_version"] = {
                "id": current["id"],
                "code": current["code"],
                "runtime": current["runtime"],
                "status": "BUILT",
                "number": current["number"],
                "build_time": current["built_at"],
                "created_at": current["created_at"],
                "updated_at": current["updated_at"],
            }
        if action.get("deployed_version_id") in versions:
            rendered["deployed_version"] = self._render_version(versions[action["deployed_version_id"]])
        return rendered

    @staticmethod
    def _validated_action_body(body: Any, *, creating: bool) -> JSON:
        checked = _require_object(body)
        _reject_unknown(checked, ACTION_FIELDS)
        if creating:
            _require_string(checked, "name")
            if not checked.get("supported_triggers"):
                raise invalid_body("Missing required property: supported_triggers")
        triggers = checked.get("supported_triggers", [])
        if not isinstance(triggers, list) or not all(
            isinstance(t, dict) and isinstance(t.get("id"), str) and isinstance(t.get("version"), str) for t in triggers
        ):
            raise invalid_body("supported_triggers must be an array of {id, version}")
        unknown = sorted({t["id"] for t in triggers} - TRIGGERS)
        if unknown:
            raise invalid_body("unknown trigger: " + ",".join(unknown))
        secrets_ = checked.get("secrets", [])
        if not isinstance(secrets_, list) or not all(
            isinstance(s, dict) and isinstance(s.get("name"), str) for s in secrets_
        ):
            raise invalid_body("secrets must be an array of {name, value}")
        return checked

    @staticmethod
    def _apply_action_body(action: JSON, body: JSON, stamp: str) -> None:
        for key in ("name", "supported_triggers", "code", "dependencies", "runtime", "modules"):
            if body.get(key) is not None:
                action[key] = copy.deepcopy(body[key])
        if body.get("secrets") is not None:
            # Auth0 keeps the secrets it had in their order and appends new ones (recorded answers).
            before = [s["name"] for s in action.get("secrets", [])]
            given = sorted(
                body["secrets"], key=lambda s: before.index(s["name"]) if s["name"] in before else len(before)
            )
            action["secrets"] = [{"name": s["name"], "value": s.get("value", ""), "updated_at": stamp} for s in given]
        action["status"] = "pending"
        action["all_changes_deployed"] = False
        action["updated_at"] = stamp

    def create_action(self, body: Any) -> JSON:
        """POST /actions/actions: the answer says `pending`; later reads follow the build (see action_builds)."""
        body = self._validated_action_body(body, creating=True)

        def create() -> JSON:
            stamp = now()
            action: JSON = {
                "id": str(uuid.uuid4()),
                "name": body["name"],
                "supported_triggers": [],
                "created_at": stamp,
                "updated_at": stamp,
                "code": "",
                "dependencies": [],
                "runtime": "node22",
                "secrets": [],
            }
            self._apply_action_body(action, body, stamp)
            self._builds[action["id"]] = self.builds.start()
            self._actions[action["id"]] = action
            self._versions[action["id"]] = []
            return self._render_action(action)

        return self._locked(create)

    def _finish_build(self, action: JSON) -> None:
        """Bring the status up to the time of this read; a build that has ended is forgotten."""
        build = self._builds.get(action["id"])
        if build is None:
            return
        action["status"] = build.status(time.monotonic())
        if action["status"] in (BUILT, FAILED):
            del self._builds[action["id"]]
        if action["status"] == BUILT:
            action["built_at"] = now()

    def get_action(self, action_id: str) -> JSON:
        """GET /actions/actions/{id}, with the build's status at the time of the read."""

        def read() -> JSON:
            action = self._action(action_id)
            self._finish_build(action)
            return self._render_action(action)

        return self._locked(read)

    def list_actions(self) -> list[JSON]:
        """Every action in creation order."""

        def read() -> list[JSON]:
            for action in self._actions.values():
                self._finish_build(action)
            return [self._render_action(a) for a in self._actions.values()]

        return self._locked(read)

    def update_action(self, action_id: str, body: Any) -> JSON:
        """PATCH /actions/actions/{id}: the draft changes and must be built (and deployed) again."""
        body = self._validated_action_body(body, creating=False)

        def update() -> JSON:
            action = self._action(action_id)
            self._apply_action_body(action, body, now())
            self._builds[action_id] = self.builds.start()
            return self._render_action(action)

        return self._locked(update)

    def deploy_action(self, action_id: str) -> JSON:
        """POST /actions/actions/{id}/deploy: a new immutable version, live from the next read on.

        The answer says `deployed: false`, as Auth0's does (deployment is asynchronous there); the action's
        `deployed_version` reads `deployed: true` right after, so the provider's wait ends on its first poll.
        """

        def deploy() -> JSON:
            action = self._action(action_id)
            self._finish_build(action)
            stamp = now()
            versions = self._versions[action_id]
            version: JSON = {
                "id": str(uuid.uuid4()),
                "action_id": action_id,
                "code": action["code"],
                "dependencies": copy.deepcopy(action["dependencies"]),
                "deployed": False,
                "number": len(versions) + 1,
                "secrets": copy.deepcopy(action["secrets"]),
                "status": "built",
                "built_at": stamp,
                "created_at": stamp,
                "updated_at": stamp,
                "runtime": action["runtime"],
                "supported_triggers": copy.deepcopy(action["supported_triggers"]),
            }
            answer = self._render_version(version)
            answer["action"] = {
                key: copy.deepcopy(action[key]) for key in ("id", "name", "supported_triggers", "created_at")
            } | {"updated_at": action["created_at"], "all_changes_deployed": False}
            for earlier in versions:
                earlier["deployed"] = False
            version["deployed"] = True
            versions.append(version)
            action["current_version_id"] = action["deployed_version_id"] = version["id"]
            action["all_changes_deployed"] = True
            return answer

        return self._locked(deploy)

    def list_versions(self, action_id: str) -> list[JSON]:
        """GET /actions/actions/{id}/versions: newest first, as Auth0 lists them."""
        return self._locked(
            lambda: [self._render_version(v) for v in reversed(self._versions[self._action(action_id)["id"]])]
        )

    def get_version(self, action_id: str, version_id: str) -> JSON:
        """GET /actions/actions/{id}/versions/{version_id}."""

        def read() -> JSON:
            for version in self._versions[self._action(action_id)["id"]]:
                if version["id"] == version_id:
                    return self._render_version(version)
            raise ApiError(404, "That action version does not exist.")

        return self._locked(read)

    def delete_action(self, action_id: str, *, force: bool) -> None:
        """DELETE /actions/actions/{id}: Auth0 refuses (409) while the action is bound, unless `force=true`."""

        def delete() -> None:
            self._action(action_id)
            bound = any(b["action_id"] == action_id for bs in self._bindings.values() for b in bs)
            if bound and not force:
                raise ApiError(409, "Unable to delete an action bound to a trigger.")
            for trigger, bindings in self._bindings.items():
                self._bindings[trigger] = [b for b in bindings if b["action_id"] != action_id]
            del self._actions[action_id]
            self._builds.pop(action_id, None)
            del self._versions[action_id]

        self._locked(delete)

    # Trigger bindings

    def _trigger(self, trigger_id: str) -> list[JSON]:
        bindings = self._bindings.get(trigger_id)
        if bindings is None:
            raise ApiError(404, f"Trigger {trigger_id} does not exist.")
        return bindings

    def _render_binding(self, binding: JSON) -> JSON:
        rendered = {k: v for k, v in binding.items() if k != "action_id"}
        rendered["action"] = self._render_action(self._actions[binding["action_id"]])
        del rendered["action"]["code"]
        return rendered

    def list_bindings(self, trigger_id: str) -> list[JSON]:
        """GET /actions/triggers/{trigger_id}/bindings; each embeds its action, whose `id` the provider matches on."""
        return self._locked(lambda: [self._render_binding(b) for b in self._trigger(trigger_id)])

    def _resolve_ref(self, trigger_id: str, ref: Any) -> JSON:
        if not isinstance(ref, dict) or ref.get("type") not in ("action_id", "action_name"):
            raise invalid_body("ref must be {type: action_id|action_name, value}")
        key = "id" if ref["type"] == "action_id" else "name"
        action = next((a for a in self._actions.values() if a[key] == ref.get("value")), None)
        if action is None:
            raise action_not_found()
        if trigger_id not in {t["id"] for t in action["supported_triggers"]}:
            raise ApiError(400, f"Action {action['name']} does not support the {trigger_id} trigger.")
        if action.get("deployed_version_id") is None:
            raise ApiError(400, f"Action {action['name']} has not been deployed yet.")
        return action

    def replace_bindings(self, trigger_id: str, body: Any) -> list[JSON]:
        """PATCH /actions/triggers/{trigger_id}/bindings: the list replaces the old one whole, with fresh ids."""
        body = _require_object(body)
        entries = body.get("bindings")
        if not isinstance(entries, list):
            raise invalid_body("Missing required property: bindings")

        def replace() -> list[JSON]:
            self._trigger(trigger_id)
            stamp = now()
            fresh = []
            for entry in entries:
                action = self._resolve_ref(trigger_id, _require_object(entry).get("ref"))
                fresh.append(
                    {
                        "id": str(uuid.uuid4()),
                        "trigger_id": trigger_id,
                        "action_id": action["id"],
                        "created_at": stamp,
                        "updated_at": stamp,
                        "display_name": entry.get("display_name") or action["name"],
                    }
                )
            self._bindings[trigger_id] = fresh
            return [self._render_binding(b) for b in fresh]

        return self._locked(replace)

    def deployed_code(self, trigger_id: str) -> list[tuple[str, str, dict[str, str]]]:
        """(name, code, secret values) of each bound action's deployed version, in binding order: what runs."""

        def read() -> list[tuple[str, str, dict[str, str]]]:
            answer = []
            for binding in self._trigger(trigger_id):
                action = self._actions[binding["action_id"]]
                version = next(v for v in self._versions[action["id"]] if v["id"] == action["deployed_version_id"])
                answer.append((action["name"], version["code"], {s["name"]: s["value"] for s in version["secrets"]}))
            return answer

        return self._locked(read)
