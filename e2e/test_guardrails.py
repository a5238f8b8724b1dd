"""What stops a run on the real engine: bad config before any API call, and `protect` before any delete."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.conftest import Sandbox, StackFactory
from sandbox.auth0_tenant.server import start_tenant

QUICK_SECONDS = 60


def test_bad_config_stops_preview_with_our_message_and_the_tenant_sees_no_request(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    stack = new_stack(authenticateServiceUrl="http://authenticate.sandbox.example.com")
    before = sandbox.tenant.last_seq()
    result = stack.run("preview", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "pomerium-auth0:authenticateServiceUrl" in output
    assert "only https:// is allowed" in output
    assert "Traceback" not in output, "the user must get our sentence, not a stack trace"
    assert sandbox.tenant.requests(before) == []


def test_destroy_of_a_protected_stack_is_refused_and_deletes_nothing(sandbox: Sandbox, new_stack: StackFactory) -> None:
    stack = new_stack(protect="true")
    stack.run("up")
    before = {c["client_id"] for c in stack.objects().clients}
    assert len(before) == 2

    refused = stack.run("destroy", check=False)
    assert refused.returncode != 0
    assert "protected" in refused.stdout + refused.stderr

    after = {c["client_id"] for c in stack.objects().clients}
    assert after == before
    assert sandbox.kube.get_or_none(f"/api/v1/namespaces/{stack.name}/secrets/pomerium-idp") is not None
    assert sandbox.kube.get_or_none(f"/api/v1/namespaces/{stack.name}") is not None


def bad_credentials_cases(expired_ca: str, expired_domain: str) -> dict[str, dict[str, str]]:
    return {
        "wrong secret": {"AUTH0_CLIENT_SECRET": "not-the-secret"},
        "unknown tenant": {"AUTH0_DOMAIN": "127.0.0.1:9"},
        "expired CA": {"AUTH0_DOMAIN": expired_domain, "SSL_CERT_FILE": expired_ca},
    }


@pytest.mark.parametrize(
    ("case", "key"),
    [("wrong secret", "auth0:clientSecret"), ("unknown tenant", "auth0:domain"), ("expired CA", "auth0:domain")],
)
def test_bad_credentials_stop_up_with_one_line_and_create_nothing(
    sandbox: Sandbox, new_stack: StackFactory, tmp_path: Path, case: str, key: str
) -> None:
    with start_tenant(tmp_path, expired_cert=True) as expired:
        env = bad_credentials_cases(expired.info.ca_file, expired.info.domain)[case]
        stack = new_stack()
        before = sandbox.tenant.last_seq()
        result = stack.run("up", check=False, env=env)
        # Its certificate has expired, so no client can read its log over HTTPS: the file has every entry.
        expired_log = Path(expired.info.log_file).read_text().splitlines()
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert result.seconds < QUICK_SECONDS, "a bad credential must fail fast, not retry"
    assert "Traceback" not in output
    # One sentence, naming the key (the Automation API host repeats it as "an unhandled error occurred: ...").
    ours = {line[line.index(f"{key}:") :] for line in output.splitlines() if f"{key}:" in line}
    assert len(ours) == 1, output
    assert [entry["path"] for entry in sandbox.tenant.requests(before) if entry["path"] != "/oauth/token"] == []
    assert expired_log == [], "a client that distrusts the certificate must not get a request through"
    namespace = f"/api/v1/namespaces/{stack.name}"
    assert sandbox.kube.get_or_none(namespace) is None, "the run created the namespace"
    secrets = sandbox.kube.get("/api/v1/secrets")["items"]
    assert [s["metadata"]["name"] for s in secrets if s["metadata"]["namespace"] == stack.name] == []


def test_a_groups_policy_without_directory_sync_stops_preview_before_any_auth0_request(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    route = {
        "from": "https://httpbin.sandbox.example.com",
        "to": "http://httpbin.default.svc.cluster.local:8000",
        "policy": [{"allow": {"or": [{"groups": "developers"}]}}],
    }
    stack = new_stack(directorySync="off", routes=[route])
    before = sandbox.tenant.last_seq()
    result = stack.run("preview", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "pomerium-auth0:routes[0].policy[0].allow.or[0]" in output
    assert "claim/pomerium.io/groups" in output, "the fix names the claim this stack does put in the token"
    assert "Traceback" not in output
    assert sandbox.tenant.requests(before) == []
    # Negative control: the claim form of the same policy previews on the same stack.
    route["policy"] = [{"allow": {"or": [{"claim/pomerium.io/groups": "developers"}]}}]
    stack.set_config("routes", [route])
    stack.run("preview")


@pytest.mark.parametrize("given_as", ["pomerium-auth0:auth0Domain", "AUTH0_DOMAIN"])
def test_a_custom_domain_as_tenant_domain_stops_up_naming_auth0domain_and_creates_nothing(
    sandbox: Sandbox, new_stack: StackFactory, given_as: str
) -> None:
    """The sandbox's custom domain serves logins and tokens, but `https://<custom>/api/v2/` is no API of
    the tenant (Auth0: 403 Service not found). Given as `auth0Domain`, or as AUTH0_DOMAIN, which both the
    provider and `auth0Domain` default to: our pre-flight check stops `up` before any resource."""
    custom = sandbox.tenant.info["custom_domain"]
    stack = new_stack()
    env = {}
    if given_as == "AUTH0_DOMAIN":
        env["AUTH0_DOMAIN"] = custom
    else:
        stack.set_config("auth0Domain", custom)
    before = sandbox.tenant.last_seq()
    result = stack.run("up", check=False, env=env)
    output = result.all_output
    assert result.returncode != 0
    assert result.seconds < QUICK_SECONDS, "a wrong domain must fail fast, not retry"
    assert "Traceback" not in output
    key = "pomerium-auth0:auth0Domain:"
    ours = {line[line.index(key) :] for line in output.splitlines() if key in line}
    assert len(ours) == 1, output
    (sentence,) = ours
    assert f"https://{custom}/api/v2/" in sentence
    assert "canonical domain" in sentence
    # Nothing reached the Management API, and the tenant holds nothing of the stack.
    assert {entry["path"] for entry in sandbox.tenant.requests(before)} == {"/oauth/token"}
    assert stack.objects().counts() == {"clients": 0, "grants": 0, "actions": 0, "bindings": 0}
    assert sandbox.kube.get_or_none(f"/api/v1/namespaces/{stack.name}") is None, "the run created the namespace"
