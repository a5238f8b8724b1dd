"""A stand-in kubelet: one Ready node that binds pending pods and reports their containers running and ready.

The sandbox has no container runtime, so nothing can run Pomerium's image. Instead of skipping
Pulumi's readiness wait, this makes the wait real everywhere else: the Deployment and ReplicaSet
controllers, Pod Security admission (a pod the `restricted` level refuses is never created, so the
rollout never completes), the endpoints controller and pulumi-kubernetes' own await logic all run
for real. Only the last step, "the container started and its probes pass", is asserted here.

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


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _condition(kind: str, now: str) -> dict[str, str]:
    return {"type": kind, "status": "True", "lastTransitionTime": now}


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


def running_status(pod: dict[str, Any]) -> dict[str, Any]:
    """The status a kubelet reports once every container started and passed its probes."""
    now = _now()
    containers = pod["spec"]["containers"]
    return {
        "status": {
            "phase": "Running",
            "hostIP": "127.0.0.1",
            "podIP": _pod_ip(pod["metadata"]["uid"]),
            "startTime": now,
            "conditions": [_condition(kind, now) for kind in POD_CONDITIONS],
            "containerStatuses": [
                {
                    "name": container["name"],
                    "image": container["image"],
                    "imageID": "",
                    "ready": True,
                    "started": True,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": now}},
                }
                for container in containers
            ],
        }
    }


def _is_ready(pod: dict[str, Any]) -> bool:
    conditions = pod.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def sync(api: KubeApi) -> None:
    """One pass over every pod: finish deletions, bind unscheduled pods, report bound pods ready."""
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
            elif not _is_ready(pod):
                api.request("PATCH", f"{path}/status", running_status(pod), MERGE_PATCH)
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
