"""Start, describe and stop the sandbox: a local Auth0-compatible tenant and a loopback Kubernetes cluster.

State lives in $POMERIUM_AUTH0_SANDBOX_DIR (default /tmp/pomerium-auth0-sandbox); `start` always
begins from an empty tenant and cluster.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

from . import pki, processes
from .auth0_tenant import STATE_FILE
from .cluster import start_cluster

DEFAULT_DIR = Path("/tmp/pomerium-auth0-sandbox")
SANDBOX_DIR_VARIABLE = "POMERIUM_AUTH0_SANDBOX_DIR"
"""Names the sandbox in the environment of everything run against it, plugins included."""
TENANT_DIR = "tenant"
CLUSTER_DIR = "cluster"
ENGINE_FILE = "engine-bin"
SECRET_FILE = "bootstrap-client-secret"
STATE_DIR = "state"
PASSPHRASE = "sandbox"
TENANT_START_SECONDS = 30.0


def state_dir() -> Path:
    return Path(os.environ.get(SANDBOX_DIR_VARIABLE, str(DEFAULT_DIR))).resolve()


def tenant_info(directory: Path) -> dict[str, str]:
    """The running tenant's `tenant.json`: domain, CA file, bootstrap and inspector credentials."""
    info: dict[str, str] = json.loads((directory / TENANT_DIR / STATE_FILE).read_text())
    return info


def start(
    directory: Path,
    engine: Path,
    bootstrap_scopes: str,
    faults: str | None,
    rate_limit: str | None = None,
    action_builds: str | None = None,
) -> None:
    if processes.running(directory):
        raise SystemExit(f"the sandbox in {directory} is already running: scripts/sandbox.sh stop first")
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    (directory / STATE_DIR).mkdir()
    (directory / ENGINE_FILE).write_text(str(engine.resolve()))
    tenant_args = processes.python_module("sandbox.auth0_tenant", f"--state-dir={directory / TENANT_DIR}")
    tenant_args.append(f"--bootstrap-scopes={bootstrap_scopes}")
    if faults:
        tenant_args.append(f"--faults={faults}")
    if rate_limit:
        tenant_args.append(f"--rate-limit={rate_limit}")
    if action_builds:
        tenant_args.append(f"--action-builds={action_builds}")
    processes.spawn(directory, "auth0-tenant", tenant_args)
    processes.wait_until(
        (directory / TENANT_DIR / STATE_FILE).exists,
        what="the Auth0 tenant",
        timeout=TENANT_START_SECONDS,
        log=directory / processes.LOGS_DIR / "auth0-tenant.log",
    )
    try:
        start_cluster(directory / CLUSTER_DIR, engine)
    except Exception:
        processes.stop_all(directory)
        processes.stop_all(directory / CLUSTER_DIR)
        raise
    info = tenant_info(directory)
    pki.write_private(directory / SECRET_FILE, info["bootstrap_client_secret"].encode())
    print(f"sandbox up in {directory}: Auth0 tenant https://{info['domain']}, cluster in {CLUSTER_DIR}/kubeconfig")
    print('next: eval "$(scripts/sandbox.sh env)" && scripts/up.sh sandbox')


def environment(directory: Path) -> dict[str, str]:
    """What `pulumi` needs to deploy against this sandbox, except the bootstrap secret and PATH."""
    info = tenant_info(directory)
    return {
        SANDBOX_DIR_VARIABLE: str(directory),
        "AUTH0_DOMAIN": info["domain"],
        "AUTH0_CLIENT_ID": info["bootstrap_client_id"],
        "SSL_CERT_FILE": info["ca_file"],
        "KUBECONFIG": str(directory / CLUSTER_DIR / "kubeconfig"),
        "PULUMI_BACKEND_URL": f"file://{directory / STATE_DIR}",
        "PULUMI_HOME": str(directory / "pulumi-home"),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }


def engine_bin(directory: Path) -> Path:
    return Path((directory / ENGINE_FILE).read_text())


def bootstrap_secret_file(directory: Path) -> Path:
    return directory / SECRET_FILE


def process_environment(directory: Path) -> dict[str, str]:
    """This process's environment plus everything a `pulumi` or `sandbox.program` child needs here:
    the sandbox settings, the bootstrap secret, the engine and this interpreter first on PATH, and
    this repository importable (the runner lives in it)."""
    env = {**os.environ, **environment(directory)}
    env["AUTH0_CLIENT_SECRET"] = bootstrap_secret_file(directory).read_text()
    env["PATH"] = os.pathsep.join([str(engine_bin(directory)), str(Path(sys.executable).parent), os.environ["PATH"]])
    env["PYTHONPATH"] = str(processes.REPOSITORY)
    return env


def env_lines(directory: Path) -> list[str]:
    """Export lines for a shell; the bootstrap secret is read from its file, never printed."""
    lines = [f"export {name}={shlex.quote(value)}" for name, value in environment(directory).items()]
    lines.append(f'export AUTH0_CLIENT_SECRET="$(cat {shlex.quote(str(bootstrap_secret_file(directory)))})"')
    lines.append(f'export PATH={shlex.quote(str(engine_bin(directory)))}:"$PATH"')
    return lines


def stop(directory: Path) -> None:
    stopped = processes.stop_all(directory / CLUSTER_DIR) + processes.stop_all(directory)
    print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
