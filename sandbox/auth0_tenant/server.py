"""The HTTPS server, tenant start-up (bootstrap and inspector clients, seeded users) and `tenant.json`."""

from __future__ import annotations

import http.server
import json
import os
import secrets
import ssl
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from . import STATE_FILE
from .action_builds import BuildModel, BuildPlan
from .authentication.context import Context
from .authentication.keys import SigningKey
from .conditions import Conditions
from .dispatcher import Dispatcher
from .faults import FaultInjector, FaultPlan
from .http_messages import Request
from .management.scopes import API_PREFIX, DEFAULT_BOOTSTRAP_SCOPES, INSPECTOR_SCOPES
from .models.tenant import Tenant
from .rate_limit import RateLimit, TokenBucket
from .requestlog import RequestLog
from .tls import ensure_certificates

LOG_FILE = "requests.jsonl"
IDLE_CONNECTION_SECONDS = 60
SHUTDOWN_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class TenantInfo:
    """What a test or `pulumi up` needs to reach the tenant; written to `tenant.json`."""

    domain: str
    ca_file: str
    bootstrap_client_id: str
    bootstrap_client_secret: str
    inspector_client_id: str
    inspector_client_secret: str
    admin_token: str
    pid: int
    log_file: str
    custom_domain: str
    """`localhost:<port>`: the same tenant as its custom domain (issuer `https://localhost:<port>/`)."""
    users: list[dict[str, Any]]
    """The seeded users: email, password, connection, user_id and role names (LOGIN-CONTRACT.md)."""


class _Handler(http.server.BaseHTTPRequestHandler):
    """Reads a request off the (TLS) connection and hands it to the app; HTTP/1.1 keep-alive, as Go expects."""

    protocol_version = "HTTP/1.1"
    server_version = "sandbox-auth0-tenant"
    sys_version = ""
    timeout = IDLE_CONNECTION_SECONDS
    server: _Server
    request: ssl.SSLSocket

    def setup(self) -> None:
        """Finish the TLS handshake here, in the connection's thread, under the idle timeout."""
        super().setup()
        self.request.do_handshake()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        headers = {key: value for key, value in self.headers.items()}
        response = self.server.app.handle(Request(self.command, path, query, headers, body))
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        if response.body is None:
            if response.status != 204:
                # A redirect has no body, but keep-alive clients must be told so.
                self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if isinstance(response.body, bytes):
            payload = response.body  # HTML or text; the route set its Content-Type
        else:
            payload = json.dumps(response.body).encode()
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Silence the stdlib's stderr access log: the request log is the record."""


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    app: Dispatcher  # set once the port, and so the audience, is known

    def __init__(self, port: int, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        # The handshake runs in the connection's own thread, so one stalled client cannot block accept().
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that drops a connection or fails the TLS handshake is not the tenant's error."""


class RunningTenant:
    """A started tenant: where it is, what it knows, and how to stop it."""

    def __init__(self, server: _Server, info: TenantInfo, log: RequestLog, state_file: Path) -> None:
        self.info = info
        self.state_file = state_file
        self._server = server
        self._log = log
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name="sandbox-auth0-tenant",
            daemon=True,
        )
        self._thread.start()

    @property
    def domain(self) -> str:
        """`127.0.0.1:<port>`: the value for `auth0:domain`."""
        return self.info.domain

    @property
    def base_url(self) -> str:
        """`https://127.0.0.1:<port>`."""
        return f"https://{self.info.domain}"

    @property
    def audience(self) -> str:
        """The Management API audience, port included, as go-auth0 builds it."""
        return f"{self.base_url}{API_PREFIX}/"

    @property
    def sandbox_client_ids(self) -> frozenset[str]:
        """The tenant's own clients, for tests to leave out of what they count."""
        return frozenset({self.info.bootstrap_client_id, self.info.inspector_client_id})

    def stop(self) -> None:
        """Stop serving, close the socket and the log."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._log.close()

    def __enter__(self) -> RunningTenant:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _write_atomically(path: Path, text: str) -> None:
    """Readers never see a half-written state file: write aside, then rename over."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def start_tenant(
    state_dir: Path,
    *,
    port: int = 0,
    bootstrap_scopes: Iterable[str] = DEFAULT_BOOTSTRAP_SCOPES,
    faults: FaultPlan | None = None,
    rate_limit: RateLimit | None = None,
    action_builds: BuildPlan | None = None,
    expired_cert: bool = False,
) -> RunningTenant:
    """Start a tenant on 127.0.0.1 (port 0 picks a free one) and write `state_dir/tenant.json` once it listens."""
    state_dir = state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    certs = ensure_certificates(state_dir, expired=expired_cert)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certs.cert_file, certs.key_file)

    server = _Server(port, context)
    domain = f"127.0.0.1:{server.server_address[1]}"
    custom_domain = f"localhost:{server.server_address[1]}"
    audience = f"https://{domain}{API_PREFIX}/"
    signing_key = SigningKey.generate(domain)
    tenant = Tenant(signing_key.certificate_pem, audience, builds=BuildModel(action_builds))
    authentication = Context(tenant, signing_key, domain, custom_domain)
    log = RequestLog(state_dir / LOG_FILE)
    admin_token = secrets.token_urlsafe(32)
    conditions = Conditions(FaultInjector(faults) if faults else None, TokenBucket(rate_limit) if rate_limit else None)
    server.app = Dispatcher(tenant, authentication, log, admin_token, conditions)
    bootstrap = tenant.seed_machine_client("bootstrap", bootstrap_scopes)
    inspector = tenant.seed_machine_client("inspector", INSPECTOR_SCOPES)
    info = TenantInfo(
        domain=domain,
        ca_file=str(certs.ca_file),
        bootstrap_client_id=bootstrap[0],
        bootstrap_client_secret=bootstrap[1],
        inspector_client_id=inspector[0],
        inspector_client_secret=inspector[1],
        admin_token=admin_token,
        pid=os.getpid(),
        log_file=str(log.path),
        custom_domain=custom_domain,
        users=tenant.directory.seeds(),
    )
    running = RunningTenant(server, info, log, state_dir / STATE_FILE)
    _write_atomically(running.state_file, json.dumps(asdict(info), indent=2) + "\n")
    return running
