"""Run the stack program with the real `pulumi` CLI when no Python language host is installed.

`pulumi-language-python` lives in a Go module that the module proxy does not serve, so the engine
`scripts/engine.sh` builds has none. Pulumi's Automation API covers that case: an inline program
hosts the language runtime in this process, and the real CLI, engine and provider plugins connect to
it (`pulumi up --client=…`). The CLI still reads the project's `Pulumi.yaml` and `stacks/` files, and
the program is `__main__.py`, run exactly as the language host would run it.

    python -m sandbox.program up --stack sandbox [--dir PROJECT]
    python -m sandbox.program preview --stack sandbox --json      # the steps, as JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import runpy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ("preview", "up", "refresh", "destroy")


def inline_program(project_dir: Path) -> Callable[[], None]:
    """The project's `__main__.py`, run as `__main__` the way the Python language host runs it."""

    def run() -> None:
        runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__")

    return run


def select_stack(stack_name: str, project_dir: Path) -> auto.Stack:
    """Select the stack (creating it on first use) in the project directory's backend and config files."""
    # For inline programs the `work_dir` keyword is ignored: only the option makes the CLI run in
    # the project directory, where it reads `Pulumi.yaml` and the stack files.
    return auto.create_or_select_stack(
        stack_name=stack_name,
        project_name=_project_name(project_dir),
        program=inline_program(project_dir),
        opts=auto.LocalWorkspaceOptions(work_dir=str(project_dir)),
    )


def _project_name(project_dir: Path) -> str:
    name: str = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"]
    return name


def _step(event: auto.EngineEvent) -> dict[str, Any] | None:
    """One `pulumi preview --json` step from an engine event: op, urn, type and which properties differ."""
    if event.resource_pre_event is None:
        return None
    metadata = event.resource_pre_event.metadata
    return {
        "op": metadata.op.value,
        "urn": metadata.urn,
        "type": metadata.type,
        "diffs": sorted(metadata.diffs or []),
        "detailedDiff": {
            path: {"kind": diff.diff_kind.value, "inputDiff": diff.input_diff}
            for path, diff in (metadata.detailed_diff or {}).items()
        },
    }


def run(
    operation: str, stack: auto.Stack, *, as_json: bool, expect_no_changes: bool, clear_pending_creates: bool = False
) -> int:
    """Run one operation; with `as_json`, progress goes to stderr and the steps to stdout."""
    steps: list[dict[str, Any]] = []

    def on_event(event: auto.EngineEvent) -> None:
        step = _step(event)
        if step is not None:
            steps.append(step)

    stream = sys.stderr if as_json else sys.stdout

    def on_output(line: str) -> None:
        print(line, file=stream, flush=True)

    common: dict[str, Any] = {"on_output": on_output, "on_event": on_event, "color": "never"}
    try:
        if operation == "preview":
            stack.preview(expect_no_changes=expect_no_changes, diff=True, **common)
        elif operation == "up":
            stack.up(expect_no_changes=expect_no_changes, **common)
        elif operation == "refresh":
            stack.refresh(expect_no_changes=expect_no_changes, clear_pending_creates=clear_pending_creates, **common)
        else:
            stack.destroy(**common)
    except auto.CommandError as error:
        # The CLI's stdout already streamed above; its stderr is the rest of the story.
        stderr = str(error).partition("\n stderr: ")[2].strip()
        print(stderr or f"pulumi {operation} failed", file=sys.stderr, flush=True)
        return 1
    finally:
        if as_json:
            print(json.dumps({"steps": steps}, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.program", description=__doc__.split("\n\n")[0])
    parser.add_argument("operation", choices=OPERATIONS)
    parser.add_argument("--stack", "-s", required=True)
    parser.add_argument("--dir", type=Path, default=ROOT, help="project directory (default: this repository)")
    parser.add_argument("--json", action="store_true", help="print the steps as JSON on stdout")
    parser.add_argument("--expect-no-changes", action="store_true")
    parser.add_argument("--yes", "-y", action="store_true", help="accepted like pulumi's; this runner never prompts")
    parser.add_argument(
        "--clear-pending-creates", action="store_true", help="refresh: drop creates an interrupted run left pending"
    )
    args = parser.parse_args(argv)
    stack = select_stack(args.stack, args.dir.resolve())
    return run(
        args.operation,
        stack,
        as_json=args.json,
        expect_no_changes=args.expect_no_changes,
        clear_pending_creates=args.clear_pending_creates,
    )


if __name__ == "__main__":
    sys.exit(main())
