"""One tenant's whole state, by resource: the backend every API calls (moto's `<Service>Backend`)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ..action_builds import BuildModel
from .actions import Actions
from .client_grants import ClientGrants
from .clients import Clients
from .connections import Connections
from .directory import Directory
from .logins import Logins
from .seeds import machine_client_body
from .tokens import ManagementTokens


class Tenant:
    """Clients, grants, connections and Actions behind one lock (their rules cross: a client's grants go with
    it), users and roles, Management API tokens, and sign-ins."""

    def __init__(self, signing_cert_pem: str, audience: str, builds: BuildModel | None = None) -> None:
        """`signing_cert_pem` is the certificate every client shows as its `signing_keys`; `audience` the
        Management API's identifier, the tenant's one API (the only audience a client grant may name)."""
        lock = threading.RLock()
        self.audience = audience
        self.clients = Clients(lock, signing_cert_pem)
        self.grants = ClientGrants(lock, self.clients, apis=(audience,))
        self.connections = Connections(lock, self.clients)
        self.actions = Actions(lock, builds)
        self.directory = Directory(self.connections)
        self.tokens = ManagementTokens()
        self.logins = Logins()

    def seed_machine_client(self, role: str, scopes: Iterable[str]) -> tuple[str, str]:
        """A machine-to-machine client with a Management API grant, marked as the sandbox's own."""
        client = self.clients.create_client(machine_client_body(role))
        self.grants.create_grant({"client_id": client["client_id"], "audience": self.audience, "scope": list(scopes)})
        return client["client_id"], client["client_secret"]
