"""Client grants: which client may get a token for which API (audience), with which scopes, and Auth0's rules."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from typing import Any, NotRequired, TypedDict, cast

from ..exceptions import ApiError, grant_not_found, invalid_body
from .base import JSON, Model, found, random_id, reject_unknown, require_object, require_string, string_list
from .clients import Clients

GRANT_FIELDS = frozenset(
    {
        "client_id", "audience", "scope", "allow_all_scopes", "allow_any_organization", "organization_usage",
        "subject_type", "authorization_details_types", "default_for",
    }
)  # fmt: skip
"""What a POST /client-grants may send."""
GRANT_UPDATABLE_FIELDS = GRANT_FIELDS - {"client_id", "audience", "subject_type", "default_for"}
"""What a PATCH /client-grants/{id} may send."""


class ClientGrant(TypedDict):
    """A client grant as Auth0 answers it: `id`, `client_id` and `audience` first, then what was sent."""

    id: str
    client_id: str
    audience: str
    subject_type: str
    scope: NotRequired[list[str]]
    allow_all_scopes: NotRequired[bool]
    allow_any_organization: NotRequired[bool]
    organization_usage: NotRequired[str]
    authorization_details_types: NotRequired[list[Any]]
    default_for: NotRequired[str]


class ClientGrants(Model):
    """Every client grant; a client's grants go with it."""

    def __init__(self, lock: threading.RLock, clients: Clients, apis: Iterable[str]) -> None:
        """`apis` are the identifiers of the tenant's APIs (resource servers): the only audiences a grant may name."""
        super().__init__(lock)
        self._clients = clients
        self._apis = frozenset(apis)
        self._grants: dict[str, ClientGrant] = {}
        clients.when_deleted(self._forget_client)

    def _forget_client(self, client_id: str) -> None:
        for grant_id in [g for g, grant in self._grants.items() if grant["client_id"] == client_id]:
            del self._grants[grant_id]

    def _grant(self, grant_id: str) -> ClientGrant:
        return found(self._grants, grant_id, grant_not_found)

    def create_grant(self, body: Any) -> ClientGrant:
        """POST /client-grants: one grant per (client, audience, subject type), as Auth0 enforces with a 409."""
        body = require_object(body)
        reject_unknown(body, GRANT_FIELDS)
        client_id = require_string(body, "client_id")
        audience = require_string(body, "audience")
        string_list(body, "scope")
        if "scope" not in body and body.get("allow_all_scopes") is not True:
            raise invalid_body("Missing required property: scope")

        def create() -> ClientGrant:
            self._clients.require(client_id)
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
            record: JSON = {"id": "cgr_" + random_id(16), "client_id": client_id, "audience": audience}
            record.update({k: copy.deepcopy(v) for k, v in body.items() if v is not None and k not in record})
            if record.get("allow_all_scopes") is not True:
                record.setdefault("scope", [])
            record["subject_type"] = subject_type
            grant = cast(ClientGrant, record)
            self._grants[grant["id"]] = grant
            return grant

        return self._locked(create)

    def get_grant(self, grant_id: str) -> ClientGrant:
        """GET /client-grants/{id}."""
        return self._locked(lambda: self._grant(grant_id))

    def list_grants(self) -> list[ClientGrant]:
        """Every client grant in creation order, as GET /client-grants pages them."""
        return self._locked(lambda: list(self._grants.values()))

    def update_grant(self, grant_id: str, body: Any) -> ClientGrant:
        """PATCH /client-grants/{id}: listed fields are replaced whole (a new `scope` replaces the old)."""
        body = require_object(body)
        reject_unknown(body, GRANT_UPDATABLE_FIELDS)
        string_list(body, "scope")

        def update() -> ClientGrant:
            grant = self._grant(grant_id)
            record = cast(JSON, grant)
            for key, value in body.items():
                if value is None:
                    record.pop(key, None)
                else:
                    record[key] = copy.deepcopy(value)
            if body.get("allow_all_scopes") is True and "scope" not in body:
                record.pop("scope", None)  # recorded: all scopes allowed leaves no list (TestAccClientGrant #38)
            return grant

        return self._locked(update)

    def delete_grant(self, grant_id: str) -> None:
        """DELETE /client-grants/{id}."""

        def delete() -> None:
            # An unknown or already-deleted grant answers 204 too (TestAccClientGrant's recording, #83 and #85).
            self._grants.pop(grant_id, None)

        self._locked(delete)

    def granted_scopes(self, client_id: str, audience: str) -> tuple[str, ...] | None:
        """The scopes a client's grant for an audience carries, or None when it has no such grant."""
        with self._lock:
            for grant in self._grants.values():
                if grant["client_id"] == client_id and grant["audience"] == audience:
                    return tuple(grant.get("scope", ()))
        return None
