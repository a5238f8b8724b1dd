"""The Pomerium Ingress Controller consumer on the real engine, read back from the loopback cluster.

The cluster gets a `Pomerium` CRD we wrote from the controller's published API reference
(e2e/pomerium_crd.yaml). Two stacks: one patches a `Pomerium` resource that another field manager
owns and references that manager's bootstrap Secret; one creates both the resource and the bootstrap
Secret. No controller runs: what the tests check is what the controller would read.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from e2e.conftest import Sandbox, Stack, StackFactory
from sandbox.kube_api import KubeApi, KubeApiError

CRD = yaml.safe_load((Path(__file__).parent / "pomerium_crd.yaml").read_text())
POMERIUM_API = "/apis/ingress.pomerium.io/v1/pomerium"
OTHER_MANAGER = "pomerium-install"
"""The field manager that stands for the user's own install of the controller (its manifests, kubectl)."""
OUR_MANAGER = "pomerium-auth0"
DEPLOYMENT_ONLY = ("deployPomerium", "tlsMode", "directorySync")
"""Keys of the sandbox stack file that the controller consumer refuses (or, for directorySync, defaults)."""
POLICY = [{"allow": {"or": [{"claim/pomerium.io/groups": "developers"}]}}]


def _apply(kube: KubeApi, path: str, document: dict[str, Any], manager: str) -> Any:
    """A server-side apply, as `kubectl apply --server-side --field-manager <manager>` sends it."""
    return kube.request(
        "PATCH", f"{path}?fieldManager={manager}&force=true", document, content_type="application/apply-patch+yaml"
    )


@pytest.fixture(scope="module")
def crd(sandbox: Sandbox) -> None:
    """Our CRD, installed for this module and established before any stack runs."""
    kube = sandbox.kube
    path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    _apply(kube, f"{path}/{CRD['metadata']['name']}", CRD, "e2e")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        conditions = kube.get(f"{path}/{CRD['metadata']['name']}").get("status", {}).get("conditions") or []
        if any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the Pomerium CRD never became established")


def controller_stack(new_stack: StackFactory, **config: Any) -> Stack:
    stack = new_stack(consumer="ingress-controller", **config)
    stack.unset_config(*DEPLOYMENT_ONLY)
    stack.set_config("pomeriumResourceName", stack.name)  # one cluster-scoped resource per stack
    return stack


def secret_data(kube: KubeApi, namespace: str, name: str) -> dict[str, bytes]:
    found = kube.get(f"/api/v1/namespaces/{namespace}/secrets/{name}")
    return {key: base64.b64decode(value) for key, value in found["data"].items()}


def managed(resource: dict[str, Any], manager: str) -> set[str]:
    """The top-level spec fields a field manager owns (from `metadata.managedFields`)."""
    fields: set[str] = set()
    for entry in resource["metadata"].get("managedFields", []):
        if entry["manager"] == manager:
            fields |= {key.removeprefix("f:") for key in entry.get("fieldsV1", {}).get("f:spec", {})}
    return fields


def real_changes(stack: Stack) -> list[dict[str, Any]]:
    """The preview's steps that change something: reads of the existing Pomerium resource change nothing."""
    return [step for step in stack.changes() if step["op"] != "read"]


@dataclass
class Patched:
    stack: Stack
    sandbox: Sandbox

    @property
    def kube(self) -> KubeApi:
        return self.sandbox.kube

    @property
    def namespace(self) -> str:
        return self.stack.name

    @property
    def pomerium_path(self) -> str:
        return f"{POMERIUM_API}/{self.stack.name}"

    @property
    def grafana_host(self) -> str:
        return f"grafana-{self.stack.name}.sandbox.example.com"

    def pomerium(self) -> dict[str, Any]:
        found: dict[str, Any] = self.kube.get(self.pomerium_path)
        return found

    def ingress(self, namespace: str, name: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.kube.get_or_none(
            f"/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses/{name}"
        )
        return found

    def web_client(self) -> dict[str, Any]:
        name = f"pomerium-{self.stack.name}"
        (client,) = [c for c in self.sandbox.tenant.clients() if c["name"] == name]
        return client


@pytest.fixture(scope="module")
def patched(sandbox: Sandbox, new_stack: StackFactory, crd: None) -> Iterator[Patched]:
    stack = controller_stack(new_stack)
    deployed = Patched(stack, sandbox)
    stack.set_config("bootstrapSecret", f"{deployed.namespace}/bootstrap")
    stack.set_config(
        "routes",
        [
            {"from": "https://httpbin.sandbox.example.com", "to": "http://httpbin:8000", "policy": POLICY},
            {
                "from": f"https://{deployed.grafana_host}",
                "to": "https://grafana.default.svc.cluster.local:3000",
                "prefix": "/dashboards",
                "pass_identity_headers": True,
            },
        ],
    )
    yield deployed
    if sandbox.kube.get_or_none(deployed.pomerium_path) is not None:
        sandbox.kube.request("DELETE", deployed.pomerium_path)


def test_without_an_existing_pomerium_resource_preview_stops_and_creates_nothing(patched: Patched) -> None:
    result = patched.stack.run("preview", check=False)
    assert result.returncode != 0
    assert patched.stack.name in result.all_output
    assert patched.kube.get_or_none(patched.pomerium_path) is None


def test_up_sets_our_fields_and_leaves_the_other_managers_alone(patched: Patched) -> None:
    ours_before = {"secrets": f"{patched.namespace}/bootstrap", "cookie": {"name": "_team"}, "certificates": ["x/y"]}
    document = {"apiVersion": "ingress.pomerium.io/v1", "kind": "Pomerium", "metadata": {"name": patched.stack.name}}
    _apply(patched.kube, patched.pomerium_path, {**document, "spec": ours_before}, OTHER_MANAGER)
    patched.stack.run("up")
    spec = patched.pomerium()["spec"]
    assert spec == {
        **ours_before,
        "identityProvider": {
            "provider": "auth0",
            "url": f"https://{patched.sandbox.tenant.info['domain']}",
            "secret": f"{patched.namespace}/pomerium-idp",
        },
        "authenticate": {"url": "https://authenticate.sandbox.example.com"},
    }
    assert managed(patched.pomerium(), OUR_MANAGER) == {"identityProvider", "authenticate", "secrets"}
    assert managed(patched.pomerium(), OTHER_MANAGER) == {"secrets", "cookie", "certificates"}


def test_the_idp_secret_holds_the_tenants_web_client_and_nothing_else(patched: Patched) -> None:
    web = patched.web_client()
    data = secret_data(patched.kube, patched.namespace, "pomerium-idp")
    assert data == {"client_id": web["client_id"].encode(), "client_secret": web["client_secret"].encode()}
    assert patched.kube.get_or_none(f"/api/v1/namespaces/{patched.namespace}/secrets/pomerium-bootstrap") is None
    names = {c["name"] for c in patched.sandbox.tenant.clients()}
    assert f"pomerium-{patched.stack.name}-directory-sync" not in names, "the controller has no directory sync"


def test_each_route_is_an_ingress_with_host_backend_class_and_annotations(patched: Patched) -> None:
    httpbin = patched.ingress(patched.namespace, "httpbin.sandbox.example.com")
    assert httpbin is not None
    assert httpbin["spec"]["ingressClassName"] == "pomerium"
    (rule,) = httpbin["spec"]["rules"]
    assert rule["host"] == "httpbin.sandbox.example.com"
    assert rule["http"]["paths"] == [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "httpbin", "port": {"number": 8000}}}}
    ]
    assert yaml.safe_load(httpbin["metadata"]["annotations"]["ingress.pomerium.io/policy"]) == POLICY
    grafana = patched.ingress("default", f"{patched.grafana_host}-dashboards")
    assert grafana is not None
    (rule,) = grafana["spec"]["rules"]
    assert (rule["host"], rule["http"]["paths"][0]["path"]) == (patched.grafana_host, "/dashboards")
    assert rule["http"]["paths"][0]["backend"]["service"] == {"name": "grafana", "port": {"number": 3000}}
    annotations = {k: v for k, v in grafana["metadata"]["annotations"].items() if k.startswith("ingress.pomerium")}
    assert annotations == {
        "ingress.pomerium.io/pass_identity_headers": "true",
        "ingress.pomerium.io/secure_upstream": "true",
    }


def test_a_preview_right_after_up_is_a_no_op(patched: Patched) -> None:
    patched.stack.run("preview", "--expect-no-changes")
    assert real_changes(patched.stack) == []


def test_rotating_the_web_secret_then_refresh_and_up_rewrites_only_the_idp_secret(patched: Patched) -> None:
    def versions() -> dict[str, str]:
        httpbin = patched.ingress(patched.namespace, "httpbin.sandbox.example.com") or {}
        return {
            "pomerium": patched.pomerium()["metadata"]["resourceVersion"],
            "ingress": httpbin["metadata"]["resourceVersion"],
        }

    before = versions()
    rotated = patched.sandbox.tenant.rotate_secret(patched.web_client()["client_id"])
    patched.stack.run("refresh")
    changes = real_changes(patched.stack)
    assert [(step["op"], step["type"]) for step in changes] == [("update", "kubernetes:core/v1:Secret")], changes
    assert changes[0]["urn"].endswith("pomerium-idp-secret")
    patched.stack.run("up")
    assert secret_data(patched.kube, patched.namespace, "pomerium-idp")["client_secret"] == rotated.encode()
    assert versions() == before
    state = patched.stack.cli("stack", "export").stdout + patched.stack.all_output()
    for form in (rotated, base64.b64encode(rotated.encode()).decode()):
        assert form not in state, "the client secret is in plain text in the state or the CLI output"


def test_destroy_removes_only_what_we_added(patched: Patched) -> None:
    patched.stack.run("destroy")
    remaining = patched.pomerium()
    assert remaining["spec"] == {
        "secrets": f"{patched.namespace}/bootstrap",
        "cookie": {"name": "_team"},
        "certificates": ["x/y"],
    }
    assert managed(remaining, OUR_MANAGER) == set()
    assert patched.ingress("default", f"{patched.grafana_host}-dashboards") is None
    assert patched.kube.get_or_none(f"/api/v1/namespaces/{patched.namespace}") is None


def test_a_created_pomerium_resource_and_bootstrap_secret_and_their_removal(
    sandbox: Sandbox, new_stack: StackFactory, crd: None
) -> None:
    stack = controller_stack(new_stack, createPomeriumResource="true")
    kube = sandbox.kube
    path = f"{POMERIUM_API}/{stack.name}"

    # A reference the CRD refuses: the cluster says so (the control) and our preview says it first.
    document = {"apiVersion": "ingress.pomerium.io/v1", "kind": "Pomerium", "metadata": {"name": f"{stack.name}-x"}}
    with pytest.raises(KubeApiError) as refused:
        kube.request("POST", POMERIUM_API, {**document, "spec": {"secrets": "bootstrap"}})
    assert refused.value.status == 422
    stack.set_config("bootstrapSecret", "bootstrap")
    result = stack.run("preview", check=False)
    assert result.returncode != 0
    assert "pomerium-auth0:bootstrapSecret" in result.all_output
    stack.unset_config("bootstrapSecret")

    stack.run("up")
    created = kube.get(path)
    assert created["spec"]["secrets"] == f"{stack.name}/pomerium-bootstrap"
    assert created["spec"]["identityProvider"]["secret"] == f"{stack.name}/pomerium-idp"
    data = secret_data(kube, stack.name, "pomerium-bootstrap")
    assert set(data) == {"shared_secret", "cookie_secret", "signing_key"}
    assert len(data["shared_secret"]) == len(data["cookie_secret"]) == 32
    key = serialization.load_pem_private_key(data["signing_key"], password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(key.curve, ec.SECP256R1)
    state = stack.cli("stack", "export").stdout + stack.all_output()
    for value in data.values():
        assert base64.b64encode(value).decode() not in state, "a bootstrap secret is in plain text"
    stack.run("preview", "--expect-no-changes")

    stack.run("destroy")
    assert kube.get_or_none(path) is None
