"""Background daemons of the sandbox: started detached, tracked by pid files, stopped without leftovers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

PIDS_DIR = "pids"
LOGS_DIR = "logs"


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


REPOSITORY = Path(__file__).resolve().parent.parent


def python_module(module: str, *args: str) -> list[str]:
    """argv that runs one of this repository's Python modules with the current interpreter."""
    return [sys.executable, "-m", module, *args]


def spawn(state_dir: Path, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Start `argv` in its own session (so it outlives the caller), logging to logs/<name>.log."""
    (state_dir / PIDS_DIR).mkdir(parents=True, exist_ok=True)
    (state_dir / LOGS_DIR).mkdir(parents=True, exist_ok=True)
    with (state_dir / LOGS_DIR / f"{name}.log").open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # The sandbox's own Python daemons import `sandbox` from this repository, wherever we are.
            env={**(env if env is not None else os.environ), "PYTHONPATH": str(REPOSITORY)},
        )
    (state_dir / PIDS_DIR / f"{name}.pid").write_text(str(process.pid))
    return process.pid


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that exited but was not reaped is a zombie: treat it as gone.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def running(state_dir: Path) -> dict[str, int]:
    """Name to pid of every daemon the sandbox started that is still alive."""
    alive = {}
    for pid_file in sorted((state_dir / PIDS_DIR).glob("*.pid")):
        pid = int(pid_file.read_text())
        if is_running(pid):
            alive[pid_file.stem] = pid
    return alive


def stop_all(state_dir: Path, grace_seconds: float = 10.0) -> list[str]:
    """SIGTERM every daemon's process group, then SIGKILL what is left; return the names stopped."""
    alive = running(state_dir)
    for pid in alive.values():
        _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and any(is_running(pid) for pid in alive.values()):
        time.sleep(0.1)
    for pid in alive.values():
        if is_running(pid):
            _signal_group(pid, signal.SIGKILL)
    for pid_file in (state_dir / PIDS_DIR).glob("*.pid"):
        pid_file.unlink()
    return sorted(alive)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)


def wait_until(ready: Callable[[], bool], *, what: str, timeout: float, log: Path | None = None) -> None:
    """Poll `ready` until it holds; on timeout raise with the daemon log's tail, which says why."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    tail = ""
    if log is not None and log.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    raise RuntimeError(f"{what} did not become ready within {timeout:.0f} s\n{tail}")


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`, found through parent links in /proc: process groups and sessions aside."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone while we read
        children.setdefault(parent, []).append(int(stat.parent.name))
    found: list[int] = []
    queue = [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def kill_tree(pid: int) -> list[int]:
    """SIGKILL `pid` and every process it started, as a crash of the machine would; return the pids.

    Killing a process group is not enough: the Pulumi CLI starts each plugin in a process group of its
    own (`cmdutil.RegisterProcessGroup`), so `killpg` of the CLI leaves its plugins running. The tree
    is frozen with SIGSTOP first, so nothing in it forks, exits or loses its parent while it is collected.
    """
    frozen: set[int] = set()
    while new := {pid, *descendants(pid)} - frozen:
        for member in new:
            with contextlib.suppress(ProcessLookupError):
                os.kill(member, signal.SIGSTOP)
        frozen |= new
    for member in frozen:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)
    return sorted(frozen)
