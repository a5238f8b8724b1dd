"""The real `pulumi up` of the root program, its no-op runs, updates, secret hygiene and destroy, in order.

Like Pulumi's own ProgramTest, one ephemeral stack goes through the whole lifecycle; every check
reads the tenant (with its Management API) and the cluster (with its API server) back.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from pomerium_auth0.components.identity_provider import IDP_KEYS
from pomerium_auth0.domain.tenant_names import directory_sync_name, groups_claim_action_name

from e2e.conftest import Sandbox, Stack, StackFactory
from sandbox.kube_api import KubeApi
from sandbox.relying_party import RelyingParty, StackLogin
from tests.auth0_action import login_event, run_post_login
from tests.secret_scan import leaks

CHECKSUM_ANNOTATION = "pomerium-auth0.pulumi.com/config-checksum"
WRITES = ("POST", "PATCH", "PUT", "DELETE")


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
        return self.stack.app_name

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
        return {c["name"]: c for c in self.stack.objects().clients}

    def resource_versions(self) -> dict[str, str]:
        """`resourceVersion` of every object the program owns in the cluster: any write moves it."""
        namespace = f"/api/v1/namespaces/{self.namespace}"
        paths = [
            namespace,
            f"{namespace}/secrets/pomerium-idp",
            f"{namespace}/secrets/pomerium-secrets",
            f"{namespace}/configmaps/pomerium-config",
            f"{namespace}/services/pomerium",
            f"/apis/apps/v1/namespaces/{self.namespace}/deployments/pomerium",
        ]
        return {path: self.kube().get(path)["metadata"]["resourceVersion"] for path in paths}


@pytest.fixture(scope="module")
def deployed_stack(sandbox: Sandbox, new_stack: StackFactory) -> Deployed:
    stack = new_stack()
    stack.run("up")
    return Deployed(stack, sandbox, set())


def test_first_up_writes_exactly_the_five_idp_keys_from_the_tenants_applications(deployed_stack: Deployed) -> None:
    secret = deployed_stack.idp_secret()
    assert set(secret) == IDP_KEYS
    clients = deployed_stack.our_clients()
    web = clients[deployed_stack.app_name]
    m2m = clients[directory_sync_name(deployed_stack.app_name)]
    assert secret["IDP_PROVIDER"] == "auth0"
    assert secret["IDP_PROVIDER_URL"] == f"https://{deployed_stack.sandbox.tenant.info['domain']}"
    assert (secret["IDP_CLIENT_ID"], secret["IDP_CLIENT_SECRET"]) == (web["client_id"], web["client_secret"])
    account = json.loads(base64.b64decode(secret["IDP_SERVICE_ACCOUNT"]))
    assert account == {"client_id": m2m["client_id"], "secret": m2m["client_secret"]}
    assert web["app_type"] == "regular_web"
    assert web["jwt_configuration"]["alg"] == "RS256"
    assert web["callbacks"] == ["https://authenticate.sandbox.example.com/oauth2/callback"]
    assert web["initiate_login_uri"] == "https://authenticate.sandbox.example.com"
    assert m2m["app_type"] == "non_interactive"
    deployed_stack.seen_secrets |= {web["client_secret"], m2m["client_secret"], secret["IDP_SERVICE_ACCOUNT"]}


def test_the_grant_has_exactly_the_configured_audience_and_scopes(deployed_stack: Deployed) -> None:
    m2m = deployed_stack.our_clients()[directory_sync_name(deployed_stack.app_name)]
    grants = [g for g in deployed_stack.sandbox.tenant.grants() if g["client_id"] == m2m["client_id"]]
    assert len(grants) == 1
    assert grants[0]["audience"] == f"https://{deployed_stack.sandbox.tenant.info['domain']}/api/v2/"
    assert sorted(grants[0]["scope"]) == ["read:role_members", "read:roles"]


def test_the_groups_claim_action_is_deployed_and_bound_to_post_login(deployed_stack: Deployed) -> None:
    actions = {a["name"]: a for a in deployed_stack.sandbox.tenant.actions()}
    action = actions[groups_claim_action_name(deployed_stack.app_name)]
    assert action["status"] == "built"
    assert action.get("deployed_version"), "the action was never deployed"
    assert [t["id"] for t in action["supported_triggers"]] == ["post-login"]
    bound = [b["action"]["id"] for b in deployed_stack.sandbox.tenant.bindings("post-login")]
    assert action["id"] in bound
    web = deployed_stack.our_clients()[deployed_stack.app_name]
    assert web["client_metadata"] == {"pomerium_groups_claim": "pomerium.io/groups"}
    # The deployed code, run as Auth0 runs it: Pomerium's logins get the claim, other applications' do not.
    login = login_event(web["client_id"], ["admins"], web["client_metadata"])
    assert run_post_login(action["code"], login) == {"pomerium.io/groups": ["admins"]}
    assert run_post_login(action["code"], login_event("another-app", ["admins"])) == {}


def test_kubernetes_admitted_pomerium_in_a_namespace_that_enforces_restricted(deployed_stack: Deployed) -> None:
    kube = deployed_stack.kube()
    namespace = kube.get(f"/api/v1/namespaces/{deployed_stack.namespace}")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert kube.get(f"/api/v1/namespaces/{deployed_stack.namespace}/services/pomerium")["spec"]["ports"]
    config = kube.get(f"/api/v1/namespaces/{deployed_stack.namespace}/configmaps/pomerium-config")
    assert "httpbin.sandbox.example.com" in config["data"]["config.yaml"]
    status = deployed_stack.deployment()["status"]
    assert status.get("availableReplicas") == 1, status
    # The ReplicaSet controller created the pod through Pod Security admission at `restricted`.
    pods = kube.get(f"/api/v1/namespaces/{deployed_stack.namespace}/pods")["items"]
    assert len(pods) == 1
    assert pods[0]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_a_no_op_preview_calls_no_api_and_a_second_up_changes_nothing(deployed_stack: Deployed) -> None:
    tenant = deployed_stack.sandbox.tenant
    before = tenant.last_seq()
    deployed_stack.stack.run("preview", "--expect-no-changes")
    assert tenant.requests(before) == [], "a preview must not call the Management API"
    versions = deployed_stack.resource_versions()
    before = tenant.last_seq()
    deployed_stack.stack.run("up", "--expect-no-changes")
    writes = [f"{e['method']} {e['path']}" for e in tenant.requests(before) if e["path"].startswith("/api/v2/")]
    assert [write for write in writes if write.startswith(WRITES)] == [], "a no-op `up` wrote to the tenant"
    assert deployed_stack.resource_versions() == versions, "a no-op `up` wrote to the cluster"


def test_changing_a_route_changes_only_the_configmap_and_the_pod_template_checksum(deployed_stack: Deployed) -> None:
    checksum_before = deployed_stack.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]
    route = {
        "from": "https://grafana.sandbox.example.com",
        "to": "http://grafana.monitoring.svc.cluster.local:3000",
        "policy": [{"allow": {"or": [{"claim/pomerium.io/groups": "observability"}]}}],
    }
    deployed_stack.stack.set_config("routes", [route])
    changes = deployed_stack.stack.changes()
    changed = {(step["op"], step["type"]) for step in changes}
    assert changed == {
        ("update", "kubernetes:core/v1:ConfigMap"),
        ("update", "kubernetes:apps/v1:Deployment"),
    }, changes
    deployment_step = next(step for step in changes if step["type"] == "kubernetes:apps/v1:Deployment")
    assert set(deployment_step["detailedDiff"]) == {f'spec.template.metadata.annotations["{CHECKSUM_ANNOTATION}"]'}
    deployed_stack.stack.run("up")
    config = deployed_stack.kube().get(f"/api/v1/namespaces/{deployed_stack.namespace}/configmaps/pomerium-config")
    routes = yaml.safe_load(config["data"]["config.yaml"])["routes"]
    assert [(r["from"], r["to"]) for r in routes] == [(route["from"], route["to"])]
    assert routes[0]["policy"] == route["policy"]
    checksum_after = deployed_stack.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]
    assert checksum_after != checksum_before


def test_renaming_app_name_replaces_nothing(deployed_stack: Deployed) -> None:
    original = deployed_stack.app_name
    ids_before = {c["client_id"] for c in deployed_stack.our_clients().values()}
    renamed = f"renamed-{deployed_stack.stack.name}"
    deployed_stack.stack.set_config("appName", renamed)
    changes = deployed_stack.stack.changes()
    assert changes, "renaming must update the display names"
    assert {step["op"] for step in changes} <= {"update"}, changes
    deployed_stack.stack.run("up")
    clients = {c["client_id"]: c["name"] for c in deployed_stack.our_clients().values()}
    assert clients.keys() == ids_before, "renaming must keep both applications"
    assert sorted(clients.values()) == [renamed, directory_sync_name(renamed)]
    deployed_stack.stack.set_config("appName", original)
    deployed_stack.stack.run("up")


def test_rotating_the_web_secret_in_the_tenant_then_refresh_and_up_rolls_the_pods(deployed_stack: Deployed) -> None:
    web = deployed_stack.our_clients()[deployed_stack.app_name]
    checksum_before = deployed_stack.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]
    rotated = deployed_stack.sandbox.tenant.rotate_secret(web["client_id"])
    deployed_stack.seen_secrets.add(rotated)
    deployed_stack.stack.run("refresh")
    deployed_stack.stack.run("up")
    assert deployed_stack.idp_secret()["IDP_CLIENT_SECRET"] == rotated
    checksum_after = deployed_stack.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]
    assert checksum_after != checksum_before
    assert deployed_stack.deployment()["status"].get("updatedReplicas") == 1


def token_status(deployed: Deployed, client_id: str, secret: str) -> int:
    """What the tenant's token endpoint answers a client-credentials request with these credentials."""
    info = deployed.sandbox.tenant.info
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    form["audience"] = f"https://{info['domain']}/api/v2/"
    request = urllib.request.Request(
        f"https://{info['domain']}/oauth/token", data=urllib.parse.urlencode(form).encode()
    )
    context = ssl.create_default_context(cafile=info["ca_file"])
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_raising_client_secret_rotation_replaces_both_secrets_refuses_the_old_and_signs_in_with_the_new(
    deployed_stack: Deployed,
) -> None:
    def credentials() -> dict[str, tuple[str, str]]:
        data = deployed_stack.idp_secret()
        account = json.loads(base64.b64decode(data["IDP_SERVICE_ACCOUNT"]))
        return {
            "web": (data["IDP_CLIENT_ID"], data["IDP_CLIENT_SECRET"]),
            "sync": (account["client_id"], account["secret"]),
        }

    def checksum() -> str:
        return str(deployed_stack.deployment()["spec"]["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION])

    before, checksum_before = credentials(), checksum()
    deployed_stack.stack.set_config("clientSecretRotation", "1")
    deployed_stack.stack.run("up")
    after = credentials()
    deployed_stack.seen_secrets.update(secret for _, secret in after.values())
    assert {app: client_id for app, (client_id, _) in after.items()} == {
        app: client_id for app, (client_id, _) in before.items()
    }, "rotation must keep the applications"
    assert all(after[app][1] != before[app][1] for app in before)
    # Auth0 authenticates the client before it looks at the grant: 401 for a wrong secret, then
    # 403 unauthorized_client for a web application, which may not use client credentials.
    statuses = {
        app: (token_status(deployed_stack, *before[app]), token_status(deployed_stack, *after[app])) for app in before
    }
    assert statuses == {"web": (401, 403), "sync": (401, 200)}
    assert checksum() != checksum_before
    assert deployed_stack.deployment()["status"].get("updatedReplicas") == 1
    # This stack leaves its connections to the tenant, whose flag gives a new application none: enable the
    # database connection for it out of band, as an administrator would (nothing the stack manages).
    tenant = deployed_stack.sandbox.tenant
    admin = tenant.signed_in_as(*tenant.new_machine_client("connection-admin", ["update:connections"]))
    database = tenant.connections()["Username-Password-Authentication"]
    admin.api("PATCH", f"/connections/{database}/clients", [{"client_id": after["web"][0], "status": True}])
    party = RelyingParty.in_engine(deployed_stack.sandbox.engine, deployed_stack.sandbox.directory)
    user = next(u for u in party.seeded_users() if u["roles"] and u["connection"] == "Username-Password-Authentication")
    signed_in = party.sign_in(StackLogin.from_stack_file(deployed_stack.stack.config_file), user["email"])
    assert signed_in["claims"]["aud"] == after["web"][0]
    deployed_stack.stack.run("preview", "--expect-no-changes")


def test_no_secret_appears_in_the_state_or_any_output_plain_or_base64(deployed_stack: Deployed) -> None:
    pomerium = deployed_stack.kube().get(f"/api/v1/namespaces/{deployed_stack.namespace}/secrets/pomerium-secrets")
    generated = {base64.b64decode(value).decode() for value in pomerium["data"].values()}
    secrets = deployed_stack.seen_secrets | generated | {deployed_stack.sandbox.bootstrap_secret}
    assert len(secrets) >= 6
    places = [("the state", deployed_stack.stack.cli("stack", "export").stdout)]
    places += [(" ".join(result.command), result.all_output) for result in deployed_stack.stack.history]
    found = leaks(secrets, places)
    assert found == [], f"secret values found in plain text in the state or CLI output: {found}"


def test_destroy_removes_everything_from_the_tenant_and_the_cluster(deployed_stack: Deployed) -> None:
    m2m_id = deployed_stack.our_clients()[directory_sync_name(deployed_stack.app_name)]["client_id"]
    deployed_stack.stack.run("destroy")
    assert deployed_stack.stack.objects().counts() == {"clients": 0, "grants": 0, "actions": 0, "bindings": 0}
    assert [g for g in deployed_stack.sandbox.tenant.grants() if g["client_id"] == m2m_id] == []
    assert deployed_stack.kube().get_or_none(f"/api/v1/namespaces/{deployed_stack.namespace}") is None
