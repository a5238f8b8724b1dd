"""Runs our post-login Action's JavaScript with the sandbox tenant's runner (both test suites use it)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.auth0_tenant.authentication import actions


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
    """Execute the Action's `onExecutePostLogin` and return the ID-token claims it set.

    Our Action must leave the access token alone and never deny a login, so either fails the test.
    """
    if actions.NODE is None:
        pytest.skip("node is not installed")
    result = actions.run_action(code, event)
    assert result.access_token_claims == {}, "the access token must stay untouched"
    assert result.denied is None, "the Action must never deny a login"
    return result.id_token_claims
