"""What a real `pulumi up` of the sandbox stack costs: wall time per operation and Auth0 requests by endpoint.

Run `.venv/bin/python benchmarks/real_engine.py [--repeat N]` after `scripts/engine.sh`; it starts
its own sandbox (tenant + loopback cluster), deploys the real program `--repeat` times (first
`up`, no-op `preview`, no-op `up`, `destroy`), stops the sandbox and prints a Markdown report that
the README quotes. The Automation API runner (`sandbox/program.py`) drives the real CLI.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox import control  # noqa: E402
from sandbox.auth0_tenant.management.scopes import DEFAULT_BOOTSTRAP_SCOPES  # noqa: E402
from sandbox.tenant_client import TenantClient  # noqa: E402

OPERATIONS = (("first up", "up"), ("no-op preview", "preview"), ("no-op up", "up"), ("destroy", "destroy"))


def engine_bin() -> Path:
    """The engine's bin directory, built or reused by scripts/engine.sh (its last line)."""
    built = subprocess.run([str(ROOT / "scripts" / "engine.sh")], capture_output=True, text=True, check=True)
    return Path(built.stdout.strip().splitlines()[-1])


def project_copy(base: Path, stack: str) -> Path:
    """The repository's program in `base/<stack>`, with `stacks/Pulumi.sandbox.yaml` as that stack's file."""
    project = base / stack
    (project / "stacks").mkdir(parents=True)
    for file in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / file, project / file)
    shutil.copy(ROOT / "stacks" / "Pulumi.sandbox.yaml", project / "stacks" / f"Pulumi.{stack}.yaml")
    return project


def run_operation(env: dict[str, str], project: Path, stack: str, operation: str) -> float:
    started = time.monotonic()
    command = [sys.executable, "-m", "sandbox.program", operation, "--stack", stack, "--dir", str(project)]
    completed = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{operation} of {stack} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return time.monotonic() - started


def measure(repeat: int) -> tuple[dict[str, list[float]], dict[str, Counter[str]]]:
    """Seconds per operation over `repeat` fresh stacks, and the requests of the last run."""
    seconds: dict[str, list[float]] = {label: [] for label, _ in OPERATIONS}
    requests: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        engine = engine_bin()
        control.start(base / "sandbox", engine, " ".join(DEFAULT_BOOTSTRAP_SCOPES), None)
        try:
            env = control.process_environment(base / "sandbox")
            tenant = TenantClient(control.tenant_info(base / "sandbox"))
            for round_number in range(repeat):
                stack = f"bench-{round_number}"
                project = project_copy(base / "projects", stack)
                subprocess.run(["pulumi", "stack", "init", "--stack", stack], cwd=project, env=env, check=True)
                for label, operation in OPERATIONS:
                    before = tenant.last_seq()
                    seconds[label].append(run_operation(env, project, stack, operation))
                    requests[label] = tenant.requests_by_endpoint(before)
        finally:
            control.stop(base / "sandbox")
    return seconds, requests


def report(seconds: dict[str, list[float]], requests: dict[str, Counter[str]], repeat: int) -> str:
    lines = [
        f"Real engine, sandbox stack, median of {repeat}:",
        "",
        "| Operation | Wall time | Auth0 requests |",
        "| --- | --- | --- |",
    ]
    for label, _ in OPERATIONS:
        total = sum(requests[label].values())
        lines.append(f"| {label} | {statistics.median(seconds[label]):.1f} s | {total} |")
    lines += ["", "| Endpoint | " + " | ".join(label for label, _ in OPERATIONS) + " |", "| --- |" + " --- |" * 4]
    endpoints = sorted(set().union(*requests.values()))
    for endpoint in endpoints:
        counts = " | ".join(str(requests[label][endpoint]) for label, _ in OPERATIONS)
        lines.append(f"| `{endpoint}` | {counts} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    seconds, requests = measure(args.repeat)
    print(report(seconds, requests, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
