"""One JSON line per request, in a file and in memory, so a test can assert on what the provider sent."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any


class RequestLog:
    """Append-only file log plus an in-memory copy that the admin route serves.

    Every entry carries `seq`, 1 for the first request and one more for each after it. There is no
    reset: a reader remembers the last `seq` it saw and asks for what came after (`entries(since)`),
    so one reader's baseline never hides entries from another's.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def record(self, entry: dict[str, Any]) -> None:
        """Keep one request's entry with the next `seq`, flushed at once so a crash loses nothing."""
        with self._lock:
            numbered = {**entry, "seq": len(self._entries) + 1}
            self._entries.append(numbered)
            self._file.write(json.dumps(numbered, sort_keys=True) + "\n")
            self._file.flush()

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        """Every entry whose `seq` is above `since`, oldest first."""
        with self._lock:
            return self._entries[max(since, 0) :]

    def last_seq(self) -> int:
        """The `seq` of the latest entry (0 before the first request): a baseline for :meth:`entries`."""
        with self._lock:
            return len(self._entries)

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()
