"""The stand-in kubelet's pod status: ready pods, and the pull failure a kubelet reports for an unpullable image."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.kubelet import _settled, pod_status, unpullable

UNPULLABLE = "registry.invalid/pomerium/pomerium:v0.30.0"


def _pod(*images: str, status: dict[str, Any] | None = None) -> dict[str, Any]:
    containers = [{"name": f"c{index}", "image": image} for index, image in enumerate(images)]
    pod: dict[str, Any] = {
        "metadata": {"uid": "0a1b2c3d-0000-0000-0000-000000000000"},
        "spec": {"containers": containers},
    }
    if status is not None:
        pod["status"] = status
    return pod


def _conditions(status: dict[str, Any]) -> dict[str, str]:
    return {condition["type"]: condition["status"] for condition in status["conditions"]}


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (UNPULLABLE, True),
        ("registry.invalid:5000/pomerium:v1", True),
        ("REGISTRY.Invalid./pomerium:v1", True),
        ("pomerium/pomerium:v0.30.0", False),  # Docker Hub
        ("invalid/pomerium:v1", False),  # Docker Hub's user "invalid", not a host
        ("ghcr.io/invalid/pomerium:v1", False),
        ("registry.invalid.example.com/pomerium:v1", False),
    ],
)
def test_only_a_registry_host_in_the_invalid_domain_is_unpullable(image: str, expected: bool) -> None:
    assert unpullable(image) is expected


def test_a_pullable_image_runs_and_its_pod_is_ready() -> None:
    status = pod_status(_pod("pomerium/pomerium:v0.30.0"))["status"]
    assert status["phase"] == "Running"
    assert set(_conditions(status).values()) == {"True"}
    assert status["containerStatuses"][0]["ready"] is True
    assert "running" in status["containerStatuses"][0]["state"]


def test_an_unpullable_image_waits_with_err_image_pull_then_image_pull_back_off() -> None:
    first = pod_status(_pod(UNPULLABLE))["status"]
    container = first["containerStatuses"][0]
    assert first["phase"] == "Pending"
    assert _conditions(first) == {
        "PodScheduled": "True",
        "Initialized": "True",
        "ContainersReady": "False",
        "Ready": "False",
    }
    ready = next(condition for condition in first["conditions"] if condition["type"] == "Ready")
    assert (ready["reason"], ready["message"]) == ("ContainersNotReady", "containers with unready status: [c0]")
    assert (container["ready"], container["started"], container["restartCount"]) == (False, False, 0)
    assert container["state"]["waiting"] == {
        "reason": "ErrImagePull",
        "message": f'Failed to pull image "{UNPULLABLE}": failed to resolve reference "{UNPULLABLE}": '
        "dial tcp: lookup registry.invalid: no such host",
    }
    assert not _settled({"status": first})

    second = pod_status(_pod(UNPULLABLE, status=first))["status"]
    assert second["containerStatuses"][0]["state"]["waiting"] == {
        "reason": "ImagePullBackOff",
        "message": f'Back-off pulling image "{UNPULLABLE}"',
    }
    assert second["startTime"] == first["startTime"]
    assert _settled({"status": second}), "a backing-off pod is not patched again on every pass"


def test_one_unpullable_container_keeps_the_pod_unready_while_the_other_runs() -> None:
    status = pod_status(_pod("pomerium/pomerium:v0.30.0", UNPULLABLE))["status"]
    assert [s["ready"] for s in status["containerStatuses"]] == [True, False]
    assert _conditions(status)["Ready"] == "False"
    assert "[c1]" in next(c["message"] for c in status["conditions"] if c["type"] == "ContainersReady")
