"""The connections users log in with, enabled for the Pomerium application alone, on the real engine.

The sandbox tenant is like one whose `enable_client_connections` flag is off: a new application gets
no connection, so without `connections` nobody could log in. Another application is enabled on the
same connection beforehand and must keep it through every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pomerium_auth0.domain.groups_claim import CLAIM_METADATA_KEY

from e2e.conftest import Sandbox, Stack, StackFactory
from sandbox.tenant_client import TenantClient


@dataclass(frozen=True)
class Connections:
    database: str
    google: str
    other_app: str
    """An application some other team enabled on the database connection."""


def enabled_on(tenant: TenantClient, connection_id: str) -> set[str]:
    return {c["client_id"] for c in tenant.api("GET", f"/connections/{connection_id}/clients")["clients"]}


@pytest.fixture(scope="module")
def connections(sandbox: Sandbox) -> Connections:
    by_name = sandbox.tenant.connections()
    scopes = ("create:clients", "update:connections")
    other_team = sandbox.tenant.signed_in_as(*sandbox.tenant.new_machine_client("other-team-apps", scopes))
    other_app = other_team.api("POST", "/clients", {"name": "other-team-app", "app_type": "spa"})["client_id"]
    database = by_name["Username-Password-Authentication"]
    other_team.api("PATCH", f"/connections/{database}/clients", [{"client_id": other_app, "status": True}])
    return Connections(database, by_name["google-oauth2"], other_app)


def web_client_id(stack: Stack) -> str:
    """The web application as the tenant has it: named `appName`, with our description and the claim metadata."""
    (web,) = [c for c in stack.objects().clients if c["name"] == stack.app_name]
    assert CLAIM_METADATA_KEY in web["client_metadata"], web
    client_id: str = web["client_id"]
    return client_id


def test_named_connections_are_enabled_for_our_application_alone_through_the_lifecycle(
    sandbox: Sandbox, new_stack: StackFactory, connections: Connections
) -> None:
    tenant = sandbox.tenant
    stack = new_stack(connections=[connections.database, connections.google])
    stack.run("up")
    web = web_client_id(stack)
    assert enabled_on(tenant, connections.database) == {connections.other_app, web}
    assert enabled_on(tenant, connections.google) == {web}

    before = tenant.last_seq()
    stack.run("preview", "--expect-no-changes")
    assert tenant.requests(before) == [], "a preview must not call the Management API"

    stack.set_config("connections", [connections.database])
    assert [(c["op"], c["urn"].rsplit("::", 1)[1]) for c in stack.changes()] == [
        ("delete", f"pomerium-idp-connection-{connections.google}")
    ]
    stack.run("up")
    assert enabled_on(tenant, connections.database) == {connections.other_app, web}
    assert enabled_on(tenant, connections.google) == set()

    stack.run("destroy")
    assert enabled_on(tenant, connections.database) == {connections.other_app}
