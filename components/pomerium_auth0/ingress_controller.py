"""The Pomerium Ingress Controller as the consumer: its `Pomerium` settings, bootstrap Secret and routes.

The controller takes its settings from a cluster-scoped `ingress.pomerium.io/v1` `Pomerium` resource
(usually `global`) that the user's install normally owns. We set only the fields the IdP needs, with
a server-side apply patch under a field manager of our own, so every other field stays the user's
and `destroy` gives back exactly ours.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from . import validation
from .errors import InputError
from .ingress_routes import IngressRoute, ingress_routes
from .k8s_metadata import standard_labels
from .pomerium import POMERIUM_SECRETS

API_VERSION = "ingress.pomerium.io/v1"
KIND = "Pomerium"
DEFAULT_POMERIUM_NAME = "global"
DEFAULT_INGRESS_CLASS = "pomerium"
DEFAULT_BOOTSTRAP_SECRET_NAME = "pomerium-bootstrap"
FIELD_MANAGER = "pomerium-auth0"
"""Our server-side apply field manager on the `Pomerium` resource: `kubectl get pomerium global
--show-managed-fields` lists exactly the fields we set under it."""
PATCH_FIELD_MANAGER_ANNOTATION = "pulumi.com/patchFieldManager"
SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}
"""On each Ingress: pulumi-kubernetes otherwise waits (10 minutes, then fails) until every backend Service
exists and `status.loadBalancer` is set. The Services are the user's and may come later, and the
controller publishes that status only when run with `--update-status-from-service`."""
_NAMESPACED_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
BOOTSTRAP_SECRET_EXAMPLE = "pomerium/bootstrap"
"""Where the controller's install manifest has its `gen-secrets` job write the bootstrap Secret."""


def namespaced_name(key: str, value: object, *, example: str) -> str:
    """A `namespace/name` reference, as the `Pomerium` resource names Secrets."""
    text = str(value).strip() if isinstance(value, str) else ""
    if len(text) > 317 or not _NAMESPACED_NAME.match(text):
        raise InputError(
            key,
            f"{validation.shown(value)} is not a namespace/name reference",
            f"give the Secret's namespace and name, e.g. {example}",
        )
    return text


def setting_conflicts(
    bootstrap_secret_given: bool, create_pomerium: bool, supplied_secrets: list[str]
) -> list[tuple[str, str, str]]:
    """Rules that span settings, as (argument, problem, fix).

    An existing `Pomerium` resource already names its bootstrap Secret (`spec.secrets` is required),
    so patching in another name would be a field-manager conflict at `up`: it must be referenced.
    A referenced Secret keeps its own values, so supplied ones would go unused.
    """
    if not bootstrap_secret_given:
        if create_pomerium:
            return []
        return [
            (
                "bootstrap_secret",
                "is required when patching an existing Pomerium resource, whose spec.secrets already names one",
                f"set it to that Secret (the controller's gen-secrets job writes {BOOTSTRAP_SECRET_EXAMPLE}), "
                "or set create_pomerium so this stack creates the Pomerium resource and its bootstrap Secret",
            )
        ]
    return [
        (
            secret,
            "is not used: bootstrap_secret names an existing Secret, which keeps its own values",
            "remove it, or unset bootstrap_secret to have this stack create the bootstrap Secret",
        )
        for secret in supplied_secrets
    ]


class PomeriumIngressControllerArgs(TypedDict):
    """Inputs of :class:`PomeriumIngressController`."""

    authenticate_service_url: pulumi.Input[str]
    """Pomerium's authenticate service URL, https:// only (spec.authenticate.url)."""
    idp_provider_url: pulumi.Input[str]
    """The URL users log in through, https:// only (spec.identityProvider.url)."""
    idp_secret_namespace: pulumi.Input[str]
    """Namespace of the IdP Secret holding client_id and client_secret."""
    idp_secret_name: pulumi.Input[str]
    """Name of that Secret (spec.identityProvider.secret is namespace/name)."""
    namespace: pulumi.Input[str]
    """Namespace of the bootstrap Secret we create, and of the Ingress of a route whose `to` names no namespace."""
    pomerium_name: NotRequired[str]
    """Name of the cluster-scoped Pomerium resource the controller reads. Default: global."""
    create_pomerium: NotRequired[bool]
    """Create that resource (and delete it on destroy) instead of patching the existing one. Default: false."""
    bootstrap_secret: NotRequired[pulumi.Input[str]]
    """namespace/name of an existing bootstrap Secret (e.g. pomerium/bootstrap of gen-secrets); unset: we create one."""
    cookie_secret: NotRequired[pulumi.Input[str]]
    """Base64 of 32 random bytes for the bootstrap Secret we create; generated and kept stable when not given."""
    shared_secret: NotRequired[pulumi.Input[str]]
    """Base64 of 32 random bytes for the bootstrap Secret we create; generated and kept stable when not given."""
    signing_key: NotRequired[pulumi.Input[str]]
    """Base64 of a PEM ECDSA P-256 private key for the bootstrap Secret we create; generated when not given."""
    routes: NotRequired[list[dict[str, Any]]]
    """Pomerium routes (from, to, policy, ...); each becomes its own Ingress. Default: none."""
    ingress_class_name: NotRequired[str]
    """ingressClassName of those Ingress objects. Default: pomerium."""
    protect: NotRequired[bool]
    """Protect the entropy of the generated bootstrap secrets; losing it signs every user out. Default: false."""


@dataclass(frozen=True)
class _Settings:
    """PomeriumIngressControllerArgs, validated and with defaults applied."""

    authenticate_url: pulumi.Input[str]
    provider_url: pulumi.Input[str]
    idp_secret_namespace: pulumi.Input[str]
    idp_secret_name: pulumi.Input[str]
    namespace: pulumi.Input[str]
    pomerium_name: str
    create_pomerium: bool
    bootstrap_secret: pulumi.Input[str] | None
    supplied: dict[str, pulumi.Input[str]]
    routes: list[IngressRoute]
    ingress_class: str
    protect: bool


class PomeriumIngressController(pulumi.ComponentResource):
    """The Pomerium Ingress Controller wired to the IdP Secret: its settings, bootstrap Secret and routes.

    The controller reloads when a Secret it references changes, so no checksum is needed: a rotated
    client secret reaches it through the IdP Secret alone.
    """

    pomerium_name: pulumi.Output[str]
    """Name of the Pomerium resource holding our settings."""
    bootstrap_secret: pulumi.Output[str]
    """namespace/name of the bootstrap Secret that spec.secrets references."""
    ingress_names: pulumi.Output[list[str]]
    """namespace/name of each route's Ingress, in the order of the routes."""

    def __init__(
        self, name: str, args: PomeriumIngressControllerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        settings = self._validate(args)
        super().__init__("pomerium-auth0:index:PomeriumIngressController", name, {}, opts)
        self.bootstrap = self._bootstrap_secret(name, settings)
        self.bootstrap_secret = (
            self.bootstrap.metadata.apply(lambda metadata: f"{metadata.namespace}/{metadata.name}")
            if self.bootstrap is not None
            else pulumi.Output.from_input(settings.bootstrap_secret or "")
        )
        self.pomerium_settings = self._pomerium(name, settings)
        self.ingresses = [self._ingress(name, settings, route) for route in settings.routes]
        self.pomerium_name = pulumi.Output.from_input(settings.pomerium_name)
        self.ingress_names = pulumi.Output.all(
            *(
                ingress.metadata.apply(lambda metadata: f"{metadata.namespace}/{metadata.name}")
                for ingress in self.ingresses
            )
        )
        self.register_outputs(
            {
                "pomerium_name": self.pomerium_name,
                "bootstrap_secret": self.bootstrap_secret,
                "ingress_names": self.ingress_names,
            }
        )

    @staticmethod
    def _validate(args: PomeriumIngressControllerArgs) -> _Settings:
        """Check every argument before the component registers, so bad input leaves nothing half-created."""
        field = "PomeriumIngressControllerArgs."
        validation.known_fields(field, args, PomeriumIngressControllerArgs)
        given: Mapping[str, Any] = args
        for argument, problem, fix in setting_conflicts(
            "bootstrap_secret" in args,
            validation.boolean(field + "create_pomerium", args.get("create_pomerium", False)),
            [secret for secret in POMERIUM_SECRETS if secret in given],
        ):
            raise InputError(field + argument, problem, fix)
        https_url = validation.https_url
        return _Settings(
            authenticate_url=validation.checked_input(
                args["authenticate_service_url"],
                partial(https_url, field + "authenticate_service_url", example="https://authenticate.example.com"),
            ),
            provider_url=validation.checked_input(
                args["idp_provider_url"],
                partial(https_url, field + "idp_provider_url", example="https://example.us.auth0.com"),
            ),
            idp_secret_namespace=validation.checked_input(
                args["idp_secret_namespace"],
                partial(validation.dns_label, field + "idp_secret_namespace", example="pomerium"),
            ),
            idp_secret_name=validation.checked_input(
                args["idp_secret_name"],
                partial(validation.dns_subdomain, field + "idp_secret_name", example="pomerium-idp"),
            ),
            namespace=validation.checked_input(
                args["namespace"], partial(validation.dns_label, field + "namespace", example="pomerium")
            ),
            pomerium_name=validation.dns_subdomain(
                field + "pomerium_name", args.get("pomerium_name", DEFAULT_POMERIUM_NAME), example=DEFAULT_POMERIUM_NAME
            ),
            create_pomerium=validation.boolean(field + "create_pomerium", args.get("create_pomerium", False)),
            bootstrap_secret=(
                validation.checked_input(
                    args["bootstrap_secret"],
                    partial(namespaced_name, field + "bootstrap_secret", example=BOOTSTRAP_SECRET_EXAMPLE),
                )
                if "bootstrap_secret" in args
                else None
            ),
            supplied={
                secret: validation.checked_input(given[secret], partial(check, field + secret))
                for secret, (check, _) in POMERIUM_SECRETS.items()
                if secret in given
            },
            routes=ingress_routes(field + "routes", args.get("routes", [])),
            ingress_class=validation.dns_subdomain(
                field + "ingress_class_name",
                args.get("ingress_class_name", DEFAULT_INGRESS_CLASS),
                example=DEFAULT_INGRESS_CLASS,
            ),
            protect=validation.boolean(field + "protect", args.get("protect", False)),
        )

    def _bootstrap_secret(self, name: str, settings: _Settings) -> k8s.core.v1.Secret | None:
        """The Secret spec.secrets names, unless the user referenced one (e.g. the gen-secrets job's).

        The controller takes each key's raw bytes: `shared_secret` and `cookie_secret` must be 32
        bytes, `signing_key` a PEM key. Our values are base64 of exactly those bytes, so they go
        into `data` as they are (Kubernetes decodes `data`; `stringData` would store the base64 text).
        """
        if settings.bootstrap_secret is not None:
            return None
        guarded = pulumi.ResourceOptions(parent=self, protect=settings.protect)
        values: dict[str, pulumi.Input[str]] = {
            secret: settings.supplied.get(secret) or generate(f"{name}-{secret.replace('_', '-')}", guarded)
            for secret, (_, generate) in POMERIUM_SECRETS.items()
        }
        return k8s.core.v1.Secret(
            f"{name}-bootstrap",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=DEFAULT_BOOTSTRAP_SECRET_NAME,
                namespace=settings.namespace,
                labels=standard_labels(settings.pomerium_name, "bootstrap"),
            ),
            type="Opaque",
            data={key: pulumi.Output.secret(value) for key, value in sorted(values.items())},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _spec(self, settings: _Settings) -> dict[str, Any]:
        """Exactly the fields we own: the IdP, the authenticate URL and the bootstrap Secret reference."""
        return {
            "identityProvider": {
                "provider": "auth0",
                "url": settings.provider_url,
                "secret": pulumi.Output.concat(settings.idp_secret_namespace, "/", settings.idp_secret_name),
            },
            "authenticate": {"url": settings.authenticate_url},
            "secrets": self.bootstrap_secret,
        }

    def _pomerium(
        self, name: str, settings: _Settings
    ) -> k8s.apiextensions.CustomResource | k8s.apiextensions.CustomResourcePatch:
        """Our fields of the Pomerium resource: created whole when asked to, else patched into the existing one.

        A server-side apply patch would create a missing resource as a side effect; reading it first
        makes a missing `global` stop the preview instead, so creating one is always a choice.
        """
        self.existing: k8s.apiextensions.CustomResource | None = None
        if settings.create_pomerium:
            return k8s.apiextensions.CustomResource(
                f"{name}-pomerium",
                api_version=API_VERSION,
                kind=KIND,
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=settings.pomerium_name, labels=standard_labels(settings.pomerium_name, "settings")
                ),
                spec=self._spec(settings),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.existing = k8s.apiextensions.CustomResource.get(
            f"{name}-existing-pomerium",
            api_version=API_VERSION,
            kind=KIND,
            id=settings.pomerium_name,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return k8s.apiextensions.CustomResourcePatch(
            f"{name}-pomerium-settings",
            api_version=API_VERSION,
            kind=KIND,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings.pomerium_name, annotations={PATCH_FIELD_MANAGER_ANNOTATION: FIELD_MANAGER}
            ),
            spec=self._spec(settings),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.existing]),
        )

    def _ingress(self, name: str, settings: _Settings, route: IngressRoute) -> k8s.networking.v1.Ingress:
        """One route's Ingress, on its own, so changing a route updates only its object."""
        namespace = settings.namespace if route.namespace is None else route.namespace
        prefix = "" if route.namespace is None else f"{route.namespace}-"
        return k8s.networking.v1.Ingress(
            f"{name}-route-{prefix}{route.object_name}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=route.object_name,
                namespace=namespace,
                labels=standard_labels(settings.pomerium_name, "route"),
                annotations={**route.annotations, **SKIP_AWAIT},
            ),
            spec=k8s.networking.v1.IngressSpecArgs(
                ingress_class_name=settings.ingress_class,
                rules=[
                    k8s.networking.v1.IngressRuleArgs(
                        host=route.host,
                        http=k8s.networking.v1.HTTPIngressRuleValueArgs(
                            paths=[
                                k8s.networking.v1.HTTPIngressPathArgs(
                                    path=route.path,
                                    path_type=route.path_type,
                                    backend=k8s.networking.v1.IngressBackendArgs(
                                        service=k8s.networking.v1.IngressServiceBackendArgs(
                                            name=route.service,
                                            port=k8s.networking.v1.ServiceBackendPortArgs(number=route.port),
                                        )
                                    ),
                                )
                            ]
                        ),
                    )
                ],
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
