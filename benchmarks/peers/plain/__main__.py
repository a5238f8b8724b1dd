"""Our stack's `consumer: none` job with no component: what validation and the scope check cost.

The same objects as benchmarks/peers/tofu/main.tf (tests/project/test_peers.py holds them in step), written
the way a user would by hand: no input validation, no pre-flight scope check, no parent component.
Config: `appName`, `namespace`, `authenticateUrl`; Auth0 credentials from AUTH0_* in the environment.
"""

import base64
import json
import os

import pulumi
import pulumi_auth0 as auth0
import pulumi_kubernetes as k8s
from pomerium_auth0.domain.groups_claim import ACTION_CODE

config = pulumi.Config()
app_name = config.require("appName")
login_url = config.require("authenticateUrl")
domain = os.environ["AUTH0_DOMAIN"]

web = auth0.Client(
    "web",
    name=app_name,
    app_type="regular_web",
    initiate_login_uri=login_url,
    callbacks=[f"{login_url}/oauth2/callback"],
    allowed_logout_urls=[f"{login_url}/.pomerium/signed_out"],
    grant_types=["authorization_code", "refresh_token"],
    oidc_conformant=True,
    jwt_configuration=auth0.ClientJwtConfigurationArgs(alg="RS256"),
    client_metadata={"pomerium_groups_claim": "pomerium.io/groups"},
)
web_credentials = auth0.ClientCredentials(
    "web-credentials", client_id=web.client_id, authentication_method="client_secret_post"
)
sync = auth0.Client(
    "directory-sync",
    name=f"{app_name}-directory-sync",
    app_type="non_interactive",
    grant_types=["client_credentials"],
    jwt_configuration=auth0.ClientJwtConfigurationArgs(alg="RS256"),
)
sync_credentials = auth0.ClientCredentials(
    "directory-sync-credentials", client_id=sync.client_id, authentication_method="client_secret_post"
)
auth0.ClientGrant(
    "management-api-grant",
    client_id=sync.client_id,
    audience=f"https://{domain}/api/v2/",
    scopes=["read:roles", "read:role_members"],
)
action = auth0.Action(
    "groups-claim",
    name=f"{app_name}-groups-claim",
    runtime="node22",
    deploy=True,
    supported_triggers=auth0.ActionSupportedTriggersArgs(id="post-login", version="v3"),
    code=ACTION_CODE,
)
auth0.TriggerAction("groups-claim-binding", trigger="post-login", action_id=action.id, display_name=action.name)

namespace = k8s.core.v1.Namespace("namespace", metadata=k8s.meta.v1.ObjectMetaArgs(name=config.require("namespace")))
service_account: pulumi.Output[str] = pulumi.Output.all(sync.client_id, sync_credentials.client_secret).apply(
    lambda pair: base64.b64encode(json.dumps({"client_id": pair[0], "secret": pair[1]}).encode()).decode()
)
k8s.core.v1.Secret(
    "idp-secret",
    metadata=k8s.meta.v1.ObjectMetaArgs(name="pomerium-idp", namespace=namespace.metadata.name),
    type="Opaque",
    string_data={
        "IDP_PROVIDER": "auth0",
        "IDP_PROVIDER_URL": f"https://{domain}/",
        "IDP_CLIENT_ID": web.client_id,
        "IDP_CLIENT_SECRET": web_credentials.client_secret,
        "IDP_SERVICE_ACCOUNT": service_account,  # secret: built from a secret output
    },
)
