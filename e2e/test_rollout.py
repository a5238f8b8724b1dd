"""A rollout that can never become ready fails `up` within `rolloutTimeoutSeconds`, saying why; fixing it converges.

Then the pod reads from the IdP Secret only what its image uses: v0.33.1 the four login keys one by one,
v0.19.1 the whole Secret, IDP_SERVICE_ACCOUNT included.

The stand-in kubelet cannot pull an image from a `.invalid` registry (RFC 2606), as no cluster can
(docs/sandbox.md): the pod stays `Pending` in `ErrImagePull`/`ImagePullBackOff`, so only
pulumi-kubernetes's Deployment wait stands between that and an `up` that claims success.
"""

from __future__ import annotations

from typing import Any

from pomerium_auth0.components.pomerium import DEFAULT_IMAGE

from e2e.conftest import Stack, StackFactory

UNPULLABLE = "registry.invalid/pomerium/pomerium:nonroot-v0.33.1"
DIRECTORY_SYNC_IMAGE = "pomerium/pomerium:v0.19.1"
LOGIN_KEYS = ("IDP_PROVIDER", "IDP_PROVIDER_URL", "IDP_CLIENT_ID", "IDP_CLIENT_SECRET")
TIMEOUT_SECONDS = 20
SLACK_SECONDS = 25
"""The rest of a first `up` (the tenant's objects, the Secrets; about 4 s) and the engine's start and exit."""


def _deployment(stack: Stack) -> dict[str, Any]:
    found: dict[str, Any] = stack.sandbox.kube.get(f"/apis/apps/v1/namespaces/{stack.name}/deployments/pomerium")
    return found


def _pods(stack: Stack) -> list[dict[str, Any]]:
    pods: list[dict[str, Any]] = stack.sandbox.kube.get(f"/api/v1/namespaces/{stack.name}/pods")["items"]
    return pods


def test_an_unpullable_image_fails_up_naming_why_a_fixed_one_converges_and_reads_only_what_it_uses(
    new_stack: StackFactory,
) -> None:
    stack = new_stack(pomeriumImage=UNPULLABLE, rolloutTimeoutSeconds=TIMEOUT_SECONDS)
    failed = stack.run("up", check=False)
    assert failed.returncode != 0, f"`up` claimed success for pods that can never be ready:\n{failed.describe()}"
    assert TIMEOUT_SECONDS <= failed.seconds <= TIMEOUT_SECONDS + SLACK_SECONDS, failed.describe()
    output = failed.all_output
    assert "kubernetes:apps/v1:Deployment" in output, failed.describe()
    assert "pomerium-deployment" in output, failed.describe()
    assert "ImagePullBackOff" in output or "ErrImagePull" in output, failed.describe()
    assert UNPULLABLE in output, failed.describe()

    deployment = _deployment(stack)
    assert deployment["metadata"]["annotations"]["pulumi.com/timeoutSeconds"] == str(TIMEOUT_SECONDS)
    assert not deployment["status"].get("readyReplicas")
    (pod,) = _pods(stack)
    (container,) = pod["status"]["containerStatuses"]
    assert container["image"] == UNPULLABLE
    assert container["state"]["waiting"]["reason"] in ("ErrImagePull", "ImagePullBackOff")

    stack.unset_config("pomeriumImage")
    stack.run("up")
    deployment = _deployment(stack)
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == DEFAULT_IMAGE
    status = deployment["status"]
    assert status["readyReplicas"] == status["updatedReplicas"] == status["replicas"] == 1, status
    ready = [pod for pod in _pods(stack) if pod["status"].get("phase") == "Running"]
    assert [pod["spec"]["containers"][0]["image"] for pod in ready] == [DEFAULT_IMAGE]
    assert stack.changes() == [], "after converging, a preview has nothing left to do"
    assert idp_variables(_deployment(stack)) == {key: key for key in LOGIN_KEYS}, "v0.33.1 never reads the account"

    stack.set_config("pomeriumImage", DIRECTORY_SYNC_IMAGE)
    stack.run("up")
    assert idp_variables(_deployment(stack)) == {"*": "the whole IdP Secret"}, "v0.19 reads IDP_SERVICE_ACCOUNT"


def idp_variables(deployment: dict[str, Any]) -> dict[str, str]:
    """What the Pomerium container takes from the IdP Secret, read back from the cluster: variable -> key,
    or {"*": ...} when it takes the whole Secret (IDP_SERVICE_ACCOUNT included)."""
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    if {"secretRef": {"name": "pomerium-idp"}} in container.get("envFrom", []):
        return {"*": "the whole IdP Secret"}
    return {
        variable["name"]: variable["valueFrom"]["secretKeyRef"]["key"]
        for variable in container["env"]
        if variable.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == "pomerium-idp"
    }
