"""What one benchmarked command costs, read from /proc while it runs: wall time, the peak memory of
its process tree, and each `pulumi` CLI process in it by subcommand (the Automation API runs several
per operation; only one of them is the operation a CLI user would run)."""

from __future__ import annotations

import itertools
import os
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_SECONDS = 0.05
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
OWN_VERBS = ("up", "preview", "destroy")


@dataclass
class Process:
    """One process of the tree, as /proc shows it at a sample."""

    rss_mb: float
    started: float
    """Seconds since boot (CLOCK_BOOTTIME), from /proc/<pid>/stat."""
    argv: list[str]


@dataclass
class Sample:
    """One operation's measurements."""

    seconds: float
    peak_total_mb: float
    peak_single_mb: float
    cli: list[tuple[str, float]] = field(default_factory=list)
    """Each `pulumi` CLI process the command ran: its subcommand and wall seconds."""
    requests: Counter[str] = field(default_factory=Counter)

    def cli_seconds(self, own: bool) -> float:
        """Seconds of the operation's own CLI process (`up`, `preview`, `destroy`), or of all the others."""
        return sum(seconds for verb, seconds in self.cli if (verb in OWN_VERBS) == own)


def _process_tree(root_pid: int) -> dict[int, Process]:
    """`root_pid` and every descendant, by pid, read from /proc."""
    children: dict[int, list[int]] = {}
    processes: dict[int, Process] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").rstrip("\0").split("\0")
        except OSError:
            continue
        if argv == [""]:
            continue  # a zombie (exited, not yet reaped) or a kernel thread: no argv, no memory
        fields = stat[stat.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        started = int(fields[19]) / CLOCK_TICKS
        processes[int(entry.name)] = Process(int(statm[1]) * PAGE_SIZE / 2**20, started, argv)
    found: dict[int, Process] = {}
    stack = [root_pid]
    while stack:
        pid = stack.pop()
        if pid in processes:
            found[pid] = processes[pid]
        stack.extend(children.get(pid, []))
    return found


def _cli_runs(seen: dict[int, tuple[Process, float]]) -> list[tuple[str, float]]:
    """The `pulumi` CLI processes among those seen, in start order: subcommand and start-to-last-seen seconds."""
    runs = [
        (process.started, _subcommand(process.argv), last_seen - process.started)
        for process, last_seen in seen.values()
        if Path(process.argv[0]).name == "pulumi"
    ]
    return [(verb, seconds) for _, verb, seconds in sorted(runs)]


def _subcommand(argv: list[str]) -> str:
    """`up`, `preview`, `stack select`, `version`: the first words after any leading flags (the
    Automation API puts `--non-interactive` first)."""
    words = itertools.dropwhile(lambda word: word.startswith("-"), argv[1:])
    return " ".join(itertools.islice(itertools.takewhile(lambda word: not word.startswith("-"), words), 2))


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    """Run `command`: its wall seconds, the peak sum and peak single RSS of its process tree, and each
    `pulumi` CLI process in it (start from /proc, end when last seen: within one sample interval)."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak_total = peak_single = 0.0
    seen: dict[int, tuple[Process, float]] = {}
    while process.poll() is None:
        tree = _process_tree(process.pid)
        now = time.clock_gettime(time.CLOCK_BOOTTIME)
        for pid, member in tree.items():
            seen[pid] = (member, now)  # the latest argv: a child's first sample may precede its exec
        if tree:
            rss = [member.rss_mb for member in tree.values()]
            peak_total, peak_single = max(peak_total, sum(rss)), max(peak_single, max(rss))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.monotonic() - started
    output = process.stdout.read().decode() if process.stdout else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed in {cwd}:\n{output[-3000:]}")
    return Sample(seconds, peak_total, peak_single, _cli_runs(seen))
