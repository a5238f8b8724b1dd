"""Runs our post-login Action's JavaScript with the sandbox tenant's runner (both test suites use it)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.auth0_tenant.authentication import action_runner as actions

requires_node = pytest.mark.skipif(actions.NODE is None, reason="node is not installed (it runs the Action's code)")
"""For the mock suite, where Node is optional; the real-engine suite fails at its start without it."""


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
    A test that gets here without Node fails: check for it before the test starts (:data:`requires_node`,
    or the e2e suite's session check), so no test skips halfway through.
    """
    assert actions.NODE is not None, "node is not installed, and this test did not check for it up front"
    result = actions.run_action(code, event)
    assert result.access_token_claims == {}, "the access token must stay untouched"
    assert result.denied is None, "the Action must never deny a login"
    return result.id_token_claims
