"""`scripts/up.sh sandbox`: the real `pulumi up` of a stack on the sandbox, then what it made, read back.

The summary shows the tenant's and the cluster's own view (the applications, the grant, the Action
and the IdP Secret's keys), found through the stack's outputs, and the commands a newcomer runs next.
No secret value is printed: the Secret is shown by its keys.

    python -m sandbox.deploy --stack sandbox [--expect-no-changes]    (with the sandbox's environment)
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import control
from .cluster import load_cluster
from .kube_api import KubeApi
from .program import ROOT, run, select_stack
from .tenant_client import TenantClient

# What every sandbox `up` prints and why it is not a fault (see docs/real-engine.md).
EXPECTED_WARNINGS = (
    "Expected warnings: 'using pulumi-resource-… from $PATH' (the engine's plugins are the ones built here,"
    " found on PATH) and 'expected to have version >=…' (the auth0 and random plugins are built from the"
    " Terraform providers and stamped with those versions, the kubernetes plugin is v4.25.0, the newest the"
    " Go proxy serves; the pinned SDKs ask for their own releases). See docs/real-engine.md."
)


def _application(client: dict[str, Any] | None, role: str) -> list[str]:
    if client is None:
        return [f"  {role:<18} none"]
    lines = [f"  {role:<18} {client['name']} ({client['app_type']}, client_id {client['client_id']})"]
    if client.get("callbacks"):
        lines.append(f"  {'':<18} callbacks {', '.join(client['callbacks'])}")
    lines.append(
        f"  {'':<18} grant types {', '.join(client.get('grant_types', []))};"
        f" token endpoint auth {client.get('token_endpoint_auth_method')}"
    )
    return lines


def tenant_lines(tenant: TenantClient, outputs: dict[str, Any]) -> list[str]:
    web_id, sync_id = outputs.get("webClientId"), outputs.get("directorySyncClientId")
    web = tenant.client(web_id) if web_id else None
    lines = [f"Auth0, read back from the tenant https://{tenant.info['domain']}:"]
    lines += _application(web, "web application")
    lines += _application(tenant.client(sync_id) if sync_id else None, "directory sync")
    for grant in (g for g in tenant.grants() if g["client_id"] == sync_id):
        lines.append(f"  {'grant':<18} {grant['audience']}: {' '.join(sorted(grant['scope']))}")
    web_name = web["name"] if web else None
    bound = {b["action"]["name"] for b in tenant.bindings()}
    for action in (a for a in tenant.actions() if web_name and a["name"] == f"{web_name}-groups-claim"):
        state = "bound to post-login" if action["name"] in bound else "not bound"
        lines.append(f"  {'groups claim':<18} Action {action['name']}, {action['status']}, {state}")
    return lines


def cluster_lines(api: KubeApi, outputs: dict[str, Any]) -> list[str]:
    namespace, name = outputs["secretNamespace"], outputs["secretName"]
    secret = api.get(f"/api/v1/namespaces/{namespace}/secrets/{name}")
    lines = [
        "Kubernetes, read back from the cluster:",
        f"  Secret {namespace}/{name}: keys {' '.join(sorted(secret.get('data', {})))} (values not shown)",
    ]
    for deployment in api.get(f"/apis/apps/v1/namespaces/{namespace}/deployments")["items"]:
        status = deployment.get("status", {})
        ready, wanted = status.get("readyReplicas", 0), deployment["spec"].get("replicas", 1)
        lines.append(f"  Deployment {namespace}/{deployment['metadata']['name']}: {ready}/{wanted} ready")
    service = outputs.get("pomeriumServiceName")
    if service:
        lines.append(f"  Service {namespace}/{service}, port {outputs.get('pomeriumServicePort')}")
    return lines


def next_lines(stack: str) -> list[str]:
    return [
        "Next:",
        f"  scripts/login.sh {stack}                                 sign in as Pomerium does",
        f"  scripts/sandbox.sh run pulumi stack output --stack {stack}",
        f"  scripts/sandbox.sh run pulumi destroy --stack {stack} --yes",
        "  scripts/sandbox.sh stop                                  stop the tenant and the cluster",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", default="sandbox")
    parser.add_argument("--expect-no-changes", action="store_true")
    parser.add_argument("--yes", "-y", action="store_true", help="accepted like pulumi's; this never prompts")
    args = parser.parse_args(argv)
    stack = select_stack(args.stack, ROOT)
    if run("up", stack, as_json=False, expect_no_changes=args.expect_no_changes) != 0:
        return 1
    outputs = {name: output.value for name, output in stack.outputs().items() if not output.secret}
    directory = control.state_dir()
    summary = [
        "",
        *tenant_lines(TenantClient(control.tenant_info(directory)), outputs),
        *cluster_lines(load_cluster(directory / control.CLUSTER_DIR).api, outputs),
        EXPECTED_WARNINGS,
        *next_lines(args.stack),
    ]
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
