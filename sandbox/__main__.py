"""The sandbox: a local Auth0-compatible tenant and a loopback Kubernetes cluster for real `pulumi up` runs.

    python -m sandbox start --engine BIN [--bootstrap-scopes "..."] [--faults "..."] [--rate-limit "..."]
                                         [--action-builds "..."]
    python -m sandbox env      # export lines: eval "$(python -m sandbox env)"
    python -m sandbox status   # exit 0 when the sandbox is running
    python -m sandbox stop     # stops every daemon; nothing is left running
    python -m sandbox run pulumi destroy --stack sandbox --yes   # any command, with the sandbox's environment

`scripts/sandbox.sh` wraps this with the engine build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from . import processes
from .auth0_tenant.action_builds import BuildPlan
from .auth0_tenant.faults import FaultPlan
from .auth0_tenant.management.scopes import DEFAULT_BOOTSTRAP_SCOPES
from .auth0_tenant.plan_arguments import spec_argument
from .auth0_tenant.rate_limit import RateLimit
from .control import env_lines, process_environment, start, state_dir, stop

PYTHON_HOST = "pulumi-language-python"


def command_line(argv: list[str], path: str) -> list[str]:
    """`argv` as it runs here: a `pulumi` operation that runs the program goes through the Automation API
    runner (`sandbox/program.py`) when `path` has no Python language host, as the engine built here has
    none; every other command (`pulumi stack output`, `pulumi config`, the orphan tool) runs as given."""
    from .program import OPERATIONS  # here, not at the top: it loads the Pulumi SDK, which `status` needs not

    if argv[:1] == ["pulumi"] and argv[1:2] and argv[1] in OPERATIONS and not shutil.which(PYTHON_HOST, path=path):
        return [sys.executable, "-m", "sandbox.program", *argv[1:]]
    return argv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="start the tenant and the cluster")
    start_parser.add_argument("--engine", type=Path, required=True, help="bin directory from scripts/engine.sh")
    start_parser.add_argument(
        "--bootstrap-scopes",
        help="space-separated Management API scopes of the bootstrap application (default: the README's)",
    )
    start_parser.add_argument(
        "--faults",
        type=spec_argument(FaultPlan.parse),
        help='seeded fault injection, e.g. "429=0.2,503=0.1,slow=0.05,seed=7"',
    )
    start_parser.add_argument(
        "--rate-limit",
        type=spec_argument(RateLimit.parse),
        help='Auth0\'s Management API rate limit, e.g. "rps=2,burst=10" or "tier=free"; composes with --faults',
    )
    start_parser.add_argument(
        "--action-builds",
        type=spec_argument(BuildPlan.parse),
        help='seeded Action builds, e.g. "build_ms=3000,retrying=0.5,failed=0.1,seed=7"',
    )
    commands.add_parser("env", help="print export lines for eval")
    commands.add_parser("status", help="exit 0 when the sandbox is running, 1 when it is not")
    commands.add_parser("stop", help="stop everything the sandbox started")
    run_parser = commands.add_parser("run", help="run one command with the sandbox's environment")
    run_parser.add_argument("argv", nargs=argparse.REMAINDER, help="the command and its arguments")
    args = parser.parse_args(argv)
    directory = state_dir()
    if args.command == "start":
        scopes = args.bootstrap_scopes or " ".join(DEFAULT_BOOTSTRAP_SCOPES)
        start(directory, args.engine, scopes, args.faults, args.rate_limit, args.action_builds)
    elif args.command == "env":
        print("\n".join(env_lines(directory)))
    elif args.command == "status":
        return 0 if processes.running(directory) else 1
    elif args.command == "run":
        if not args.argv:
            parser.error("run needs a command, e.g. run pulumi stack output --stack sandbox")
        if not processes.running(directory):
            raise SystemExit(
                f"the sandbox in {directory} is not running: scripts/sandbox.sh start, or scripts/up.sh sandbox"
            )
        env = process_environment(directory)
        argv = command_line(args.argv, env["PATH"])
        os.execvpe(argv[0], argv, env)
    else:
        stop(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
