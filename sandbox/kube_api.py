"""A small Kubernetes API client over client-certificate TLS, for the stand-in kubelet and for tests.

Tests read the cluster back through it (the real result, not what the program meant to do); the
stand-in kubelet uses it to bind and report pods. Standard library only.
"""

from __future__ import annotations

import http.client
import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MERGE_PATCH = "application/merge-patch+json"


class KubeApiError(Exception):
    """A non-2xx answer, with its status so callers can treat 404/409 as expected outcomes."""

    def __init__(self, status: int, method: str, path: str, body: str) -> None:
        super().__init__(f"{method} {path} -> {status}: {body[:500]}")
        self.status = status


@dataclass(frozen=True)
class KubeApi:
    """Where the API server is and how to authenticate (an admin client certificate)."""

    host: str
    port: int
    ca_file: Path
    cert_file: Path
    key_file: Path

    @classmethod
    def load(cls, path: Path) -> KubeApi:
        """Read coordinates saved by :meth:`save`."""
        settings = json.loads(path.read_text())
        return cls(
            settings["host"],
            settings["port"],
            Path(settings["ca_file"]),
            Path(settings["cert_file"]),
            Path(settings["key_file"]),
        )

    def save(self, path: Path) -> None:
        fields = {"host": self.host, "port": self.port}
        files = {"ca_file": self.ca_file, "cert_file": self.cert_file, "key_file": self.key_file}
        path.write_text(json.dumps(fields | {name: str(value) for name, value in files.items()}))

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context

    def request(self, method: str, path: str, body: object = None, content_type: str = "application/json") -> Any:
        """One request; JSON in, JSON (or text, e.g. `/readyz`) out. Raises KubeApiError on a non-2xx status."""
        connection = http.client.HTTPSConnection(self.host, self.port, context=self._context(), timeout=30)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Accept": "application/json"}
            if payload is not None:
                headers["Content-Type"] = content_type
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            is_json = response.getheader("Content-Type", "").startswith("application/json")
        finally:
            connection.close()
        if not 200 <= response.status < 300:
            raise KubeApiError(response.status, method, path, text)
        return json.loads(text) if is_json and text else text

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def get_or_none(self, path: str) -> Any:
        """The object, or None when the server says 404."""
        try:
            return self.get(path)
        except KubeApiError as error:
            if error.status == 404:
                return None
            raise

    def ready(self) -> bool:
        """True once `/readyz` answers 200; False while the server is still starting or unreachable."""
        try:
            self.request("GET", "/readyz")
        except (OSError, KubeApiError):
            return False
        return True
