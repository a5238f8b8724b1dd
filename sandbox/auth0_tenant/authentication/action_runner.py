"""Runs the tenant's deployed post-login Actions with Node, as Auth0 runs them at login and at refresh.

One runner (`action_runner.js`) serves both the login here and the tests that run our Action's source
directly. Each Action of the trigger runs in binding order with its own `event.secrets`; the custom claims
add up, and the first `api.access.deny` or thrown error ends the flow and fails the login.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NODE = shutil.which("node")
RUNNER = Path(__file__).with_name("action_runner.js")
TIMEOUT_SECONDS = 20


class ActionFailed(Exception):
    """An Action threw, rejected, or denied the login; the message is what Auth0 reports to the application."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DeployedAction:
    """One binding of the trigger: the action's name, its deployed version's code and secret values."""

    name: str
    code: str
    secrets: dict[str, str]


@dataclass
class ActionResult:
    """What the Actions asked for: custom claims on each token, or a denial."""

    id_token_claims: dict[str, Any] = field(default_factory=dict)
    access_token_claims: dict[str, Any] = field(default_factory=dict)
    denied: str | None = None


def run_action(code: str, event: dict[str, Any]) -> ActionResult:
    """Execute one Action's `onExecutePostLogin(event, api)`; `ActionFailed` if it throws."""
    if NODE is None:
        raise ActionFailed("node is not installed: the sandbox cannot run post-login Actions")
    try:
        completed = subprocess.run(
            [NODE, str(RUNNER)],
            input=json.dumps({"code": code, "event": event}),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ActionFailed(f"Action did not finish within {TIMEOUT_SECONDS} seconds") from error
    try:
        answer: dict[str, Any] = json.loads(completed.stdout)
    except json.JSONDecodeError as error:
        raise ActionFailed(completed.stderr.strip() or "Action runner gave no answer") from error
    if completed.returncode != 0:
        raise ActionFailed(str(answer.get("error", completed.stderr.strip())))
    return ActionResult(answer["id_token"], answer["access_token"], answer["denied"])


def run_post_login(actions: list[DeployedAction], event: dict[str, Any]) -> ActionResult:
    """Run the trigger's Actions in order, each with its own secrets; the claims of all of them, or `ActionFailed`."""
    total = ActionResult()
    for action in actions:
        result = run_action(action.code, {**event, "secrets": dict(action.secrets)})
        if result.denied is not None:
            raise ActionFailed(result.denied)
        total.id_token_claims.update(result.id_token_claims)
        total.access_token_claims.update(result.access_token_claims)
    return total
