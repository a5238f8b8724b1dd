"""The tenant's CA and localhost server certificate, which Go's TLS stack accepts (trusted via SSL_CERT_FILE)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from .. import pki

CA_FILE = "ca.pem"
CERT_FILE = "server.pem"
KEY_FILE = "server-key.pem"


@dataclass(frozen=True)
class CertPaths:
    """Where the CA (to trust), the server certificate and its key live."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def _is_reusable(paths: CertPaths, expired: bool) -> bool:
    """Reuse earlier files only when they are all there and are as current (or as expired) as asked."""
    if not all(p.is_file() for p in (paths.ca_file, paths.cert_file, paths.key_file)):
        return False
    leaf = x509.load_pem_x509_certificate(paths.cert_file.read_bytes())
    now = datetime.datetime.now(datetime.UTC)
    current = leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc
    return current != expired


def ensure_certificates(state_dir: Path, *, expired: bool = False) -> CertPaths:
    """Create (or reuse) an ECDSA P-256 CA and a leaf for IP:127.0.0.1 and DNS:localhost.

    `expired=True` makes both certificates lie wholly in the past, for a test that the client refuses them.
    """
    paths = CertPaths(state_dir / CA_FILE, state_dir / CERT_FILE, state_dir / KEY_FILE)
    if _is_reusable(paths, expired):
        return paths
    ca = pki.new_ca("pomerium-auth0 sandbox tenant CA", expired=expired)
    leaf, leaf_key = pki.issue(ca, "localhost", server=True, expired=expired)
    state_dir.mkdir(parents=True, exist_ok=True)
    paths.ca_file.write_bytes(pki.cert_pem(ca.cert))
    paths.cert_file.write_bytes(pki.cert_pem(leaf))
    pki.write_private(paths.key_file, pki.key_pem(leaf_key))
    return paths
