"""The orphan tool (`python -m pomerium_auth0.tools.orphans`) against the sandbox tenant: it deletes exactly this
stack's unreferenced objects, and never those of a stack whose `appName` starts with this one's."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pomerium_auth0.domain.tenant_names import (
    DIRECTORY_SYNC_DESCRIPTION,
    WEB_APPLICATION_DESCRIPTION,
    directory_sync_name,
    groups_claim_action_name,
)
from pomerium_auth0.tools import orphans

from sandbox.auth0_tenant.server import start_tenant
from sandbox.tenant_client import TenantClient


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TenantClient]:
    """A fresh sandbox tenant; the tool signs in to it as the bootstrap application, through AUTH0_*."""
    with start_tenant(tmp_path) as running:
        info = running.info
        monkeypatch.setenv("AUTH0_DOMAIN", info.domain)
        monkeypatch.setenv("AUTH0_CLIENT_ID", info.bootstrap_client_id)
        monkeypatch.setenv("AUTH0_CLIENT_SECRET", info.bootstrap_client_secret)
        monkeypatch.setenv("SSL_CERT_FILE", info.ca_file)
        inspector = TenantClient(dataclasses.asdict(info))
        yield inspector.signed_in_as(info.bootstrap_client_id, info.bootstrap_client_secret)


def deploy_objects(tenant: TenantClient, app_name: str) -> dict[str, str]:
    """What a stack with this `appName` creates in the tenant, by name: both applications and the Action."""
    created = {
        name: tenant.api("POST", "/clients", {"name": name, "description": description})["client_id"]
        for name, description in (
            (app_name, WEB_APPLICATION_DESCRIPTION),
            (directory_sync_name(app_name), DIRECTORY_SYNC_DESCRIPTION),
        )
    }
    action: dict[str, Any] = {
        "name": groups_claim_action_name(app_name),
        "supported_triggers": [{"id": "post-login", "version": "v3"}],
        "code": "exports.onExecutePostLogin = async () => {};",
        "runtime": "node22",
    }
    created[action["name"]] = tenant.api("POST", "/actions/actions", action)["id"]
    return created


def test_cleaning_stack_dev_deletes_its_orphans_and_leaves_dev2_and_look_alikes_alone(
    tenant: TenantClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = deploy_objects(tenant, "pomerium-dev")
    dev2 = deploy_objects(tenant, "pomerium-dev2")
    # Named like dev's application, but someone else's (no description of ours).
    look_alike = tenant.api("POST", "/clients", {"name": "pomerium-dev", "description": "the team's own app"})
    # dev's state references its web application only: the interrupted `up` lost the rest.
    monkeypatch.setattr(orphans, "state_ids", lambda stack: {dev["pomerium-dev"]})

    assert orphans.main(["--stack", "dev", "--app-name", "pomerium-dev", "--delete"]) == 0

    assert sorted(capsys.readouterr().out.splitlines()) == [
        "deleting: action pomerium-dev-groups-claim",
        "deleting: application pomerium-dev-directory-sync",
    ]
    clients = {client["client_id"] for client in tenant.clients()}
    actions = {action["id"] for action in tenant.actions()}
    kept_of_dev2 = {dev2["pomerium-dev2"], dev2[directory_sync_name("pomerium-dev2")]}
    assert clients == {dev["pomerium-dev"], look_alike["client_id"], *kept_of_dev2}
    assert actions == {dev2[groups_claim_action_name("pomerium-dev2")]}


def test_a_stack_without_orphans_is_reported_clean(
    tenant: TenantClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = deploy_objects(tenant, "pomerium-dev")
    monkeypatch.setattr(orphans, "state_ids", lambda stack: set(dev.values()))
    assert orphans.main(["--stack", "dev", "--app-name", "pomerium-dev", "--delete"]) == 0
    assert capsys.readouterr().out.startswith("no orphans of pomerium-dev in ")
    assert len(tenant.clients()) == 2
