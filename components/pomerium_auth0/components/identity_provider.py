"""Auth0 applications for Pomerium and the Kubernetes Secret that hands their credentials over."""

from collections.abc import Collection, Mapping
from dataclasses import replace
from functools import partial
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_auth0 as auth0
import pulumi_kubernetes as k8s
import pulumi_random as random

from ..domain.consumer import CONTROLLER_VERSION, Consumer
from ..domain.directory_sync import (
    MANAGEMENT_API_SCOPES,
    DirectorySync,
    encode_service_account,
    management_api_audience,
)
from ..domain.groups_claim import (
    ACTION_CODE,
    ACTION_RUNTIME,
    CLAIM_METADATA_KEY,
    DEFAULT_GROUPS_CLAIM,
    POST_LOGIN_TRIGGER,
    POST_LOGIN_TRIGGER_VERSION,
    GroupsClaimAction,
)
from ..domain.k8s_metadata import secret_checksum, standard_labels
from ..domain.pomerium_versions import LOGIN_KEYS, SERVICE_ACCOUNT_KEY
from ..domain.tenant_names import (
    DIRECTORY_SYNC_DESCRIPTION,
    WEB_APPLICATION_DESCRIPTION,
    directory_sync_name,
    groups_claim_action_name,
)
from ..inputs import checks
from ..inputs.input_errors import InputError
from ..inputs.settings import Arguments, Namer, Setting
from .common_arguments import AUTHENTICATE_SERVICE_URL, IDP_PROVIDER_URL, NAMESPACE, PROTECT

DEFAULT_NAMESPACE = "pomerium"
DEFAULT_SECRET_NAME = "pomerium-idp"
IDP_KEYS = frozenset({*LOGIN_KEYS, SERVICE_ACCOUNT_KEY})
"""The keys of the IdP Secret, which Pomerium reads from its environment (IDP_SERVICE_ACCOUNT unless sync is off)."""
SECRET_LENGTH = 64
"""Characters of a rotated client secret (letters and digits, about 380 bits), as long as those Auth0 generates."""
WEB_GRANT_TYPES = ("authorization_code", "refresh_token")
"""Pomerium's login flow and session refresh; implicit and password grants stay off."""


class Auth0IdentityProviderArgs(TypedDict):
    """Inputs of :class:`Auth0IdentityProvider`."""

    authenticate_service_url: pulumi.Input[str]
    """Pomerium's authenticate service URL, https:// only (e.g. https://authenticate.example.com)."""
    auth0_domain: pulumi.Input[str]
    """The tenant's canonical domain (e.g. example.us.auth0.com): the Management API audience."""
    app_name: pulumi.Input[str]
    """Base display name of the Auth0 applications; include the stack so stacks share a tenant."""
    idp_provider_url: NotRequired[pulumi.Input[str]]
    """URL users log in through, for a tenant with a custom domain. Default: https://<auth0_domain>."""
    namespace: NotRequired[pulumi.Input[str]]
    """Kubernetes namespace of the IdP Secret. Default: pomerium."""
    secret_name: NotRequired[pulumi.Input[str]]
    """Name of the IdP Secret that Pomerium consumes. Default: pomerium-idp."""
    consumer: NotRequired[str]
    """Who reads the Secret: deployment or none (IDP_* keys, default), ingress-controller (client_id, client_secret)."""
    directory_sync: NotRequired[str]
    """Management API grant for Pomerium's directory sync: legacy (default), enterprise or off."""
    groups_claim: NotRequired[bool]
    """Add Auth0 roles to the ID token with a post-login Action (Pomerium v0.20+). Default: true."""
    groups_claim_name: NotRequired[str]
    """Name of that ID-token claim. Default: pomerium.io/groups."""
    groups_claim_action: NotRequired[str]
    """own (default): deploy the tenant's one groups-claim Action and bind it; shared: another stack owns it."""
    connections: NotRequired[list[str]]
    """IDs (con_...) of the connections users log in with, enabled for the web application only. Default: none."""
    protect: NotRequired[bool]
    """Protect the Auth0 applications and the Secret against deletion. Default: false."""
    client_secret_rotation: NotRequired[int]
    """Raise it by one to give both applications new client secrets; 0 keeps those Auth0 generated. Default: 0."""


def default_directory_sync(consumer: Consumer) -> DirectorySync:
    """legacy for a Pomerium that reads IDP_SERVICE_ACCOUNT; off for the ingress controller, which cannot."""
    return DirectorySync.OFF if consumer is Consumer.INGRESS_CONTROLLER else DirectorySync.LEGACY


def _directory_sync_conflicts(checked: Mapping[str, Any], given: Collection[str], name: Namer) -> list[InputError]:
    """A directory-sync application that the consumer cannot use."""
    consumer, sync = checked.get("consumer"), checked.get("directory_sync")
    if consumer is not Consumer.INGRESS_CONTROLLER or sync in (None, DirectorySync.OFF):
        return []
    return [
        InputError(
            name.key("directory_sync"),
            f"is {sync}, but the Pomerium Ingress Controller ({CONTROLLER_VERSION}) has no directory sync: "
            "it only warns that a service_account is removed, and reads groups from the ID token",
            f"set it to off (or unset it); the groups claim ({name.ref('groups_claim')}) carries the user's roles",
        )
    ]


def _tenant_url(checked: Mapping[str, Any]) -> pulumi.Input[str] | None:
    """https://<auth0_domain>, once the domain is known (an Output when the domain is one)."""
    domain = checked.get("auth0_domain")
    if isinstance(domain, pulumi.Output):
        return pulumi.Output.concat("https://", domain)
    return None if domain is None else f"https://{domain}"


ARGUMENTS = Arguments(
    Auth0IdentityProviderArgs,
    {
        "authenticate_service_url": AUTHENTICATE_SERVICE_URL,
        "auth0_domain": Setting(partial(checks.domain, example="example.us.auth0.com")),
        "app_name": Setting(partial(checks.dns_label, example="pomerium-dev", max_length=48)),
        "idp_provider_url": replace(IDP_PROVIDER_URL, default=_tenant_url),
        "namespace": replace(NAMESPACE, default=DEFAULT_NAMESPACE),
        "secret_name": Setting(partial(checks.dns_subdomain, example=DEFAULT_SECRET_NAME), default=DEFAULT_SECRET_NAME),
        "consumer": Setting(partial(checks.member, enum=Consumer), default=Consumer.DEPLOYMENT.value),
        "directory_sync": Setting(
            partial(checks.member, enum=DirectorySync),
            default=lambda checked: default_directory_sync(checked.get("consumer", Consumer.DEPLOYMENT)).value,
        ),
        "groups_claim": Setting(checks.boolean, default=True),
        "groups_claim_name": Setting(
            partial(checks.claim_name, example=DEFAULT_GROUPS_CLAIM), default=DEFAULT_GROUPS_CLAIM
        ),
        "groups_claim_action": Setting(
            partial(checks.member, enum=GroupsClaimAction), default=GroupsClaimAction.OWN.value
        ),
        "connections": Setting(checks.connection_ids, default=[], structured=True),
        "protect": PROTECT,
        "client_secret_rotation": Setting(partial(checks.integer, minimum=0, maximum=1_000_000), default=0),
    },
    rules=[_directory_sync_conflicts],
)
"""How each argument is checked and defaulted, and the stack config key it is read from."""


Checked = Mapping[str, Any]
"""The arguments as :data:`ARGUMENTS` checked them, defaults applied."""


def _claim(settings: Checked) -> str | None:
    """The groups claim's name; None when the claim is off."""
    return settings["groups_claim_name"] if settings["groups_claim"] else None


def _require_readable_secret(client: str, secret: str) -> str:
    """Stop before an empty secret reaches Pomerium: Auth0 returns "" without the read scope."""
    if not secret and not pulumi.runtime.is_dry_run():
        raise InputError(
            f"auth0.ClientCredentials({client}).client_secret",
            "Auth0 returned an empty client secret",
            "grant the application that Pulumi authenticates with the Management API scope "
            "read:client_keys or read:client_credentials (README: Auth0 bootstrap application), "
            "then run `pulumi up` again",
        )
    return secret


class Auth0IdentityProvider(pulumi.ComponentResource):
    """Pomerium's Auth0 login application, its directory-sync application and the IdP Secret.

    The Secret holds exactly the keys Pomerium reads from its environment (`IDP_PROVIDER`,
    `IDP_PROVIDER_URL`, `IDP_CLIENT_ID`, `IDP_CLIENT_SECRET` and, unless directory sync is off,
    `IDP_SERVICE_ACCOUNT`), ready for a Pomerium container's `envFrom`; for the ingress controller,
    exactly `client_id` and `client_secret` (consumer ingress-controller).
    """

    web_client_id: pulumi.Output[str]
    """Client ID of the Regular Web Application users log in to."""
    directory_sync_client_id: pulumi.Output[str | None]
    """Client ID of the Machine-to-Machine application; unset when directory sync is off."""
    idp_provider_url: pulumi.Output[str]
    """The value of IDP_PROVIDER_URL."""
    secret_name: pulumi.Output[str]
    """Name of the Kubernetes Secret for Pomerium's envFrom."""
    secret_namespace: pulumi.Output[str]
    """Namespace of that Secret."""
    secret_checksum: pulumi.Output[str]
    """SHA-256 of the Secret's content (a secret Output): put it on a pod template to roll on change."""

    def __init__(
        self,
        name: str,
        args: Auth0IdentityProviderArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        settings = ARGUMENTS.checked(args)
        super().__init__("pomerium-auth0:index:Auth0IdentityProvider", name, {}, opts)
        web_client_secret = self._login_application(name, settings)
        self._login_connections(name, settings)
        service_account = self._directory_sync(name, settings)
        self._groups_claim(name, settings)
        secret_data = self._idp_secret(name, settings, web_client_secret, service_account)
        self.register_outputs(self._outputs(settings, secret_data))

    def _login_application(self, name: str, settings: Checked) -> pulumi.Output[str]:
        """The Regular Web Application users sign in to Pomerium with; returns its secret (IDP_CLIENT_SECRET)."""
        login_url = pulumi.Output.from_input(settings["authenticate_service_url"])
        claim = _claim(settings)
        self.web_client = auth0.Client(
            f"{name}-web",
            name=settings["app_name"],
            description=WEB_APPLICATION_DESCRIPTION,
            app_type="regular_web",
            initiate_login_uri=login_url,
            callbacks=[pulumi.Output.concat(login_url, "/oauth2/callback")],
            allowed_logout_urls=[pulumi.Output.concat(login_url, "/.pomerium/signed_out")],
            grant_types=list(WEB_GRANT_TYPES),
            oidc_conformant=True,
            jwt_configuration=auth0.ClientJwtConfigurationArgs(alg="RS256"),
            client_metadata={CLAIM_METADATA_KEY: claim} if claim is not None else None,
            opts=pulumi.ResourceOptions(parent=self, protect=settings["protect"]),
        )
        self.web_credentials, web_client_secret = self._client_secret(
            f"{name}-web-credentials", self.web_client, settings["client_secret_rotation"]
        )
        return web_client_secret

    def _login_connections(self, name: str, settings: Checked) -> None:
        """Enable the web application on the named connections, each on its own: other applications keep theirs.

        Unset, the tenant's `enable_client_connections` flag decides: on, a new application gets
        every connection; off, none, and nobody can log in until one is enabled.
        """
        self.connection_clients = [
            auth0.ConnectionClient(
                f"{name}-connection-{connection_id}",
                connection_id=connection_id,
                client_id=self.web_client.client_id,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for connection_id in settings["connections"]
        ]

    def _directory_sync(self, name: str, settings: Checked) -> pulumi.Output[str] | None:
        """M2M app, credentials, Management API grant: Pomerium reads groups; returns IDP_SERVICE_ACCOUNT or None."""
        self.directory_sync_client: auth0.Client | None = None
        self.directory_sync_credentials: auth0.ClientCredentials | None = None
        self.management_api_grant: auth0.ClientGrant | None = None
        if settings["directory_sync"] is DirectorySync.OFF:
            return None
        self.directory_sync_client = auth0.Client(
            f"{name}-directory-sync",
            name=pulumi.Output.from_input(settings["app_name"]).apply(directory_sync_name),
            description=DIRECTORY_SYNC_DESCRIPTION,
            app_type="non_interactive",
            grant_types=["client_credentials"],
            jwt_configuration=auth0.ClientJwtConfigurationArgs(alg="RS256"),
            opts=pulumi.ResourceOptions(parent=self, protect=settings["protect"]),
        )
        self.directory_sync_credentials, sync_secret = self._client_secret(
            f"{name}-directory-sync-credentials", self.directory_sync_client, settings["client_secret_rotation"]
        )
        self.management_api_grant = auth0.ClientGrant(
            f"{name}-management-api-grant",
            client_id=self.directory_sync_client.client_id,
            audience=pulumi.Output.from_input(settings["auth0_domain"]).apply(management_api_audience),
            scopes=list(MANAGEMENT_API_SCOPES[settings["directory_sync"]]),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return pulumi.Output.secret(
            pulumi.Output.all(
                client_id=self.directory_sync_client.client_id,
                secret=sync_secret,
                tenant_domain=settings["auth0_domain"],
                login_url=settings["idp_provider_url"],
            ).apply(lambda account: encode_service_account(**account))
        )

    def _groups_claim(self, name: str, settings: Checked) -> None:
        """The tenant's post-login Action that puts roles in the ID token, if this stack owns it.

        The web application's metadata names the claim; the Action reads it from there, so one
        binding serves every Pomerium stack in the tenant (see `groups_claim`).
        """
        self.groups_claim_action: auth0.Action | None = None
        self.groups_claim_binding: auth0.TriggerAction | None = None
        if _claim(settings) is None or settings["groups_claim_action"] is GroupsClaimAction.SHARED:
            return
        self.groups_claim_action = auth0.Action(
            f"{name}-groups-claim",
            name=pulumi.Output.from_input(settings["app_name"]).apply(groups_claim_action_name),
            runtime=ACTION_RUNTIME,
            deploy=True,
            supported_triggers=auth0.ActionSupportedTriggersArgs(
                id=POST_LOGIN_TRIGGER, version=POST_LOGIN_TRIGGER_VERSION
            ),
            code=ACTION_CODE,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.groups_claim_binding = auth0.TriggerAction(
            f"{name}-groups-claim-binding",
            trigger=POST_LOGIN_TRIGGER,
            action_id=self.groups_claim_action.id,
            display_name=self.groups_claim_action.name,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _idp_secret(
        self,
        name: str,
        settings: Checked,
        web_client_secret: pulumi.Output[str],
        service_account: pulumi.Output[str] | None,
    ) -> dict[str, pulumi.Input[str]]:
        """The Secret with exactly the keys its consumer reads; returns that data for the checksum.

        Pomerium's envFrom reads the IDP_* variables; the ingress controller reads `client_id` and
        `client_secret` and takes the provider and its URL from its `Pomerium` resource.
        """
        secret_data: dict[str, pulumi.Input[str]]
        if settings["consumer"] is Consumer.INGRESS_CONTROLLER:
            secret_data = {"client_id": self.web_client.client_id, "client_secret": web_client_secret}
        else:
            secret_data = {
                "IDP_PROVIDER": "auth0",
                "IDP_PROVIDER_URL": settings["idp_provider_url"],
                "IDP_CLIENT_ID": self.web_client.client_id,
                "IDP_CLIENT_SECRET": web_client_secret,
            }
        if service_account is not None:
            secret_data[SERVICE_ACCOUNT_KEY] = service_account
        self.secret = k8s.core.v1.Secret(
            f"{name}-secret",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings["secret_name"],
                namespace=settings["namespace"],
                labels=standard_labels(settings["app_name"], "identity-provider"),
            ),
            type="Opaque",
            string_data=secret_data,
            opts=pulumi.ResourceOptions(parent=self, protect=settings["protect"]),
        )
        return secret_data

    def _outputs(self, settings: Checked, secret_data: dict[str, pulumi.Input[str]]) -> pulumi.Inputs:
        """Set the outputs other stacks wire up (client IDs, the Secret and its checksum); returns them to register."""
        self.web_client_id = self.web_client.client_id
        self.directory_sync_client_id = (
            self.directory_sync_client.client_id
            if self.directory_sync_client is not None
            else pulumi.Output.from_input(None)
        )
        self.idp_provider_url = pulumi.Output.from_input(settings["idp_provider_url"])
        self.secret_name = self.secret.metadata.apply(lambda metadata: metadata.name or "")
        self.secret_namespace = self.secret.metadata.apply(lambda metadata: metadata.namespace or "")
        self.secret_checksum = secret_checksum(secret_data)
        return {
            "web_client_id": self.web_client_id,
            "directory_sync_client_id": self.directory_sync_client_id,
            "idp_provider_url": self.idp_provider_url,
            "secret_name": self.secret_name,
            "secret_namespace": self.secret_namespace,
            "secret_checksum": self.secret_checksum,
        }

    def _client_secret(
        self, resource_name: str, client: auth0.Client, rotation: int
    ) -> tuple[auth0.ClientCredentials, pulumi.Output[str]]:
        """A client's secret the pulumi-auth0 v3 way, through ClientCredentials, kept secret.

        Rotation 0 reads the secret Auth0 generated. From 1 on, the secret is a `RandomPassword` kept
        by the rotation's number: raising the number replaces the password, and ClientCredentials
        sets it on the application (`PATCH /clients/{id}`, which needs `update:client_keys`); Auth0
        refuses the old secret from then on.
        """
        rotated = (
            random.RandomPassword(
                f"{resource_name}-rotation",
                length=SECRET_LENGTH,
                special=False,
                keepers={"rotation": str(rotation)},
                opts=pulumi.ResourceOptions(parent=self),
            ).result
            if rotation > 0
            else None
        )
        credentials = auth0.ClientCredentials(
            resource_name,
            client_id=client.client_id,
            authentication_method="client_secret_post",
            client_secret=rotated,
            opts=pulumi.ResourceOptions(parent=self),
        )
        secret: pulumi.Output[str] = pulumi.Output.secret(
            credentials.client_secret.apply(partial(_require_readable_secret, resource_name))
        )
        return credentials, secret
