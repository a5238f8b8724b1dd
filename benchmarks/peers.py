"""OpenTofu, a plain Pulumi program and our stack, side by side on one sandbox (issue 18, item 3).

Run `.venv/bin/python benchmarks/peers.py [--repeat N]`: it builds or reuses the peers
(`scripts/peers.sh`) and the engine, starts its own sandbox, and for each tool runs N rounds of
first apply, no-op plan, no-op apply, a one-field change (the sign-in URL: callbacks, login URI) and
destroy. It prints Markdown tables of wall time (median, min-max), ratios, Auth0 Management
requests by endpoint (from the tenant's request log) and peak RSS of the CLI and plugin process tree.
Benchmark only: CI does not run it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.process_tree import OWN_VERBS, Sample, timed  # noqa: E402
from benchmarks.real_engine import engine_bin, project_copy  # noqa: E402
from sandbox import control  # noqa: E402
from sandbox.auth0_tenant.management.scopes import DEFAULT_BOOTSTRAP_SCOPES  # noqa: E402
from sandbox.tenant_client import TenantClient  # noqa: E402

OPERATIONS = ("first apply", "no-op plan", "no-op apply", "one-field change", "destroy")
OURS = "ours, consumer none"
TOOLS = ("OpenTofu", "plain Pulumi", OURS, "ours, Deployment")


class Tofu:
    """OpenTofu with the providers from the peers' filesystem mirror, never a registry."""

    def __init__(self, base: Path, peers: Path, env: dict[str, str], round_number: int) -> None:
        self.dir = base / f"tofu-{round_number}"
        self.dir.mkdir(parents=True)
        shutil.copy(ROOT / "benchmarks" / "peers" / "tofu" / "main.tf", self.dir)
        (self.dir / "cli.tfrc").write_text(
            f'provider_installation {{\n  filesystem_mirror {{ path = "{peers / "mirror"}" }}\n}}\n'
        )
        self.tofu = str(peers / "bin" / "tofu")
        self.env = {**env, "TF_CLI_CONFIG_FILE": str(self.dir / "cli.tfrc"), "TF_IN_AUTOMATION": "1"}
        self.vars = {
            "domain": env["AUTH0_DOMAIN"],
            "kubeconfig": env["KUBECONFIG"],
            "app_name": f"tofu-bench-{round_number}",
            "namespace": f"tofu-bench-{round_number}",
            "authenticate_url": "https://authenticate.tofu.example.com",
            "groups_claim_js": str(ROOT / "components" / "pomerium_auth0" / "domain" / "groups_claim.js"),
        }
        subprocess.run([self.tofu, "init", "-input=false"], cwd=self.dir, env=self.env, check=True, capture_output=True)

    def command(self, operation: str) -> list[str]:
        if operation == "one-field change":
            self.vars["authenticate_url"] = "https://signin.tofu.example.com"
        verb = {"no-op plan": ["plan", "-detailed-exitcode"], "destroy": ["destroy", "-auto-approve"]}.get(
            operation, ["apply", "-auto-approve"]
        )
        return [self.tofu, *verb, "-input=false", *(f"-var={key}={value}" for key, value in self.vars.items())]


class PulumiStack:
    """A project run through the Automation API runner (sandbox/program.py), as benchmarks/timeline.py does."""

    def __init__(
        self, project: Path, stack: str, env: dict[str, str], config: dict[str, str], change: tuple[str, str]
    ) -> None:
        self.project, self.stack, self.env, self.change = project, stack, env, change
        subprocess.run(
            ["pulumi", "stack", "init", "--stack", stack], cwd=project, env=env, check=True, capture_output=True
        )
        for key, value in config.items():
            self.config(key, value)

    def config(self, key: str, value: str) -> None:
        command = ["pulumi", "config", "set", "--stack", self.stack, key, value]
        subprocess.run(command, cwd=self.project, env=self.env, check=True, capture_output=True)

    def command(self, operation: str) -> list[str]:
        if operation == "one-field change":
            self.config(*self.change)
        verb = {"no-op plan": "preview", "destroy": "destroy"}.get(operation, "up")
        return [sys.executable, "-m", "sandbox.program", verb, "--stack", self.stack, "--dir", str(self.project)]

    @property
    def cwd(self) -> Path:
        return ROOT


def _tools(
    base: Path, peers: Path, env: dict[str, str], round_number: int
) -> dict[str, tuple[Tofu | PulumiStack, Path]]:
    tofu = Tofu(base, peers, env, round_number)
    plain_dir = base / f"plain-{round_number}"
    shutil.copytree(ROOT / "benchmarks" / "peers" / "plain", plain_dir)
    plain = PulumiStack(
        plain_dir,
        f"plain-{round_number}",
        env,
        {
            "appName": f"plain-bench-{round_number}",
            "namespace": f"plain-bench-{round_number}",
            "authenticateUrl": "https://authenticate.plain.example.com",
        },
        ("authenticateUrl", "https://signin.plain.example.com"),
    )
    stacks: dict[str, tuple[Tofu | PulumiStack, Path]] = {"OpenTofu": (tofu, tofu.dir), "plain Pulumi": (plain, ROOT)}
    for label, consumer in ((OURS, "none"), ("ours, Deployment", "deployment")):
        stack = f"ours-{consumer}-{round_number}"
        project = project_copy(base / "projects", stack)
        config = {"pomerium-auth0:consumer": consumer, "pomerium-auth0:appName": f"ours-{consumer}-{round_number}"}
        lines = (project / "stacks" / f"Pulumi.{stack}.yaml").read_text().splitlines()
        kept = [line for line in lines if "deployPomerium" not in line and "encryptionsalt" not in line]
        (project / "stacks" / f"Pulumi.{stack}.yaml").write_text("\n".join(kept) + "\n")
        change = ("pomerium-auth0:authenticateServiceUrl", "https://signin.sandbox.example.com")
        stacks[label] = (PulumiStack(project, stack, env, config, change), ROOT)
    return stacks


def measure(repeat: int) -> dict[str, dict[str, list[Sample]]]:
    """Per tool, per operation, one Sample per round; tools interleaved within each round."""
    peers = Path(
        subprocess.run([str(ROOT / "scripts" / "peers.sh")], capture_output=True, text=True, check=True).stdout.split()[
            -1
        ]
    )
    results: dict[str, dict[str, list[Sample]]] = {tool: {op: [] for op in OPERATIONS} for tool in TOOLS}
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        control.start(base / "sandbox", engine_bin(), " ".join(DEFAULT_BOOTSTRAP_SCOPES), None)
        try:
            env = control.process_environment(base / "sandbox")
            tenant = TenantClient(control.tenant_info(base / "sandbox"))
            for round_number in range(repeat):
                for tool, (runner, cwd) in _tools(base / f"round-{round_number}", peers, env, round_number).items():
                    for operation in OPERATIONS:
                        command = runner.command(operation)
                        before = tenant.last_seq()
                        sample = timed(command, cwd, runner.env)
                        sample.requests = tenant.requests_by_endpoint(before)
                        results[tool][operation].append(sample)
                        print(
                            f"round {round_number + 1}/{repeat} {tool}: {operation} {sample.seconds:.1f} s"
                            + "".join(f", {verb} {seconds:.1f} s" for verb, seconds in sample.cli),
                            file=sys.stderr,
                        )
        finally:
            control.stop(base / "sandbox")
    return results


def _time_table(
    results: dict[str, dict[str, list[Sample]]], title: str, seconds: Callable[[str, Sample], float]
) -> list[str]:
    """One time per tool and operation, median (min-max), with ours' ratios against both peers."""
    lines = [title, ""]
    lines += ["| Operation | " + " | ".join(TOOLS) + " | ours none / OpenTofu | ours none / plain |"]
    lines += ["| --- |" + " --- |" * (len(TOOLS) + 2)]
    for operation in OPERATIONS:
        times = {tool: [seconds(tool, sample) for sample in results[tool][operation]] for tool in TOOLS}
        medians = {tool: statistics.median(values) for tool, values in times.items()}
        cells = [f"{medians[tool]:.1f} s ({min(times[tool]):.1f}-{max(times[tool]):.1f})" for tool in TOOLS]
        ratios = [f"{medians[OURS] / medians[peer]:.2f}x" for peer in ("OpenTofu", "plain Pulumi")]
        lines.append(f"| {operation} | " + " | ".join(cells + ratios) + " |")
    return lines


def _own_process_seconds(tool: str, sample: Sample) -> float:
    """What a user running the tool's CLI waits for: `tofu` is itself that process; a Pulumi run's
    is its `pulumi up`/`preview`/`destroy`, without the runner's other CLI processes and Python start."""
    return sample.seconds if tool == "OpenTofu" else sample.cli_seconds(own=True)


def report(results: dict[str, dict[str, list[Sample]]], repeat: int) -> str:
    """The Markdown tables: wall time with ratios, the same for the operation's own process, where
    ours' whole run goes, peak memory, Auth0 requests by endpoint."""
    lines = _time_table(results, f"Peers on one sandbox, median of {repeat} (min-max):", lambda _, s: s.seconds)
    lines += ["", *_time_table(results, "The operation's own process alone, median (min-max):", _own_process_seconds)]
    lines += ["", *_whole_run_table(results[OURS])]
    lines += [
        "",
        "Peak RSS of the CLI and plugin processes, MB (sum of the tree / largest process), over all operations:",
        "",
    ]
    lines += ["| Tool | Sum | Largest |", "| --- | --- | --- |"]
    for tool in TOOLS:
        samples = [sample for op in OPERATIONS for sample in results[tool][op]]
        lines.append(
            f"| {tool} | {max(s.peak_total_mb for s in samples):.0f} | {max(s.peak_single_mb for s in samples):.0f} |"
        )
    lines += ["", "Auth0 Management requests in the last round (total; by endpoint below):", ""]
    lines += ["| Operation | " + " | ".join(TOOLS) + " |", "| --- |" + " --- |" * len(TOOLS)]
    for operation in OPERATIONS:
        counts = [str(sum(results[tool][operation][-1].requests.values())) for tool in TOOLS]
        lines.append(f"| {operation} | " + " | ".join(counts) + " |")
    lines += ["", "| Tool | Operation | Requests by endpoint |", "| --- | --- | --- |"]
    for tool in TOOLS:
        for operation in OPERATIONS:
            by_endpoint = results[tool][operation][-1].requests
            detail = ", ".join(f"`{endpoint}` {count}" for endpoint, count in sorted(by_endpoint.items())) or "none"
            lines.append(f"| {tool} | {operation} | {detail} |")
    return "\n".join(lines)


def _whole_run_table(ours: dict[str, list[Sample]]) -> list[str]:
    """Where a whole run of ours goes: its own `pulumi` process, the Automation API's other CLI
    processes (select the stack before; read outputs and history after an update), and the rest
    (the Python process starting and importing the SDKs, the gaps between processes)."""
    lines = [f"Where the whole run of {OURS} goes, median:", ""]
    lines += ["| Operation | Whole run | Its `pulumi` process | Other `pulumi` processes | The rest |"]
    lines += ["| --- | --- | --- | --- | --- |"]
    for operation in OPERATIONS:
        samples = ours[operation]
        whole = statistics.median(sample.seconds for sample in samples)
        own = statistics.median(sample.cli_seconds(own=True) for sample in samples)
        others = statistics.median(sample.cli_seconds(own=False) for sample in samples)
        runs = ", ".join(verb for verb, _ in samples[-1].cli if verb not in OWN_VERBS)
        lines.append(
            f"| {operation} | {whole:.1f} s | {own:.1f} s | {others:.1f} s ({runs}) | {whole - own - others:.1f} s |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(report(measure(args.repeat), args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
