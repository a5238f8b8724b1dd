"""The sandbox: a local Auth0-compatible tenant and a loopback Kubernetes cluster for real `pulumi up` runs.

    python -m sandbox start --engine BIN [--bootstrap-scopes "..."] [--faults "..."]
    python -m sandbox env      # export lines: eval "$(python -m sandbox env)"
    python -m sandbox status   # exit 0 when the sandbox is running
    python -m sandbox stop     # stops every daemon; nothing is left running

`scripts/sandbox.sh` wraps this with the engine build.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import processes
from .auth0_tenant.scopes import DEFAULT_BOOTSTRAP_SCOPES
from .control import env_lines, start, state_dir, stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="start the tenant and the cluster")
    start_parser.add_argument("--engine", type=Path, required=True, help="bin directory from scripts/engine.sh")
    start_parser.add_argument(
        "--bootstrap-scopes",
        default=" ".join(DEFAULT_BOOTSTRAP_SCOPES),
        help="space-separated Management API scopes of the bootstrap application (default: the README's)",
    )
    start_parser.add_argument("--faults", help='seeded fault injection, e.g. "429=0.2,503=0.1,slow=0.05,seed=7"')
    commands.add_parser("env", help="print export lines for eval")
    commands.add_parser("status", help="exit 0 when the sandbox is running, 1 when it is not")
    commands.add_parser("stop", help="stop everything the sandbox started")
    args = parser.parse_args(argv)
    directory = state_dir()
    if args.command == "start":
        start(directory, args.engine, args.bootstrap_scopes, args.faults)
    elif args.command == "env":
        print("\n".join(env_lines(directory)))
    elif args.command == "status":
        return 0 if processes.running(directory) else 1
    else:
        stop(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
