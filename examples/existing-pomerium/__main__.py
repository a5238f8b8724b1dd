"""The IdP Secret for a Pomerium you already run, which rolls when a credential changes.

Your Pomerium Deployment (or Helm release) consumes the Secret with `envFrom`. This program
patches only its pod-template annotation with the Secret's checksum, so rotating a client
secret rolls the pods in the same `pulumi up`; it takes over no other field of the Deployment.
"""

import pulumi
import pulumi_kubernetes as k8s
from pomerium_auth0 import Auth0IdentityProvider
from pomerium_auth0.domain.k8s_metadata import CHECKSUM_ANNOTATION

config = pulumi.Config()
# The namespace your Pomerium already runs in (`namespace` config, default `pomerium`); this program
# creates no namespace, the Secret goes next to the existing Deployment.
namespace = config.get("namespace") or "pomerium"
idp = Auth0IdentityProvider(
    "pomerium-idp",
    {
        "authenticate_service_url": config.require("authenticateServiceUrl"),
        "auth0_domain": config.require("auth0Domain"),
        "app_name": f"pomerium-{pulumi.get_stack()}",
        "namespace": namespace,
        "secret_name": config.get("secretName") or "pomerium-idp",
    },
)

deployment = config.get("existingDeployment")
if deployment:
    k8s.apps.v1.DeploymentPatch(
        "pomerium-rollout-on-idp-change",
        metadata=k8s.meta.v1.ObjectMetaPatchArgs(name=deployment, namespace=namespace),
        spec=k8s.apps.v1.DeploymentSpecPatchArgs(
            template=k8s.core.v1.PodTemplateSpecPatchArgs(
                metadata=k8s.meta.v1.ObjectMetaPatchArgs(annotations={CHECKSUM_ANNOTATION: idp.secret_checksum})
            )
        ),
    )

pulumi.export("secretName", idp.secret_name)
pulumi.export("secretNamespace", idp.secret_namespace)
pulumi.export("secretChecksum", idp.secret_checksum)
