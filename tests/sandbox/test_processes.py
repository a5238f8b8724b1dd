"""`sandbox.processes.kill_tree` kills what a crash kills: a process and children that left its process group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sandbox.processes import is_running, kill_tree

# Like the Pulumi CLI with a plugin: the child starts a grandchild in a process group of its own.
SPAWNS_A_PLUGIN = """
import subprocess, sys, time
plugin = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], process_group=0)
print(plugin.pid, flush=True)
time.sleep(60)
"""


def start_cli_with_plugin() -> tuple[subprocess.Popen[str], int]:
    cli = subprocess.Popen(
        [sys.executable, "-c", SPAWNS_A_PLUGIN], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert cli.stdout is not None
    return cli, int(cli.stdout.readline())


def gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid):  # a zombie counts as gone
            return True
        time.sleep(0.05)
    return False


def test_kill_tree_kills_a_child_in_another_process_group() -> None:
    cli, plugin = start_cli_with_plugin()
    assert os.getpgid(plugin) != os.getpgid(cli.pid)
    assert set(kill_tree(cli.pid)) >= {cli.pid, plugin}
    cli.wait(timeout=5)
    assert gone(plugin)


def test_killing_the_process_group_alone_leaves_that_child_running() -> None:
    """The negative control: what `os.killpg` of the CLI did, and why the crash test left plugins behind."""
    cli, plugin = start_cli_with_plugin()
    try:
        os.killpg(cli.pid, signal.SIGKILL)
        cli.wait(timeout=5)
        assert not gone(plugin, timeout=1.0)
    finally:
        os.kill(plugin, signal.SIGKILL)
