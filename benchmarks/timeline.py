"""Where the time of a real `pulumi up` goes: each resource's start, end and duration, and the critical path.

Run `.venv/bin/python benchmarks/timeline.py` after `scripts/engine.sh`. It starts its own sandbox,
runs a first `up`, a no-op `preview`, a one-field update (a route's policy: the ConfigMap changes
and the Deployment rolls) and a `destroy` of the sandbox stack through the Automation API, and
prints a Markdown timeline per operation from the engine's events: when each resource's step
started and ended, measured from the start of the operation as the events arrive here.

The critical path is the chain of steps that ends last, each waiting on the step it depends on that
ended last (dependencies from the stack's state). Its length is the work the run cannot go faster
than; the rest of the wall time is the CLI, the plugins and the program starting, and the gaps
between steps.

`--repeat N` (default 3) runs the whole benchmark N times, each in a fresh process with a fresh
sandbox (as a user's first `up` imports the SDKs and meets a new cluster), prints the tables of the
run whose first `up` has the median ratio, and then each operation's median and range.

Two wall times are reported. The CLI's is the `pulumi up` process alone: what a user running the
CLI waits for. The Automation API's adds the two CLI processes its `up()` runs afterwards to read
the outputs and the update summary (`pulumi stack output`, `pulumi stack history`), which only a
program driving Pulumi through the Automation API (as the sandbox's runner does) pays.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pulumi import automation as auto  # noqa: E402

from benchmarks.real_engine import engine_bin, project_copy  # noqa: E402
from sandbox import control  # noqa: E402
from sandbox.auth0_tenant.management.scopes import DEFAULT_BOOTSTRAP_SCOPES  # noqa: E402
from sandbox.program import select_stack  # noqa: E402

STACK = "timeline"
ROUTES_KEY = "pomerium-auth0:routes"
FIRST_UP = "First `up`"


@dataclass
class Step:
    urn: str
    op: str
    start: float
    end: float | None = None

    @property
    def name(self) -> str:
        """`type::name` of the URN: short enough for a table, unique in one stack."""
        _, _, kind, resource = self.urn.split("::", 3)
        return f"{kind.rpartition('$')[2]}::{resource}"


@dataclass
class Timeline:
    """One operation's steps, by URN, in the order they started, and its wall time."""

    steps: dict[str, Step] = field(default_factory=dict)
    wall: float = 0.0
    cli: list[float] = field(default_factory=list)
    """Wall time of each CLI process the operation ran, the operation's own first."""

    @property
    def cli_wall(self) -> float:
        """The operation's own CLI process: what a user running the CLI waits for."""
        return self.cli[0] if self.cli else self.wall

    def record(self, event: auto.EngineEvent, started: float) -> None:
        now = time.monotonic() - started
        if event.resource_pre_event is not None:
            metadata = event.resource_pre_event.metadata
            if metadata.op.value != "same":
                self.steps[metadata.urn] = Step(metadata.urn, metadata.op.value, now)
        elif event.res_outputs_event is not None and event.res_outputs_event.metadata.urn in self.steps:
            self.steps[event.res_outputs_event.metadata.urn].end = now

    def critical_path(self, dependencies: dict[str, list[str]], custom: set[str]) -> list[Step]:
        """The chain ending at the last custom resource step to finish (components only wrap their children)."""
        done = {urn: s for urn, s in self.steps.items() if s.end is not None and urn in custom}
        if not done:
            return []
        chain = [max(done.values(), key=lambda s: s.end or 0.0)]
        while True:
            before = [
                done[d]
                for d in dependencies.get(chain[-1].urn, [])
                if d in done and (done[d].end or 0) <= chain[-1].start
            ]
            if not before:
                return chain[::-1]
            chain.append(max(before, key=lambda s: s.end or 0.0))


def run(stack: auto.Stack, operation: str) -> Timeline:
    timeline = Timeline()
    command = stack.workspace.pulumi_command
    run_cli = command.run

    def timed_cli(*args: Any, **kwargs: Any) -> auto.CommandResult:
        cli_started = time.monotonic()
        try:
            return run_cli(*args, **kwargs)
        finally:
            timeline.cli.append(time.monotonic() - cli_started)

    def on_event(event: auto.EngineEvent) -> None:
        timeline.record(event, started)

    command.run = timed_cli  # type: ignore[method-assign]
    started = time.monotonic()

    if operation == "preview":
        stack.preview(on_event=on_event, color="never")
    elif operation == "destroy":
        stack.destroy(on_event=on_event, color="never")
    else:
        stack.up(on_event=on_event, color="never")
    timeline.wall = time.monotonic() - started
    command.run = run_cli  # type: ignore[method-assign]
    return timeline


def state_graph(stack: auto.Stack) -> tuple[dict[str, list[str]], set[str]]:
    """Each resource's dependencies, its provider among them, and which resources are custom (not components)."""
    resources: list[dict[str, Any]] = (stack.export_stack().deployment or {}).get("resources", [])
    dependencies = {
        # A provider reference is `<provider URN>::<provider id>`.
        r["urn"]: [*r.get("dependencies", []), r.get("provider", "").rpartition("::")[0]]
        for r in resources
    }
    return dependencies, {r["urn"] for r in resources if r.get("custom")}


def path_work(path: list[Step]) -> float:
    """The critical path's length: its steps' durations."""
    return sum((s.end or 0) - s.start for s in path)


def table(label: str, timeline: Timeline, path: list[Step]) -> str:
    on_path = {s.urn for s in path}
    cli = timeline.cli_wall
    lines = [
        f"### {label}: {cli:.1f} s wall of the CLI, {timeline.wall:.1f} s of the Automation API call"
        f" ({len(timeline.cli)} CLI processes: {', '.join(f'{s:.2f} s' for s in timeline.cli)})",
        "",
        "| Resource | Step | Start | End | Duration |",
        "| --- | --- | --- | --- | --- |",
    ]
    for step in sorted(timeline.steps.values(), key=lambda s: s.start):
        end = f"{step.end:.2f} s" if step.end is not None else "-"
        duration = f"{step.end - step.start:.2f} s" if step.end is not None else "-"
        mark = " **(critical)**" if step.urn in on_path else ""
        lines.append(f"| `{step.name}`{mark} | {step.op} | {step.start:.2f} s | {end} | {duration} |")
    if path:
        work = path_work(path)
        lines += [
            "",
            f"Critical path: {' -> '.join(f'`{s.name}` {(s.end or 0) - s.start:.2f} s' for s in path)};"
            f" {work:.1f} s of work; the CLI's wall time is {cli / work:.2f}x that,"
            f" the Automation API call's {timeline.wall / work:.2f}x."
            if work
            else "",
        ]
    return "\n".join(lines)


def change_one_route(project: Path) -> None:
    """The route's policy allows another group: the ConfigMap changes and the Deployment rolls."""
    stack_file = project / "stacks" / f"Pulumi.{STACK}.yaml"
    settings = yaml.safe_load(stack_file.read_text())
    settings["config"][ROUTES_KEY][0]["policy"] = [{"allow": {"or": [{"claim/pomerium.io/groups": "admins"}]}}]
    stack_file.write_text(yaml.safe_dump(settings, sort_keys=False))


def ratio(timeline: Timeline, path: list[Step]) -> float | None:
    """The CLI's wall time over the critical path's work; None without a path."""
    work = path_work(path)
    return timeline.cli_wall / work if work else None


def one_run() -> tuple[str, dict[str, dict[str, float | None]]]:
    """Every operation once on a fresh sandbox: the Markdown tables, and per operation its CLI wall, path and ratio."""
    engine = engine_bin()
    report: list[str] = []
    summary: dict[str, dict[str, float | None]] = {}

    def record(label: str, timeline: Timeline, path: list[Step]) -> None:
        report.append(table(label, timeline, path))
        summary[label] = {
            "cli": timeline.cli_wall,
            "path": path_work(path) or None,
            "ratio": ratio(timeline, path),
        }

    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        project = project_copy(base / "projects", STACK)
        control.start(base / "sandbox", engine, " ".join(DEFAULT_BOOTSTRAP_SCOPES), None)
        try:
            os.environ.update(control.process_environment(base / "sandbox"))
            stack = select_stack(STACK, project)
            first = run(stack, "up")
            record(FIRST_UP, first, first.critical_path(*state_graph(stack)))
            record("No-op `preview`", run(stack, "preview"), [])
            change_one_route(project)
            update = run(stack, "up")
            record("One-field update (a route's policy)", update, update.critical_path(*state_graph(stack)))
            record("`destroy`", run(stack, "destroy"), [])
        finally:
            control.stop(base / "sandbox")
    return "\n\n".join(report), summary


def summary_table(runs: list[dict[str, dict[str, float | None]]]) -> str:
    """Each operation's CLI wall time, critical path and ratio over the runs: median (min-max)."""

    def cell(values: list[float | None], unit: str) -> str:
        present = sorted(v for v in values if v is not None)
        if not present:
            return "-"
        return f"{statistics.median(present):.2f}{unit} ({present[0]:.2f}-{present[-1]:.2f})"

    lines = [
        f"### Over {len(runs)} runs: median (min-max)",
        "",
        "| Operation | Wall time of the CLI | Critical path | Ratio |",
        "| --- | --- | --- | --- |",
    ]
    for label in runs[0]:
        column = [run[label] for run in runs]
        lines.append(
            f"| {label} | {cell([c['cli'] for c in column], ' s')} | {cell([c['path'] for c in column], ' s')}"
            f" | {cell([c['ratio'] for c in column], 'x')} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs, each in a fresh process and sandbox")
    parser.add_argument("--summary", type=Path, help=argparse.SUPPRESS)  # a child run writes its numbers here
    args = parser.parse_args()
    if args.repeat == 1:
        report, summary = one_run()
        if args.summary:
            args.summary.write_text(json.dumps({"report": report, "summary": summary}))
        else:
            print(report)
        return 0
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for index in range(args.repeat):
            print(f"[timeline] run {index + 1}/{args.repeat}", file=sys.stderr, flush=True)
            out = Path(scratch) / f"run-{index}.json"
            subprocess.run([sys.executable, __file__, "--repeat", "1", "--summary", str(out)], check=True)
            runs.append(json.loads(out.read_text()))
    by_ratio = sorted(runs, key=lambda r: r["summary"][FIRST_UP]["ratio"] or 0.0)
    print(f"The run whose first `up` has the median ratio:\n\n{by_ratio[len(by_ratio) // 2]['report']}")
    print("\n" + summary_table([r["summary"] for r in runs]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
