"""The Pomerium Ingress Controller as the consumer: its `Pomerium` settings, bootstrap Secret and routes.

The controller takes its settings from a cluster-scoped `ingress.pomerium.io/v1` `Pomerium` resource
(usually `global`) that the user's install normally owns. We set only the fields the IdP needs, with
a server-side apply patch under a field manager of our own, so every other field stays the user's
and `destroy` gives back exactly ours.
"""

import re
from collections.abc import Collection, Mapping
from dataclasses import replace
from functools import partial
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..domain.generated_secrets import SECRET_SETTINGS, secret_values
from ..domain.ingress_routes import IngressRoute, check_ingress_routes, ingress_routes
from ..domain.k8s_metadata import standard_labels
from ..inputs import checks
from ..inputs.input_errors import InputError
from ..inputs.settings import Arguments, Namer, Setting, argument_namer
from .common_arguments import AUTHENTICATE_SERVICE_URL, IDP_PROVIDER_URL, NAMESPACE, PROTECT

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
            f"{checks.shown(value)} is not a namespace/name reference",
            f"give the Secret's namespace and name, e.g. {example}",
        )
    return text


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


def _bootstrap_conflicts(checked: Mapping[str, Any], given: Collection[str], name: Namer) -> list[InputError]:
    """An existing `Pomerium` resource needs its bootstrap Secret referenced; a referenced one keeps its values.

    `spec.secrets` is required, so an existing resource already names its bootstrap Secret: patching
    in another name would be a field-manager conflict at `up`.
    """
    if "bootstrap_secret" not in given:
        if checked.get("create_pomerium", True):
            return []
        return [
            InputError(
                name.key("bootstrap_secret"),
                "is required when patching an existing Pomerium resource, whose spec.secrets already names one",
                f"set it to that Secret (the controller's gen-secrets job writes {BOOTSTRAP_SECRET_EXAMPLE}), "
                f"or set {name.ref('create_pomerium')} so this stack creates the Pomerium resource and its "
                "bootstrap Secret",
            )
        ]
    return [
        InputError(
            name.key(secret),
            f"is not used: {name.ref('bootstrap_secret')} names an existing Secret, which keeps its own values",
            f"remove it, or unset {name.ref('bootstrap_secret')} to have this stack create the bootstrap Secret",
        )
        for secret in SECRET_SETTINGS
        if secret in given
    ]


ARGUMENTS = Arguments(
    PomeriumIngressControllerArgs,
    {
        "authenticate_service_url": AUTHENTICATE_SERVICE_URL,
        "idp_provider_url": IDP_PROVIDER_URL,
        "idp_secret_namespace": replace(NAMESPACE, config_key=None),
        "idp_secret_name": Setting(partial(checks.dns_subdomain, example="pomerium-idp"), config_key=None),
        "namespace": NAMESPACE,
        "pomerium_name": Setting(
            partial(checks.dns_subdomain, example=DEFAULT_POMERIUM_NAME),
            default=DEFAULT_POMERIUM_NAME,
            config_key="pomeriumResourceName",
        ),
        "create_pomerium": Setting(checks.boolean, default=False, config_key="createPomeriumResource"),
        "bootstrap_secret": Setting(partial(namespaced_name, example=BOOTSTRAP_SECRET_EXAMPLE)),
        **SECRET_SETTINGS,
        "routes": Setting(check_ingress_routes, default=[], structured=True),
        "ingress_class_name": Setting(
            partial(checks.dns_subdomain, example=DEFAULT_INGRESS_CLASS), default=DEFAULT_INGRESS_CLASS
        ),
        "protect": PROTECT,
    },
    rules=[_bootstrap_conflicts],
)
"""How each argument is checked and defaulted, and the stack config key it is read from."""

Checked = Mapping[str, Any]
"""The arguments as :data:`ARGUMENTS` checked them, defaults applied."""


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
        settings = ARGUMENTS.checked(args)
        super().__init__("pomerium-auth0:index:PomeriumIngressController", name, {}, opts)
        self.bootstrap = self._bootstrap_secret(name, settings)
        self.bootstrap_secret = (
            self.bootstrap.metadata.apply(lambda metadata: f"{metadata.namespace}/{metadata.name}")
            if self.bootstrap is not None
            else pulumi.Output.from_input(settings.get("bootstrap_secret") or "")
        )
        self.pomerium_settings = self._pomerium(name, settings)
        routes = ingress_routes(argument_namer(PomeriumIngressControllerArgs).key("routes"), settings["routes"])
        self.ingresses = [self._ingress(name, settings, route) for route in routes]
        self.pomerium_name = pulumi.Output.from_input(settings["pomerium_name"])
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

    def _bootstrap_secret(self, name: str, settings: Checked) -> k8s.core.v1.Secret | None:
        """The Secret spec.secrets names, unless the user referenced one (e.g. the gen-secrets job's).

        The controller takes each key's raw bytes: `shared_secret` and `cookie_secret` must be 32
        bytes, `signing_key` a PEM key. Our values are base64 of exactly those bytes, so they go
        into `data` as they are (Kubernetes decodes `data`; `stringData` would store the base64 text).
        """
        if settings.get("bootstrap_secret") is not None:
            return None
        guarded = pulumi.ResourceOptions(parent=self, protect=settings["protect"])
        supplied = {secret: settings[secret] for secret in SECRET_SETTINGS if secret in settings}
        values = secret_values(name, supplied, guarded)
        return k8s.core.v1.Secret(
            f"{name}-bootstrap",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=DEFAULT_BOOTSTRAP_SECRET_NAME,
                namespace=settings["namespace"],
                labels=standard_labels(settings["pomerium_name"], "bootstrap"),
            ),
            type="Opaque",
            data=dict(sorted(values.items())),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _spec(self, settings: Checked) -> dict[str, Any]:
        """Exactly the fields we own: the IdP, the authenticate URL and the bootstrap Secret reference."""
        return {
            "identityProvider": {
                "provider": "auth0",
                "url": settings["idp_provider_url"],
                "secret": pulumi.Output.concat(settings["idp_secret_namespace"], "/", settings["idp_secret_name"]),
            },
            "authenticate": {"url": settings["authenticate_service_url"]},
            "secrets": self.bootstrap_secret,
        }

    def _pomerium(
        self, name: str, settings: Checked
    ) -> k8s.apiextensions.CustomResource | k8s.apiextensions.CustomResourcePatch:
        """Our fields of the Pomerium resource: created whole when asked to, else patched into the existing one.

        A server-side apply patch would create a missing resource as a side effect; reading it first
        makes a missing `global` stop the preview instead, so creating one is always a choice.
        """
        self.existing: k8s.apiextensions.CustomResource | None = None
        if settings["create_pomerium"]:
            return k8s.apiextensions.CustomResource(
                f"{name}-pomerium",
                api_version=API_VERSION,
                kind=KIND,
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=settings["pomerium_name"], labels=standard_labels(settings["pomerium_name"], "settings")
                ),
                spec=self._spec(settings),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.existing = k8s.apiextensions.CustomResource.get(
            f"{name}-existing-pomerium",
            api_version=API_VERSION,
            kind=KIND,
            id=settings["pomerium_name"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        return k8s.apiextensions.CustomResourcePatch(
            f"{name}-pomerium-settings",
            api_version=API_VERSION,
            kind=KIND,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings["pomerium_name"], annotations={PATCH_FIELD_MANAGER_ANNOTATION: FIELD_MANAGER}
            ),
            spec=self._spec(settings),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.existing]),
        )

    def _ingress(self, name: str, settings: Checked, route: IngressRoute) -> k8s.networking.v1.Ingress:
        """One route's Ingress, on its own, so changing a route updates only its object."""
        namespace = settings["namespace"] if route.namespace is None else route.namespace
        prefix = "" if route.namespace is None else f"{route.namespace}-"
        return k8s.networking.v1.Ingress(
            f"{name}-route-{prefix}{route.object_name}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=route.object_name,
                namespace=namespace,
                labels=standard_labels(settings["pomerium_name"], "route"),
                annotations={**route.annotations, **SKIP_AWAIT},
            ),
            spec=k8s.networking.v1.IngressSpecArgs(
                ingress_class_name=settings["ingress_class_name"],
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
