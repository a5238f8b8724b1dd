"""CLI: run a sandbox tenant until SIGTERM or SIGINT, with its address and credentials in DIR/tenant.json."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .action_builds import BuildPlan
from .faults import FaultPlan
from .management.scopes import DEFAULT_BOOTSTRAP_SCOPES
from .plan_arguments import plan_argument
from .rate_limit import RateLimit
from .server import start_tenant


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox.auth0_tenant", description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True, help="CA, certificate, tenant.json and log go here")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument(
        "--bootstrap-scopes",
        default=" ".join(DEFAULT_BOOTSTRAP_SCOPES),
        help="space-separated Management API scopes of the bootstrap client Pulumi signs in with",
    )
    parser.add_argument(
        "--faults",
        type=plan_argument(FaultPlan.parse),
        default=None,
        help='seeded faults on Management API routes, e.g. "429=0.2,503=0.1,slow=0.05,seed=7,slow_ms=1500"',
    )
    parser.add_argument(
        "--rate-limit",
        type=plan_argument(RateLimit.parse),
        default=None,
        help='Auth0\'s Management API token bucket, e.g. "rps=2,burst=10" or "tier=free" (composes with --faults)',
    )
    parser.add_argument(
        "--action-builds",
        type=plan_argument(BuildPlan.parse),
        default=None,
        help='seeded Action builds, e.g. "build_ms=3000,retrying=0.5,failed=0.1,seed=7" (default build_ms=300)',
    )
    parser.add_argument("--expired-cert", action="store_true", help="serve an expired CA and certificate")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Start the tenant, print where its state file is, and serve until told to stop."""
    args = _parser().parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with start_tenant(
        args.state_dir,
        port=args.port,
        bootstrap_scopes=args.bootstrap_scopes.split(),
        faults=args.faults,
        rate_limit=args.rate_limit,
        action_builds=args.action_builds,
        expired_cert=args.expired_cert,
    ) as tenant:
        print(f"sandbox Auth0 tenant on https://{tenant.domain} (state: {tenant.state_file})", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
