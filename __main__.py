"""The pomerium-auth0 stack: Auth0 applications, the IdP Secret, and Pomerium consuming it."""

import pulumi
import pulumi_kubernetes as k8s
from pomerium_auth0 import Auth0IdentityProvider, Consumer, Pomerium, PomeriumIngressController
from pomerium_auth0.stack.auth0_provider import stack_auth0_provider
from pomerium_auth0.stack.bootstrap_scopes import bootstrap_credentials, check_bootstrap_scopes
from pomerium_auth0.stack.stack_config import load_stack_config

config = load_stack_config()
# Before anything is created (and never in a preview, which makes no Auth0 request): does the
# bootstrap application hold every scope this stack's lifecycle needs?
credentials = bootstrap_credentials()
if config.check_bootstrap_scopes and credentials and not pulumi.runtime.is_dry_run():
    check_bootstrap_scopes(config.auth0_domain, *credentials, config.bootstrap_features())

# An explicit auth0 provider, registered before any Kubernetes resource: the engine configures it
# alongside the kubernetes provider, and starts its plugin first (see auth0_provider.py).
auth0_provider = stack_auth0_provider()
namespace: pulumi.Input[str] = config.namespace
if config.create_namespace:
    created = k8s.core.v1.Namespace(
        "pomerium-namespace",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=config.namespace,
            labels={"pod-security.kubernetes.io/enforce": "restricted"},
        ),
        opts=pulumi.ResourceOptions(protect=config.protect),
    )
    namespace = created.metadata.apply(lambda metadata: metadata.name or config.namespace)

idp = Auth0IdentityProvider(
    "pomerium-idp", config.identity_provider_args(namespace), pulumi.ResourceOptions(provider=auth0_provider)
)

pulumi.export("webClientId", idp.web_client_id)
pulumi.export("directorySyncClientId", idp.directory_sync_client_id)
pulumi.export("idpProviderUrl", idp.idp_provider_url)
pulumi.export("secretName", idp.secret_name)
pulumi.export("secretNamespace", idp.secret_namespace)
pulumi.export("secretChecksum", idp.secret_checksum)

if config.consumer is Consumer.DEPLOYMENT:
    pomerium = Pomerium("pomerium", config.pomerium_args(namespace, idp.secret_name, idp.secret_checksum))
    pulumi.export("pomeriumServiceName", pomerium.service_name)
    pulumi.export("pomeriumServicePort", pomerium.service_port)
elif config.consumer is Consumer.INGRESS_CONTROLLER:
    controller = PomeriumIngressController(
        "pomerium-ingress-controller", config.ingress_controller_args(namespace, idp.secret_namespace, idp.secret_name)
    )
    pulumi.export("pomeriumResourceName", controller.pomerium_name)
    pulumi.export("bootstrapSecret", controller.bootstrap_secret)
    pulumi.export("ingressNames", controller.ingress_names)
