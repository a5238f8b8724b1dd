"""Runs an Auth0 post-login Action's JavaScript with Node the way Auth0 calls it (both test suites use it)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

NODE = shutil.which("node")
RUNNER = Path(__file__).with_name("action_runner.js")


def login_event(client_id: str, roles: list[str] | None, metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """A post-login event for a user with these roles, signing in to this application."""
    event: dict[str, Any] = {
        "client": {"client_id": client_id, "name": "app", "metadata": metadata or {}},
        "user": {"user_id": "auth0|1"},
    }
    if roles is not None:
        event["authorization"] = {"roles": roles}
    return event


def run_post_login(code: str, event: dict[str, Any]) -> dict[str, Any]:
    """Execute the Action's `onExecutePostLogin` and return the ID-token claims it set."""
    if NODE is None:
        pytest.skip("node is not installed")
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "action.js"
        source.write_text(code)
        result = subprocess.run(
            [NODE, str(RUNNER), str(source)], input=json.dumps(event), capture_output=True, text=True, check=True
        )
    claims: dict[str, Any] = json.loads(result.stdout)
    return claims
