"""A stand-in kubelet: one Ready node that binds pending pods and reports their containers running and ready.

The sandbox has no container runtime, so nothing can run Pomerium's image. Instead of skipping
Pulumi's readiness wait, this makes the wait real everywhere else: the Deployment and ReplicaSet
controllers, Pod Security admission (a pod the `restricted` level refuses is never created, so the
rollout never completes), the endpoints controller and pulumi-kubernetes' own await logic all run
for real. Only the last step, "the container started and its probes pass", is asserted here.

One image never starts, as on any cluster: one whose registry host is in the `.invalid` top-level
domain (RFC 2606 reserves it; it can never resolve), e.g. `registry.invalid/pomerium/pomerium:v1`.
Its container stays `waiting`, first with `ErrImagePull` and from the next pass on with
`ImagePullBackOff` (a real kubelet's messages, without its growing back-off delay), and the pod
stays `Pending` with `ContainersReady` and `Ready` False, so the rollout never completes.

Run as `python -m sandbox.kubelet --api DIR/api.json` (written by `sandbox.cluster`); it polls every half second.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from .kube_api import MERGE_PATCH, KubeApi, KubeApiError

NODE_NAME = "sandbox-node"
POD_NETWORK = ipaddress.IPv4Network("10.244.0.0/16")
POLL_SECONDS = 0.5
POD_CONDITIONS = ("PodScheduled", "Initialized", "ContainersReady", "Ready")
CONTAINER_CONDITIONS = ("ContainersReady", "Ready")
"""The conditions that are False while a container is not ready."""
UNRESOLVABLE_DOMAIN = "invalid"
"""RFC 2606's top-level domain that never resolves: an image from a registry in it can never be pulled."""


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _condition(kind: str, now: str) -> dict[str, str]:
    return {"type": kind, "status": "True", "lastTransitionTime": now}


def registry_host(image: str) -> str | None:
    """The registry host of an image reference (without port), None for Docker Hub's short form.

    As container runtimes parse it: the first path component names a registry only when it has a
    `.` or `:` or is `localhost` (`pomerium/pomerium:v1` is Docker Hub's).
    """
    first, slash, _ = image.partition("/")
    if not slash or not ("." in first or ":" in first or first == "localhost"):
        return None
    return first.rsplit(":", 1)[0]


def unpullable(image: str) -> bool:
    """Whether no cluster could pull this image: its registry host is in the `.invalid` domain."""
    host = registry_host(image)
    return host is not None and host.lower().rstrip(".").rsplit(".", 1)[-1] == UNRESOLVABLE_DOMAIN


def _waiting(image: str, reason: str) -> dict[str, Any]:
    """A container's `waiting` state for an image pull that failed (reason ErrImagePull) or backs off."""
    host = registry_host(image)
    if reason == "ErrImagePull":
        message = (
            f'Failed to pull image "{image}": failed to resolve reference "{image}": '
            f"dial tcp: lookup {host}: no such host"
        )
    else:
        message = f'Back-off pulling image "{image}"'
    return {"waiting": {"reason": reason, "message": message}}


def register_node(api: KubeApi) -> None:
    """Create the node (once) and report it Ready with room for pods."""
    try:
        api.request("POST", "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": NODE_NAME}})
    except KubeApiError as error:
        if error.status != 409:
            raise
    now = _now()
    capacity = {"cpu": "8", "memory": "32Gi", "pods": "110"}
    status = {
        "status": {
            "capacity": capacity,
            "allocatable": capacity,
            "conditions": [{**_condition("Ready", now), "lastHeartbeatTime": now, "reason": "KubeletReady"}],
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
            "nodeInfo": {"kubeletVersion": "sandbox", "containerRuntimeVersion": "none://sandbox"},
        }
    }
    api.request("PATCH", f"/api/v1/nodes/{NODE_NAME}/status", status, MERGE_PATCH)


def _pod_ip(uid: str) -> str:
    offset = int(uid.replace("-", "")[:8], 16) % (POD_NETWORK.num_addresses - 2) + 1
    return str(POD_NETWORK.network_address + offset)


def _container_status(container: dict[str, Any], previous: dict[str, Any] | None, now: str) -> dict[str, Any]:
    """Running and ready, or waiting on an image that cannot be pulled (ImagePullBackOff after one ErrImagePull)."""
    image = container["image"]
    if unpullable(image):
        tried = previous is not None and "waiting" in previous.get("state", {})
        state = _waiting(image, "ImagePullBackOff" if tried else "ErrImagePull")
    else:
        state = {"running": {"startedAt": now}}
    ready = "running" in state
    return {
        "name": container["name"],
        "image": image,
        "imageID": "",
        "ready": ready,
        "started": ready,
        "restartCount": 0,
        "state": state,
    }


def pod_status(pod: dict[str, Any]) -> dict[str, Any]:
    """The status a kubelet reports for a bound pod: every container started and passed its probes, or
    the pod is `Pending` on the ones whose image it cannot pull."""
    now = _now()
    previous = {status["name"]: status for status in pod.get("status", {}).get("containerStatuses", [])}
    statuses = [_container_status(c, previous.get(c["name"]), now) for c in pod["spec"]["containers"]]
    unready = [status["name"] for status in statuses if not status["ready"]]
    conditions = [_condition(kind, now) for kind in POD_CONDITIONS]
    if unready:
        for condition in conditions:
            if condition["type"] in CONTAINER_CONDITIONS:
                condition |= {
                    "status": "False",
                    "reason": "ContainersNotReady",
                    "message": f"containers with unready status: [{' '.join(unready)}]",
                }
    return {
        "status": {
            "phase": "Pending" if unready else "Running",
            "hostIP": "127.0.0.1",
            "podIP": _pod_ip(pod["metadata"]["uid"]),
            "startTime": pod.get("status", {}).get("startTime", now),
            "conditions": conditions,
            "containerStatuses": statuses,
        }
    }


def _settled(pod: dict[str, Any]) -> bool:
    """Nothing left to report: the pod is Ready, or every container that cannot start is backing off."""
    if _is_ready(pod):
        return True
    statuses = pod.get("status", {}).get("containerStatuses", [])
    waiting = [s["state"]["waiting"].get("reason") for s in statuses if "waiting" in s.get("state", {})]
    return bool(waiting) and all(reason == "ImagePullBackOff" for reason in waiting)


def _is_ready(pod: dict[str, Any]) -> bool:
    conditions = pod.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def sync(api: KubeApi) -> None:
    """One pass over every pod: finish deletions, bind unscheduled pods, report bound pods' status."""
    for pod in api.get("/api/v1/pods")["items"]:
        meta = pod["metadata"]
        path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}"
        try:
            if meta.get("deletionTimestamp"):
                api.request("DELETE", path, {"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0})
            elif not pod["spec"].get("nodeName"):
                binding = {
                    "apiVersion": "v1",
                    "kind": "Binding",
                    "metadata": {"name": meta["name"]},
                    "target": {"apiVersion": "v1", "kind": "Node", "name": NODE_NAME},
                }
                api.request("POST", f"{path}/binding", binding)
            elif not _settled(pod):
                api.request("PATCH", f"{path}/status", pod_status(pod), MERGE_PATCH)
        except KubeApiError as error:
            if error.status not in (404, 409):  # gone or changed meanwhile: the next pass sees it
                raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.kubelet", description=__doc__)
    parser.add_argument("--api", required=True, help="the api.json that sandbox.cluster wrote")
    args = parser.parse_args(argv)
    api = KubeApi.load(Path(args.api))
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    register_node(api)
    print(f"stand-in kubelet: node {NODE_NAME} registered", flush=True)
    while not stop.wait(POLL_SECONDS):
        try:
            sync(api)
        except (OSError, KubeApiError) as error:
            print(f"stand-in kubelet: {error}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
