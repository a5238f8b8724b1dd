"""Connections (where users sign in) and which clients each is enabled for: the seeded ones, read and enabled."""

from __future__ import annotations

import copy
import threading
from typing import Any, TypedDict

from ..exceptions import connection_not_found, invalid_body
from .base import JSON, Model, found
from .clients import Clients
from .seeds import SEEDED_CONNECTIONS, seeded_connection_id

MAX_ENABLED_CLIENTS_PATCH = 50


class Connection(TypedDict):
    """A connection as stored: what GET /connections answers, in that order, and its enabled clients."""

    id: str
    options: JSON
    strategy: str
    name: str
    is_domain_connection: bool
    authentication: JSON
    connected_accounts: JSON
    realms: list[str]
    enabled_clients: list[str]


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


class Connections(Model):
    """The tenant's connections (`seeds.SEEDED_CONNECTIONS`); a deleted client is enabled on none of them."""

    def __init__(self, lock: threading.RLock, clients: Clients) -> None:
        super().__init__(lock)
        self._clients = clients
        self._connections: dict[str, Connection] = {}
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
        clients.when_deleted(self._forget_client)

    def _forget_client(self, client_id: str) -> None:
        for connection in self._connections.values():
            if client_id in connection["enabled_clients"]:
                connection["enabled_clients"].remove(client_id)

    def _connection(self, connection_id: str) -> Connection:
        return found(self._connections, connection_id, connection_not_found)

    @staticmethod
    def _render_connection(stored: Connection) -> JSON:
        """A connection as GET /connections shows it (its enabled clients have their own route)."""
        return {key: value for key, value in stored.items() if key != "enabled_clients"}

    def list_connections(self) -> list[JSON]:
        """GET /connections: every connection, in the order they were made."""
        return self._locked(lambda: [self._render_connection(c) for c in self._connections.values()])

    def get_connection(self, connection_id: str) -> JSON:
        """GET /connections/{id}."""
        return self._locked(lambda: self._render_connection(self._connection(connection_id)))

    def enabled_clients(self, connection_id: str) -> list[JSON]:
        """GET /connections/{id}/clients: the clients the connection is enabled for."""
        return self._locked(lambda: [{"client_id": c} for c in self._connection(connection_id)["enabled_clients"]])

    def update_enabled_clients(self, connection_id: str, body: Any) -> None:
        """PATCH /connections/{id}/clients: enable or disable just the clients listed; others keep theirs."""
        changes = _enabled_clients_patch(body)

        def update() -> None:
            enabled = self._connection(connection_id)["enabled_clients"]
            for client_id, status in changes:
                self._clients.require(client_id)
                if status and client_id not in enabled:
                    enabled.append(client_id)
                elif not status and client_id in enabled:
                    enabled.remove(client_id)

        self._locked(update)
