"""Two teams, two Pomerium instances, one Auth0 tenant, one cluster, explicit providers.

Each team gets its own namespace, Auth0 applications and Pomerium. The first team's component
owns the tenant's one groups-claim Action; the second shares it (`groups_claim_action`), because
two writers of the post-login binding list at once can drop each other's binding. The tenant and
the cluster are reached through explicit providers passed to each component, so this program can
sit beside others that talk to different tenants or clusters.
"""

import pulumi
import pulumi_auth0 as auth0
import pulumi_kubernetes as k8s
from pomerium_auth0 import Auth0IdentityProvider, Pomerium

config = pulumi.Config()
tenant_domain = config.require("auth0Domain")
tenant = auth0.Provider(
    "tenant",
    domain=tenant_domain,
    client_id=config.require("auth0ClientId"),
    client_secret=config.require_secret("auth0ClientSecret"),
)
cluster = k8s.Provider("cluster", context=config.get("kubeContext"))

for team, groups_claim_action in (("payments", "own"), ("search", "shared")):
    namespace = k8s.core.v1.Namespace(
        f"{team}-namespace",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=f"pomerium-{team}", labels={"pod-security.kubernetes.io/enforce": "restricted"}
        ),
        opts=pulumi.ResourceOptions(provider=cluster),
    )
    namespace_name = namespace.metadata.apply(lambda metadata: metadata.name or "")
    authenticate_url = f"https://authenticate.{team}.example.com"
    on_tenant_and_cluster = pulumi.ResourceOptions(providers=[tenant, cluster])
    idp = Auth0IdentityProvider(
        f"{team}-idp",
        {
            "authenticate_service_url": authenticate_url,
            "auth0_domain": tenant_domain,
            "app_name": f"pomerium-{team}-{pulumi.get_stack()}",
            "namespace": namespace_name,
            "directory_sync": "off",
            "groups_claim_action": groups_claim_action,
        },
        opts=on_tenant_and_cluster,
    )
    pomerium = Pomerium(
        f"{team}-pomerium",
        {
            "authenticate_service_url": authenticate_url,
            "namespace": namespace_name,
            "idp_secret_name": idp.secret_name,
            "idp_secret_checksum": idp.secret_checksum,
            "routes": [
                {
                    "from": f"https://dashboard.{team}.example.com",
                    "to": f"http://dashboard.{team}.svc.cluster.local:8080",
                    "policy": [{"allow": {"or": [{"claim/pomerium.io/groups": team}]}}],
                }
            ],
        },
        opts=on_tenant_and_cluster,
    )
    pulumi.export(f"{team}WebClientId", idp.web_client_id)
    pulumi.export(f"{team}ServiceName", pomerium.service_name)
