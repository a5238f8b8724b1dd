"""Applications (Auth0's clients) and their credentials: the state, Auth0's defaults, and its rules for a client body.

A client is an open JSON object, not a fixed record: Auth0's schema has some sixty optional fields, and a
PATCH merges whichever it is sent key by key. Response shapes and defaults follow Auth0's recorded answers
(terraform-provider-auth0 test recordings).
"""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Callable
from typing import Any, NotRequired, TypedDict, cast

from ..exceptions import ApiError, client_not_found, invalid_body
from .base import (
    JSON,
    Model,
    found,
    merge,
    now,
    random_id,
    reject_unknown,
    require_object,
    require_string,
    string_list,
    with_defaults,
)

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

CREDENTIAL_TYPES = frozenset({"public_key", "cert_subject_dn", "x509_cert"})
MAX_CLIENT_METADATA_KEYS = 10
MAX_CLIENT_METADATA_LENGTH = 255


class Credential(TypedDict):
    """One key of a client's credential pool (private_key_jwt, mTLS): Auth0 keeps the key material, answers this."""

    id: str
    name: str
    kid: str
    credential_type: str
    created_at: str
    updated_at: str
    alg: NotRequired[str]
    expires_at: NotRequired[str]
    subject_dn: NotRequired[str]


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


def _client_body(body: Any, *, creating: bool) -> JSON:
    """A POST or PATCH /clients body as Auth0's schema validation lets it through, or its 400."""
    checked = require_object(body)
    reject_unknown(checked, CLIENT_WRITABLE_FIELDS)
    if creating or "name" in checked:
        require_string(checked, "name")
    if creating:
        for key in ("callbacks", "allowed_origins", "web_origins", "allowed_logout_urls", "grant_types"):
            string_list(checked, key)
    _client_metadata(checked)
    return checked


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


class Clients(Model):
    """Every client and its credential pool."""

    def __init__(self, lock: threading.RLock, signing_cert_pem: str) -> None:
        super().__init__(lock)
        self._signing_keys = [{"cert": signing_cert_pem, "subject": "deprecated"}]
        self._clients: dict[str, JSON] = {}
        self._credentials: dict[str, dict[str, Credential]] = {}
        self._on_delete: list[Callable[[str], None]] = []

    def when_deleted(self, forget: Callable[[str], None]) -> None:
        """Have `forget(client_id)` run, in the same locked step, whenever a client is deleted."""
        self._on_delete.append(forget)

    def require(self, client_id: str) -> None:
        """Auth0's 404 unless the client exists: for the other models' rules, under the lock."""
        self._client(client_id)

    def _client(self, client_id: str) -> JSON:
        return found(self._clients, client_id, client_not_found)

    def _render_client(self, stored: JSON) -> JSON:
        rendered = with_defaults(CLIENT_DEFAULTS, stored)
        urls = (rendered.get("oidc_logout") or {}).get("backchannel_logout_urls")
        if urls is not None:
            rendered["oidc_backchannel_logout"] = {"backchannel_logout_urls": copy.deepcopy(urls)}
        rendered["signing_keys"] = copy.deepcopy(self._signing_keys)
        return rendered

    def create_client(self, body: Any) -> JSON:
        """POST /clients: Auth0 generates client_id and (unless given) client_secret."""
        body = _client_body(body, creating=True)

        def create() -> JSON:
            client_id = random_id(32)
            stored = {key: copy.deepcopy(value) for key, value in _client_patch(body).items() if value is not None}
            stored = {"name": stored.pop("name"), "client_id": client_id, **stored}
            stored.setdefault("client_secret", random_id(64))
            stored = with_defaults(_created_client_defaults(body), stored)
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
        body = _client_body(body, creating=False)

        def update() -> JSON:
            stored = self._client(client_id)
            merge(stored, _client_patch(body))
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
        """DELETE /clients/{id}: the client goes, and so do its credentials and what `when_deleted` registered
        (its client grants, its place on connections)."""

        def delete() -> None:
            self._client(client_id)
            del self._clients[client_id]
            del self._credentials[client_id]
            for forget in self._on_delete:
                forget(client_id)

        self._locked(delete)

    def client_secret_matches(self, client_id: str, secret: str) -> bool:
        """Whether these are a live client's credentials (constant-time on the secret)."""
        with self._lock:
            client = self._clients.get(client_id)
            expected = "" if client is None else str(client.get("client_secret", ""))
        return client is not None and secrets.compare_digest(expected.encode(), secret.encode())

    # Client credentials (the key pool behind private_key_jwt and mTLS)

    def _credential_pool(self, client_id: str) -> dict[str, Credential]:
        self._client(client_id)
        return self._credentials[client_id]

    def create_credential(self, client_id: str, body: Any) -> Credential:
        """POST /clients/{id}/credentials: Auth0 keeps the key material and answers with its metadata."""
        body = require_object(body)
        credential_type = require_string(body, "credential_type")
        if credential_type not in CREDENTIAL_TYPES:
            raise invalid_body(f"credential_type must be one of {sorted(CREDENTIAL_TYPES)}")

        def create() -> Credential:
            pool = self._credential_pool(client_id)
            stamp = now()
            credential: Credential = {
                "id": "cred_" + random_id(22),
                "name": body.get("name", ""),
                "kid": random_id(43),
                "credential_type": credential_type,
                "created_at": stamp,
                "updated_at": stamp,
            }
            if credential_type == "public_key":
                credential["alg"] = body.get("alg", "RS256")
            if body.get("expires_at") is not None:
                credential["expires_at"] = body["expires_at"]
            if body.get("subject_dn") is not None:
                credential["subject_dn"] = body["subject_dn"]
            pool[credential["id"]] = credential
            return credential

        return self._locked(create)

    def list_credentials(self, client_id: str) -> list[Credential]:
        """GET /clients/{id}/credentials: a bare array, even with include_totals (as Auth0 answers)."""
        return self._locked(lambda: list(self._credential_pool(client_id).values()))

    def _credential(self, client_id: str, credential_id: str) -> Credential:
        credential = self._credential_pool(client_id).get(credential_id)
        if credential is None:
            raise ApiError(404, "The credential does not exist", "inexistent_credential")
        return credential

    def get_credential(self, client_id: str, credential_id: str) -> Credential:
        """GET /clients/{id}/credentials/{credential_id}."""
        return self._locked(lambda: self._credential(client_id, credential_id))

    def update_credential(self, client_id: str, credential_id: str, body: Any) -> Credential:
        """PATCH /clients/{id}/credentials/{credential_id}: only the expiry can change."""
        body = require_object(body)
        reject_unknown(body, frozenset({"expires_at"}))

        def update() -> Credential:
            credential = self._credential(client_id, credential_id)
            merge(cast(JSON, credential), body)
            credential["updated_at"] = now()
            return credential

        return self._locked(update)

    def delete_credential(self, client_id: str, credential_id: str) -> None:
        """DELETE /clients/{id}/credentials/{credential_id}."""

        def delete() -> None:
            self._credential(client_id, credential_id)
            del self._credentials[client_id][credential_id]

        self._locked(delete)
