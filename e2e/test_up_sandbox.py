"""The README's first command, run the way the README gives it: `scripts/up.sh sandbox` on a shell that has
no tenant, cluster or Pulumi settings, then the next commands its summary prints.

It uses a sandbox of its own (its own `POMERIUM_AUTH0_SANDBOX_DIR`), not the session's, and checks
what a newcomer relies on: one command deploys and says what the tenant and the cluster now hold, a
second run changes nothing, a user signs in, `scripts/sandbox.sh run pulumi destroy` removes it all,
`scripts/sandbox.sh stop` leaves no process running, and nothing in the clone changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import control
from sandbox.cluster import load_cluster
from sandbox.kube_api import KubeApi
from sandbox.tenant_client import TenantClient

from .conftest import ROOT

STACK = "sandbox"
NAMESPACE = "pomerium-sandbox"
IDP_KEYS = ["IDP_CLIENT_ID", "IDP_CLIENT_SECRET", "IDP_PROVIDER", "IDP_PROVIDER_URL", "IDP_SERVICE_ACCOUNT"]
# What a shell that never ran `eval "$(scripts/sandbox.sh env)"` lacks.
SANDBOX_VARIABLES = ("AUTH0_", "PULUMI_", "POMERIUM_AUTH0_", "KUBECONFIG", "SSL_CERT_FILE")


class Newcomer:
    """A shell in the clone with none of the sandbox's settings, only its own sandbox directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(SANDBOX_VARIABLES)}
        self.env["POMERIUM_AUTH0_SANDBOX_DIR"] = str(directory)

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=1800)
        print(f"$ {' '.join(command)}  ({time.monotonic() - started:.1f} s, exit {done.returncode})")
        assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
        return done

    def tenant(self) -> TenantClient:
        return TenantClient(control.tenant_info(self.directory))

    def cluster(self) -> KubeApi:
        return load_cluster(self.directory / control.CLUSTER_DIR).api


def processes_of(directory: Path) -> list[str]:
    """Running processes whose command line names the sandbox directory."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ")
        except OSError:
            continue
        if proc.name.isdigit() and str(directory) in argv:
            found.append(f"{proc.name}: {argv[:200]}")
    return found


def clone_state() -> str:
    listed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True, text=True
    )
    return listed.stdout


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newcomer]:
    shell = Newcomer(tmp_path_factory.mktemp("newcomer") / "sandbox")
    yield shell
    subprocess.run([str(ROOT / "scripts" / "sandbox.sh"), "stop"], cwd=ROOT, env=shell.env, check=False)


def test_the_first_command_deploys_and_reads_back_what_it_made(newcomer: Newcomer) -> None:
    before = clone_state()
    first = newcomer.run("scripts/up.sh", STACK)

    tenant = newcomer.tenant()
    clients = {c["name"]: c for c in tenant.clients()}
    web, sync = clients["pomerium-sandbox"], clients["pomerium-sandbox-directory-sync"]
    assert (web["app_type"], sync["app_type"]) == ("regular_web", "non_interactive")
    summary = first.stdout.split("Auth0, read back from the tenant", 1)[1]
    assert f"pomerium-sandbox (regular_web, client_id {web['client_id']})" in summary
    assert f"pomerium-sandbox-directory-sync (non_interactive, client_id {sync['client_id']})" in summary
    assert "read:role_members read:roles" in summary
    secret = newcomer.cluster().get(f"/api/v1/namespaces/{NAMESPACE}/secrets/pomerium-idp")
    assert sorted(secret["data"]) == IDP_KEYS
    assert f"Secret {NAMESPACE}/pomerium-idp: keys {' '.join(IDP_KEYS)} (values not shown)" in summary
    assert "Deployment pomerium-sandbox/pomerium: 1/1 ready" in summary
    assert "Expected warnings:" in summary
    assert "scripts/sandbox.sh run pulumi destroy --stack sandbox" in summary
    for value in (secret["data"]["IDP_CLIENT_SECRET"], secret["data"]["IDP_SERVICE_ACCOUNT"]):
        assert value not in first.stdout + first.stderr

    seen = tenant.last_seq()
    second = newcomer.run("scripts/up.sh", STACK, "--expect-no-changes")
    changed = [e for e in tenant.requests(seen) if e["method"] != "GET" and e["path"].startswith("/api/v2/")]
    assert changed == []
    assert "Auth0, read back from the tenant" in second.stdout

    signed_in = json.loads(newcomer.run("scripts/login.sh", STACK).stdout)
    assert signed_in["claims"]["email"] == "alice@example.com"
    assert sorted(signed_in["claim/pomerium.io/groups"]) == ["admins", "developers"]
    assert clone_state() == before


def test_destroy_and_stop_through_the_wrapper_leave_nothing(newcomer: Newcomer) -> None:
    outputs = json.loads(
        newcomer.run("scripts/sandbox.sh", "run", "pulumi", "stack", "output", "--stack", STACK, "--json").stdout
    )
    assert outputs["secretNamespace"] == NAMESPACE
    newcomer.run("scripts/sandbox.sh", "run", "pulumi", "destroy", "--stack", STACK, "--yes")
    assert [c["name"] for c in newcomer.tenant().clients() if c["name"].startswith("pomerium-sandbox")] == []
    namespace = newcomer.cluster().get_or_none(f"/api/v1/namespaces/{NAMESPACE}")
    assert namespace is None or namespace["status"]["phase"] == "Terminating"

    newcomer.run("scripts/sandbox.sh", "stop")
    assert processes_of(newcomer.directory) == []
