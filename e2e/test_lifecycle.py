"""The real `pulumi up` of the root program, its no-op runs, updates, secret hygiene and destroy, in order.

Like Pulumi's own ProgramTest, one ephemeral stack goes through the whole lifecycle; every check
reads the tenant (with its Management API) and the cluster (with its API server) back.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest

from e2e.conftest import Sandbox, Stack, StackFactory
from sandbox.kube_api import KubeApi
from tests.auth0_action import login_event, run_post_login

IDP_KEYS = {"IDP_PROVIDER", "IDP_PROVIDER_URL", "IDP_CLIENT_ID", "IDP_CLIENT_SECRET", "IDP_SERVICE_ACCOUNT"}
CHECKSUM_ANNOTATION = "pomerium-auth0.pulumi.com/config-checksum"


@dataclass
class Deployed:
    stack: Stack
    sandbox: Sandbox
    seen_secrets: set[str]

    @property
    def namespace(self) -> str:
        return self.stack.name

    @property
    def app_name(self) -> str:
        return f"pomerium-{self.stack.name}"

    def kube(self) -> KubeApi:
        return self.sandbox.kube

    def idp_secret(self) -> dict[str, str]:
        found = self.kube().get(f"/api/v1/namespaces/{self.namespace}/secrets/pomerium-idp")
        return {key: base64.b64decode(value).decode() for key, value in found["data"].items()}

    def deployment(self) -> dict[str, Any]:
        found: dict[str, Any] = self.kube().get(f"/apis/apps/v1/namespaces/{self.namespace}/deployments/pomerium")
        return found

    def our_clients(self) -> dict[str, dict[str, Any]]:
        """Our applications in the tenant, keyed by name, with their secrets (the inspector may read them)."""
        clients = self.sandbox.tenant.clients()
        return {c["name"]: c for c in clients if c["name"].startswith(self.app_name)}


@pytest.fixture(scope="module")
def deployed(sandbox: Sandbox, new_stack: StackFactory) -> Deployed:
    stack = new_stack()
    stack.run("up")
    return Deployed(stack, sandbox, set())


def test_first_up_writes_exactly_the_five_idp_keys_from_the_tenants_applications(deployed: Deployed) -> None:
    secret = deployed.idp_secret()
    assert set(secret) == IDP_KEYS
    clients = deployed.our_clients()
    web = clients[deployed.app_name]
    m2m = clients[f"{deployed.app_name}-directory-sync"]
    assert secret["IDP_PROVIDER"] == "auth0"
    assert secret["IDP_PROVIDER_URL"] == f"https://{deployed.sandbox.tenant.info['domain']}"
    assert (secret["IDP_CLIENT_ID"], secret["IDP_CLIENT_SECRET"]) == (web["client_id"], web["client_secret"])
    account = json.loads(base64.b64decode(secret["IDP_SERVICE_ACCOUNT"]))
    assert account == {"client_id": m2m["client_id"], "secret": m2m["client_secret"]}
    assert web["app_type"] == "regular_web"
    assert web["jwt_configuration"]["alg"] == "RS256"
    assert web["callbacks"] == ["https://authenticate.sandbox.example.com/oauth2/callback"]
    assert web["initiate_login_uri"] == "https://authenticate.sandbox.example.com"
    assert m2m["app_type"] == "non_interactive"
    deployed.seen_secrets |= {web["client_secret"], m2m["client_secret"], secret["IDP_SERVICE_ACCOUNT"]}


def test_the_grant_has_exactly_the_configured_audience_and_scopes(deployed: Deployed) -> None:
    m2m = deployed.our_clients()[f"{deployed.app_name}-directory-sync"]
    grants = [g for g in deployed.sandbox.tenant.grants() if g["client_id"] == m2m["client_id"]]
    assert len(grants) == 1
    assert grants[0]["audience"] == f"https://{deployed.sandbox.tenant.info['domain']}/api/v2/"
    assert sorted(grants[0]["scope"]) == ["read:role_members", "read:roles"]


def test_the_groups_claim_action_is_deployed_and_bound_to_post_login(deployed: Deployed) -> None:
    actions = {a["name"]: a for a in deployed.sandbox.tenant.actions()}
    action = actions[f"{deployed.app_name}-groups-claim"]
    assert action["status"] == "built"
    assert action.get("deployed_version"), "the action was never deployed"
    assert [t["id"] for t in action["supported_triggers"]] == ["post-login"]
    bound = [b["action"]["id"] for b in deployed.sandbox.tenant.bindings("post-login")]
    assert action["id"] in bound
    web = deployed.our_clients()[deployed.app_name]
    assert web["client_metadata"] == {"pomerium_groups_claim": "pomerium.io/groups"}
    # The deployed code, run as Auth0 runs it: Pomerium's logins get the claim, other applications' do not.
    login = login_event(web["client_id"], ["admins"], web["client_metadata"])
    assert run_post_login(action["code"], login) == {"pomerium.io/groups": ["admins"]}
    assert run_post_login(action["code"], login_event("another-app", ["admins"])) == {}


def test_kubernetes_admitted_pomerium_in_a_namespace_that_enforces_restricted(deployed: Deployed) -> None:
    kube = deployed.kube()
    namespace = kube.get(f"/api/v1/namespaces/{deployed.namespace}")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert kube.get(f"/api/v1/namespaces/{deployed.namespace}/services/pomerium")["spec"]["ports"]
    config = kube.get(f"/api/v1/namespaces/{deployed.namespace}/configmaps/pomerium-config")
    assert "httpbin.sandbox.example.com" in config["data"]["config.yaml"]
    status = deployed.deployment()["status"]
    assert status.get("availableReplicas") == 1, status
    # The ReplicaSet controller created the pod through Pod Security admission at `restricted`.
    pods = kube.get(f"/api/v1/namespaces/{deployed.namespace}/pods")["items"]
    assert len(pods) == 1
    assert pods[0]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_a_no_op_preview_calls_no_api_and_a_second_up_changes_nothing(deployed: Deployed) -> None:
    tenant = deployed.sandbox.tenant
    before = len(tenant.requests())
    deployed.stack.run("preview", "--expect-no-changes")
    assert tenant.requests()[before:] == [], "a preview must not call the Management API"
    deployed.stack.run("up", "--expect-no-changes")


def test_changing_a_route_changes_only_the_configmap_and_the_pod_template_checksum(deployed: Deployed) -> None:
    checksum_before = deployed.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]
    route = {
        "from": "https://grafana.sandbox.example.com",
        "to": "http://grafana.monitoring.svc.cluster.local:3000",
        "policy": [{"allow": {"or": [{"claim/pomerium.io/groups": "observability"}]}}],
    }
    deployed.stack.set_config("routes", [route])
    changes = deployed.stack.changes()
    changed = {(step["op"], step["type"]) for step in changes}
    assert changed == {
        ("update", "kubernetes:core/v1:ConfigMap"),
        ("update", "kubernetes:apps/v1:Deployment"),
    }, changes
    deployment_step = next(step for step in changes if step["type"] == "kubernetes:apps/v1:Deployment")
    assert set(deployment_step["detailedDiff"]) == {f'spec.template.metadata.annotations["{CHECKSUM_ANNOTATION}"]'}
    deployed.stack.run("up")
    checksum_after = deployed.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]
    assert checksum_after != checksum_before


def test_renaming_app_name_replaces_nothing(deployed: Deployed) -> None:
    ids_before = {c["client_id"] for c in deployed.our_clients().values()}
    deployed.stack.set_config("appName", f"renamed-{deployed.stack.name}")
    changes = deployed.stack.changes()
    assert changes, "renaming must update the display names"
    assert {step["op"] for step in changes} <= {"update"}, changes
    deployed.stack.run("up")
    renamed = {c["name"]: c["client_id"] for c in deployed.sandbox.tenant.clients()}
    assert renamed[f"renamed-{deployed.stack.name}"] in ids_before
    deployed.stack.set_config("appName", deployed.app_name)
    deployed.stack.run("up")


def test_rotating_the_web_secret_in_the_tenant_then_refresh_and_up_rolls_the_pods(deployed: Deployed) -> None:
    web = deployed.our_clients()[deployed.app_name]
    checksum_before = deployed.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]
    rotated = deployed.sandbox.tenant.rotate_secret(web["client_id"])
    deployed.seen_secrets.add(rotated)
    deployed.stack.run("refresh")
    deployed.stack.run("up")
    assert deployed.idp_secret()["IDP_CLIENT_SECRET"] == rotated
    checksum_after = deployed.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]
    assert checksum_after != checksum_before
    assert deployed.deployment()["status"].get("updatedReplicas") == 1


def test_no_secret_appears_in_the_state_or_any_output_plain_or_base64(deployed: Deployed) -> None:
    pomerium = deployed.kube().get(f"/api/v1/namespaces/{deployed.namespace}/secrets/pomerium-secrets")
    generated = {base64.b64decode(value).decode() for value in pomerium["data"].values()}
    secrets = deployed.seen_secrets | generated | {deployed.sandbox.bootstrap_secret}
    assert len(secrets) >= 6
    state = deployed.stack.cli("stack", "export").stdout
    text = state + deployed.stack.all_output()
    leaks = []
    for secret in secrets:
        for form in (secret, base64.b64encode(secret.encode()).decode()):
            if form in text:
                leaks.append(form[:6] + "…")
    assert leaks == [], f"secret values found in plain text in the state or CLI output: {leaks}"


def test_destroy_removes_everything_from_the_tenant_and_the_cluster(deployed: Deployed) -> None:
    m2m_id = deployed.our_clients()[f"{deployed.app_name}-directory-sync"]["client_id"]
    deployed.stack.run("destroy")
    tenant = deployed.sandbox.tenant
    assert deployed.our_clients() == {}
    assert [g for g in tenant.api("GET", "/client-grants?per_page=100") if g["client_id"] == m2m_id] == []
    assert [a for a in tenant.actions() if a["name"].startswith(deployed.app_name)] == []
    bound = {b["action"]["name"] for b in tenant.bindings("post-login")}
    assert not any(name.startswith(deployed.app_name) for name in bound)
    assert deployed.kube().get_or_none(f"/api/v1/namespaces/{deployed.namespace}") is None
