"""The sandbox's one-command paths: `run` routes program operations, the stack file names a seeded
connection, and the engine's progress table covers what it builds. No daemon is started here."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from sandbox.__main__ import PYTHON_HOST, command_line
from sandbox.auth0_tenant.models.seeds import SEEDED_CONNECTIONS, seeded_connection_id
from sandbox.auth0_tenant.models.tenant import Tenant
from tests.harness import ROOT


@pytest.mark.parametrize("operation", ["preview", "up", "refresh", "destroy"])
def test_program_operations_run_through_the_automation_api_without_a_python_host(
    operation: str, tmp_path: Path
) -> None:
    argv = ["pulumi", operation, "--stack", "sandbox", "--yes"]
    assert command_line(argv, str(tmp_path)) == [sys.executable, "-m", "sandbox.program", *argv[1:]]


def test_other_commands_run_as_given(tmp_path: Path) -> None:
    for argv in (["pulumi", "stack", "output", "--stack", "sandbox"], ["pulumi"], ["env"]):
        assert command_line(argv, str(tmp_path)) == argv


def test_a_python_host_on_path_gets_the_real_command(tmp_path: Path) -> None:
    host = tmp_path / PYTHON_HOST
    host.write_text("#!/bin/sh\n")
    host.chmod(0o755)
    argv = ["pulumi", "destroy", "--stack", "sandbox"]
    assert command_line(argv, str(tmp_path)) == argv


def test_the_sandbox_stack_enables_the_seeded_database_connection() -> None:
    """Its id is the same in every sandbox tenant, so `scripts/login.sh sandbox` works after the first up."""
    stack = yaml.safe_load((ROOT / "stacks" / "Pulumi.sandbox.yaml").read_text())
    database = seeded_connection_id("Username-Password-Authentication")
    assert stack["config"]["pomerium-auth0:connections"] == [database]
    tenant = Tenant(signing_cert_pem="unused", audience="https://unused/api/v2/").connections
    assert {c["name"]: c["id"] for c in tenant.list_connections()} == {
        name: seeded_connection_id(name) for name, _, _ in SEEDED_CONNECTIONS
    }


def test_seeded_connection_ids_have_auth0s_shape_and_differ() -> None:
    ids = [seeded_connection_id(name) for name, _, _ in SEEDED_CONNECTIONS]
    assert all(re.fullmatch(r"con_[A-Za-z0-9]{16}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_the_engine_progress_table_covers_every_component() -> None:
    """`[n/m] <component>: building …, ~N min of ~M min left` needs an estimate and a builder for each."""
    script = (ROOT / "scripts" / "engine.sh").read_text()
    components = re.search(r"^COMPONENTS=\(([^)]*)\)", script, re.M)
    estimates = re.search(r"^declare -A estimate=\(([^)]*)\)", script, re.M)
    assert components
    assert estimates
    names = components.group(1).split()
    assert sorted(names) == sorted(re.findall(r"\[(\w+)\]=\d+", estimates.group(1)))
    assert sorted(names) == sorted(d.name for d in (ROOT / "engine").iterdir() if (d / "go.mod").exists())
    assert all(re.search(rf"^build_{name}\(\) \{{", script, re.M) for name in names)
