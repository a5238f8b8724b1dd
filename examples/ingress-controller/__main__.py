"""Pomerium Ingress Controller as the consumer: the IdP Secret, its `global` settings and one Ingress per route.

The controller reads `client_id` and `client_secret` from the IdP Secret and everything else from
its cluster-scoped `Pomerium` resource. This program sets only the identity-provider, authenticate
and bootstrap-Secret fields of the existing `global` (a server-side apply patch under its own field
manager); the rest of `global` stays the install's. Routes become Ingress objects of class `pomerium`.
"""

import json

import pulumi
from pomerium_auth0 import Auth0IdentityProvider, PomeriumIngressController, PomeriumIngressControllerArgs

config = pulumi.Config()
namespace = config.get("namespace") or "pomerium"
authenticate_url = config.require("authenticateServiceUrl")
idp = Auth0IdentityProvider(
    "pomerium-idp",
    {
        "authenticate_service_url": authenticate_url,
        # The tenant the auth0 provider talks to is the one the applications live in.
        "auth0_domain": pulumi.Config("auth0").require("domain"),
        "app_name": f"pomerium-{pulumi.get_stack()}",
        "namespace": namespace,
        "consumer": "ingress-controller",
        "directory_sync": "off",
    },
)

args = PomeriumIngressControllerArgs(
    authenticate_service_url=authenticate_url,
    idp_provider_url=idp.idp_provider_url,
    idp_secret_namespace=idp.secret_namespace,
    idp_secret_name=idp.secret_name,
    namespace=namespace,
    routes=json.loads(config.get("routes") or "[]"),
)
bootstrap_secret = config.get("bootstrapSecret")
if bootstrap_secret:
    args["bootstrap_secret"] = bootstrap_secret
controller = PomeriumIngressController("pomerium", args)

pulumi.export("webClientId", idp.web_client_id)
pulumi.export("idpSecret", pulumi.Output.concat(idp.secret_namespace, "/", idp.secret_name))
pulumi.export("pomeriumResourceName", controller.pomerium_name)
pulumi.export("bootstrapSecret", controller.bootstrap_secret)
pulumi.export("ingressNames", controller.ingress_names)
