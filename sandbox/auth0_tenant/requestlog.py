"""One JSON line per request, in a file and in memory, so a test can assert on what the provider sent."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any


class RequestLog:
    """Append-only file log plus an in-memory copy that the admin route serves and can reset.

    Reset clears only the in-memory copy: the file keeps the whole run for a post-mortem.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def record(self, entry: dict[str, Any]) -> None:
        """Keep one request's entry, flushed at once so a crash loses nothing."""
        line = json.dumps(entry, sort_keys=True)
        with self._lock:
            self._entries.append(entry)
            self._file.write(line + "\n")
            self._file.flush()

    def entries(self) -> list[dict[str, Any]]:
        """Every entry since the last reset, oldest first."""
        with self._lock:
            return list(self._entries)

    def reset(self) -> None:
        """Forget the entries so far (the file keeps them)."""
        with self._lock:
            self._entries.clear()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()
