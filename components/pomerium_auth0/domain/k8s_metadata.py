"""Kubernetes metadata shared by every object the components create."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import pulumi

CHECKSUM_ANNOTATION = "pomerium-auth0.pulumi.com/config-checksum"
"""Pod-template annotation whose change makes Kubernetes roll the pods."""

WAIT_FOR_ANNOTATION = "pulumi.com/waitFor"
"""pulumi-kubernetes (v4.18+): wait for this condition instead of the resource kind's own await logic."""
SERVICE_READY = "jsonpath={.spec.clusterIP}"
"""A Service is usable once the API server has given it its cluster IP."""
TIMEOUT_ANNOTATION = "pulumi.com/timeoutSeconds"
"""pulumi-kubernetes: how long its await logic waits (a Deployment: for its rollout) before the operation fails."""


def standard_labels(instance: pulumi.Input[str], component: str) -> dict[str, pulumi.Input[str]]:
    """The `app.kubernetes.io/*` labels that kubectl, dashboards and policy engines group by."""
    return {
        "app.kubernetes.io/name": "pomerium",
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "pomerium",
        "app.kubernetes.io/managed-by": "pulumi",
    }


def content_checksum(data: Mapping[str, str]) -> str:
    """SHA-256 of a Secret's key/value content, independent of key order.

    A one-way hash of high-entropy values: it changes whenever any value does and reveals
    none of them. It starts out secret (see `secret_checksum`); the pod annotation publishes it.
    """
    canonical = json.dumps(dict(sorted(data.items())), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def secret_checksum(data: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[str]:
    """`content_checksum` of Secret data whose values may still be Outputs; always secret."""
    return pulumi.Output.secret(pulumi.Output.all(**data).apply(content_checksum))
