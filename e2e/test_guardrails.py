"""What stops a run on the real engine: bad config before any API call, and `protect` before any delete."""

from __future__ import annotations

from e2e.conftest import Sandbox, StackFactory


def test_bad_config_stops_preview_with_our_message_and_the_tenant_sees_no_request(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    stack = new_stack(authenticateServiceUrl="http://authenticate.sandbox.example.com")
    sandbox.tenant.reset_requests()
    result = stack.run("preview", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "pomerium-auth0:authenticateServiceUrl" in output
    assert "only https:// is allowed" in output
    assert "Traceback" not in output, "the user must get our sentence, not a stack trace"
    assert sandbox.tenant.requests() == []


def test_destroy_of_a_protected_stack_is_refused_and_deletes_nothing(sandbox: Sandbox, new_stack: StackFactory) -> None:
    stack = new_stack(protect="true")
    stack.run("up")
    app_name = f"pomerium-{stack.name}"
    before = {c["client_id"] for c in sandbox.tenant.clients() if c["name"].startswith(app_name)}
    assert len(before) == 2

    refused = stack.run("destroy", check=False)
    assert refused.returncode != 0
    assert "protected" in refused.stdout + refused.stderr

    after = {c["client_id"] for c in sandbox.tenant.clients() if c["name"].startswith(app_name)}
    assert after == before
    assert sandbox.kube.get_or_none(f"/api/v1/namespaces/{stack.name}/secrets/pomerium-idp") is not None
    assert sandbox.kube.get_or_none(f"/api/v1/namespaces/{stack.name}") is not None
