"""A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager, stand-in kubelet.

The API server and controllers are the upstream binaries `scripts/engine.sh` builds, so admission
(Pod Security `restricted` included), validation, garbage collection and namespace deletion behave as
in any cluster. Clients authenticate with an admin certificate (`O=system:masters`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import pki, processes
from .kube_api import KubeApi

SERVICE_CIDR = "10.96.0.0/16"
START_TIMEOUT_SECONDS = 90.0
API_FILE = "api.json"


@dataclass(frozen=True)
class Cluster:
    """How to reach the API server: a kubeconfig for tools, and the same identity for `KubeApi`."""

    kubeconfig: Path
    api: KubeApi


def _write_pki(directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    ca = pki.new_ca("pomerium-auth0 sandbox cluster CA")
    server, server_key = pki.issue(ca, "kube-apiserver", server=True)
    admin, admin_key = pki.issue(ca, "sandbox-admin", client=True, organization="system:masters")
    service_accounts = pki.new_key()
    files = {
        "ca": directory / "ca.pem",
        "server": directory / "apiserver.pem",
        "server_key": directory / "apiserver-key.pem",
        "admin": directory / "admin.pem",
        "admin_key": directory / "admin-key.pem",
        "sa_key": directory / "service-accounts-key.pem",
        "sa_pub": directory / "service-accounts.pem",
    }
    files["ca"].write_bytes(pki.cert_pem(ca.cert))
    files["server"].write_bytes(pki.cert_pem(server))
    pki.write_private(files["server_key"], pki.key_pem(server_key))
    files["admin"].write_bytes(pki.cert_pem(admin))
    pki.write_private(files["admin_key"], pki.key_pem(admin_key))
    pki.write_private(files["sa_key"], pki.key_pem(service_accounts))
    files["sa_pub"].write_bytes(pki.public_key_pem(service_accounts))
    return files


def _kubeconfig(server: str, files: dict[str, Path]) -> str:
    """A kubeconfig (JSON is valid YAML) whose only context is the sandbox admin."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sandbox", "cluster": {"server": server, "certificate-authority": str(files["ca"])}}],
        "users": [
            {
                "name": "sandbox-admin",
                "user": {"client-certificate": str(files["admin"]), "client-key": str(files["admin_key"])},
            }
        ],
        "contexts": [{"name": "sandbox", "context": {"cluster": "sandbox", "user": "sandbox-admin"}}],
        "current-context": "sandbox",
    }
    return json.dumps(config, indent=2)


def start_cluster(state_dir: Path, bin_dir: Path) -> Cluster:
    """Start every component, wait for `/readyz`, and return how to reach the API server."""
    files = _write_pki(state_dir / "pki")
    etcd_port, peer_port, api_port = processes.free_port(), processes.free_port(), processes.free_port()
    etcd_url = f"http://127.0.0.1:{etcd_port}"
    peer_url = f"http://127.0.0.1:{peer_port}"
    processes.spawn(
        state_dir,
        "etcd",
        [
            str(bin_dir / "etcd"),
            "--name=sandbox",
            f"--data-dir={state_dir / 'etcd'}",
            f"--listen-client-urls={etcd_url}",
            f"--advertise-client-urls={etcd_url}",
            f"--listen-peer-urls={peer_url}",
            f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=sandbox={peer_url}",
            "--unsafe-no-fsync",
            "--log-level=warn",
        ],
    )
    processes.spawn(
        state_dir,
        "kube-apiserver",
        [
            str(bin_dir / "kube-apiserver"),
            f"--etcd-servers={etcd_url}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={api_port}",
            f"--tls-cert-file={files['server']}",
            f"--tls-private-key-file={files['server_key']}",
            f"--client-ca-file={files['ca']}",
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={files['sa_pub']}",
            f"--service-account-signing-key-file={files['sa_key']}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            # The `kubernetes` Service cannot point at a loopback address; nothing here needs it.
            "--endpoint-reconciler-type=none",
            "--profiling=false",
        ],
    )
    api = KubeApi("127.0.0.1", api_port, files["ca"], files["admin"], files["admin_key"])
    processes.wait_until(
        api.ready,
        what="kube-apiserver",
        timeout=START_TIMEOUT_SECONDS,
        log=state_dir / processes.LOGS_DIR / "kube-apiserver.log",
    )
    kubeconfig = state_dir / "kubeconfig"
    kubeconfig.write_text(_kubeconfig(f"https://127.0.0.1:{api_port}", files))
    processes.spawn(
        state_dir,
        "kube-controller-manager",
        [
            str(bin_dir / "kube-controller-manager"),
            f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--bind-address=127.0.0.1",
            f"--secure-port={processes.free_port()}",
            "--leader-elect=false",
            # No kubelet heartbeats here: the stand-in node must not be marked unreachable and evicted.
            "--controllers=*,-nodelifecycle",
            f"--service-account-private-key-file={files['sa_key']}",
            f"--root-ca-file={files['ca']}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--profiling=false",
        ],
    )
    api_file = state_dir / API_FILE
    api.save(api_file)
    processes.spawn(state_dir, "kubelet", processes.python_module("sandbox.kubelet", f"--api={api_file}"))
    return Cluster(kubeconfig, api)


def load_cluster(state_dir: Path) -> Cluster:
    """The running cluster's coordinates, from the files `start_cluster` wrote."""
    return Cluster(state_dir / "kubeconfig", KubeApi.load(state_dir / API_FILE))
