"""The stack's config contract, read and validated in one place before any resource exists."""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypedDict

import pulumi
import pulumi.runtime

from . import validation
from .bootstrap_scopes import Feature
from .consumer import Consumer
from .directory_sync import DirectorySync
from .errors import InputError, InputErrors
from .groups_claim import DEFAULT_GROUPS_CLAIM, GroupsClaimAction
from .identity_provider import (
    DEFAULT_NAMESPACE,
    DEFAULT_SECRET_NAME,
    Auth0IdentityProviderArgs,
    default_directory_sync,
    directory_sync_conflicts,
)
from .ingress_controller import (
    BOOTSTRAP_SECRET_EXAMPLE,
    DEFAULT_INGRESS_CLASS,
    DEFAULT_POMERIUM_NAME,
    PomeriumIngressControllerArgs,
    namespaced_name,
)
from .ingress_controller import setting_conflicts as controller_setting_conflicts
from .ingress_routes import ingress_routes
from .policy_language import Deployment
from .pomerium import (
    DEFAULT_IMAGE,
    POMERIUM_SECRETS,
    TLS_MODES,
    PomeriumArgs,
    rollout_timeout_seconds,
    setting_conflicts,
)
from .routes import check_routes

NAMESPACE = "pomerium-auth0"
"""The Pulumi project name, and so the prefix of every config key this program reads."""

SECRET_KEYS = ("cookieSecret", "sharedSecret", "signingKey")
"""Keys whose values must be stored encrypted (`pulumi config set --secret`)."""

KEYS = (
    "authenticateServiceUrl",
    "auth0Domain",
    "idpProviderUrl",
    "namespace",
    "createNamespace",
    "secretName",
    "appName",
    "directorySync",
    "groupsClaim",
    "groupsClaimName",
    "groupsClaimAction",
    "connections",
    "protect",
    "checkBootstrapScopes",
    "consumer",
    "deployPomerium",
    "pomeriumImage",
    "replicas",
    "rolloutTimeoutSeconds",
    "routes",
    "tlsMode",
    "tlsSecretName",
    "databrokerStorageSecret",
    "pomeriumResourceName",
    "createPomeriumResource",
    "bootstrapSecret",
    "ingressClassName",
    *SECRET_KEYS,
)

LEGACY_KEYS = ("deployPomerium",)
"""Keys still read, for stacks that set them, that a newer key replaces (`consumer`); no field of their own."""
DEPLOYMENT_KEYS = (
    "pomeriumImage",
    "replicas",
    "rolloutTimeoutSeconds",
    "tlsMode",
    "tlsSecretName",
    "databrokerStorageSecret",
)
"""Settings of the all-in-one Deployment: set with the ingress controller, they would be ignored silently."""
INGRESS_CONTROLLER_KEYS = ("pomeriumResourceName", "createPomeriumResource", "bootstrapSecret", "ingressClassName")
"""Settings of the ingress controller consumer; with any other consumer they would be ignored silently."""

Check = Callable[[str, object], Any]


class _SuppliedSecrets(TypedDict, total=False):
    cookie_secret: pulumi.Output[str]
    shared_secret: pulumi.Output[str]
    signing_key: pulumi.Output[str]


@dataclass(frozen=True)
class StackConfig:
    """Every setting of one stack, validated and with defaults applied."""

    authenticate_service_url: str
    auth0_domain: str
    idp_provider_url: str
    namespace: str
    create_namespace: bool
    secret_name: str
    app_name: str
    directory_sync: DirectorySync
    groups_claim: bool
    groups_claim_name: str
    groups_claim_action: GroupsClaimAction
    connections: list[str]
    protect: bool
    check_bootstrap_scopes: bool
    consumer: Consumer
    pomerium_image: str
    replicas: int
    rollout_timeout_seconds: int | None
    routes: list[dict[str, Any]]
    tls_mode: str
    tls_secret_name: str | None
    databroker_storage_secret: str | None
    pomerium_resource_name: str
    create_pomerium_resource: bool
    bootstrap_secret: str | None
    ingress_class_name: str
    cookie_secret: pulumi.Output[str] | None
    shared_secret: pulumi.Output[str] | None
    signing_key: pulumi.Output[str] | None

    def _supplied_secrets(self) -> _SuppliedSecrets:
        """The Pomerium secrets set in config; the components generate the others."""
        supplied = _SuppliedSecrets()
        if self.cookie_secret is not None:
            supplied["cookie_secret"] = self.cookie_secret
        if self.shared_secret is not None:
            supplied["shared_secret"] = self.shared_secret
        if self.signing_key is not None:
            supplied["signing_key"] = self.signing_key
        return supplied

    def identity_provider_args(self, namespace: pulumi.Input[str]) -> Auth0IdentityProviderArgs:
        """The IdP component's arguments, with the namespace as created (or named) by the program."""
        return Auth0IdentityProviderArgs(
            authenticate_service_url=self.authenticate_service_url,
            auth0_domain=self.auth0_domain,
            idp_provider_url=self.idp_provider_url,
            app_name=self.app_name,
            namespace=namespace,
            secret_name=self.secret_name,
            consumer=self.consumer.value,
            directory_sync=self.directory_sync.value,
            groups_claim=self.groups_claim,
            groups_claim_name=self.groups_claim_name,
            groups_claim_action=self.groups_claim_action.value,
            connections=self.connections,
            protect=self.protect,
        )

    def bootstrap_features(self) -> set[Feature]:
        """The parts of this stack that need Management API scopes of their own."""
        features: set[Feature] = set()
        if self.directory_sync is not DirectorySync.OFF:
            features.add(Feature.DIRECTORY_SYNC)
        if self.groups_claim and self.groups_claim_action is GroupsClaimAction.OWN:
            features.add(Feature.GROUPS_CLAIM_ACTION)
        if self.connections:
            features.add(Feature.CONNECTIONS)
        return features

    def pomerium_args(
        self, namespace: pulumi.Input[str], idp_secret_name: pulumi.Input[str], idp_secret_checksum: pulumi.Input[str]
    ) -> PomeriumArgs:
        """The Pomerium component's arguments, wired to the IdP Secret."""
        args = PomeriumArgs(
            authenticate_service_url=self.authenticate_service_url,
            namespace=namespace,
            idp_secret_name=idp_secret_name,
            idp_secret_checksum=idp_secret_checksum,
            image=self.pomerium_image,
            replicas=self.replicas,
            routes=self.routes,
            tls_mode=self.tls_mode,
            protect=self.protect,
        )
        if self.tls_secret_name is not None:
            args["tls_secret_name"] = self.tls_secret_name
        if self.databroker_storage_secret is not None:
            args["databroker_storage_secret"] = self.databroker_storage_secret
        if self.rollout_timeout_seconds is not None:
            args["rollout_timeout_seconds"] = self.rollout_timeout_seconds
        return {**args, **self._supplied_secrets()}

    def ingress_controller_args(
        self, namespace: pulumi.Input[str], idp_secret_namespace: pulumi.Input[str], idp_secret_name: pulumi.Input[str]
    ) -> PomeriumIngressControllerArgs:
        """The ingress controller component's arguments, wired to the IdP Secret."""
        args = PomeriumIngressControllerArgs(
            authenticate_service_url=self.authenticate_service_url,
            idp_provider_url=self.idp_provider_url,
            idp_secret_namespace=idp_secret_namespace,
            idp_secret_name=idp_secret_name,
            namespace=namespace,
            pomerium_name=self.pomerium_resource_name,
            create_pomerium=self.create_pomerium_resource,
            routes=self.routes,
            ingress_class_name=self.ingress_class_name,
            protect=self.protect,
        )
        if self.bootstrap_secret is not None:
            args["bootstrap_secret"] = self.bootstrap_secret
        return {**args, **self._supplied_secrets()}


def _configured_keys() -> set[str]:
    """Every config key set for this run, in `namespace:key` form."""
    keys = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    return {key for key in keys if isinstance(key, str)}


def _unknown_key_errors() -> list[InputError]:
    """A misspelt key would otherwise be ignored silently and its default used instead."""
    errors = []
    for full_key in sorted(_configured_keys()):
        namespace, _, key = full_key.partition(":")
        if namespace != NAMESPACE or key in KEYS:
            continue
        close = difflib.get_close_matches(key, KEYS, n=1)
        hint = f"did you mean {NAMESPACE}:{close[0]}? " if close else ""
        errors.append(
            InputError(
                full_key,
                "is not a setting of this program",
                f"{hint}run `pulumi config rm {full_key}`; the README lists every key",
            )
        )
    return errors


def field_name(key: str) -> str:
    """The StackConfig field of a config key: `authenticateServiceUrl` -> `authenticate_service_url`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def config_key(argument: str) -> str:
    """The config key of a component argument: `tls_secret_name` -> `tlsSecretName`."""
    first, *rest = argument.split("_")
    return first + "".join(part.title() for part in rest)


class _Reader:
    """Collects every config error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []
        self.values: dict[str, Any] = {}

    @staticmethod
    def raw(key: str) -> str | None:
        value = pulumi.runtime.get_config(f"{NAMESPACE}:{key}")
        return None if value is None else str(value)

    def check(self, key: str, full_key: str, check: Check, value: object) -> None:
        """Store `check(full_key, value)` under the field of `key`, or record its error."""
        try:
            self.values[field_name(key)] = check(full_key, value)
        except InputError as error:
            self.errors.append(error)
        except InputErrors as errors:
            self.errors.extend(errors.errors)

    def read(self, key: str, check: Check, default: str | None = None, *, required: bool = False) -> None:
        """Check `key` (or its default); unset with no default is None, or an error when required."""
        full_key = f"{NAMESPACE}:{key}"
        value = self.raw(key)
        if value is None and required:
            self.errors.append(
                InputError(full_key, "is required but not set", f"run `pulumi config set {full_key} <value>`")
            )
        elif value is None and default is None:
            self.values[field_name(key)] = None
        else:
            self.check(key, full_key, check, default if value is None else value)

    def read_secret(self, key: str, check: Check) -> None:
        """A secret key: stored encrypted, checked without echoing it, kept a secret Output."""
        full_key = f"{NAMESPACE}:{key}"
        if self.raw(key) is not None and not pulumi.runtime.is_config_secret(full_key):
            self.errors.append(
                InputError(
                    full_key,
                    "is stored in plain text in the stack file",
                    f"run `pulumi config set --secret {full_key} <value>` (and rotate the value)",
                )
            )
            return
        self.read(key, lambda full, raw: pulumi.Output.secret(check(full, raw)))


def _structured(check: Check) -> Check:
    """A check of a structured value (a YAML list in the stack file), which the CLI hands over as JSON."""

    def parse_then_check(key: str, value: object) -> Any:
        try:
            parsed = json.loads(str(value))
        except json.JSONDecodeError as error:
            raise InputError(
                key, f"is not valid JSON ({error.msg})", "set it as a YAML list in the stack file"
            ) from None
        return check(key, parsed)

    return parse_then_check


def ingress_controller_routes(key: str, value: object, deployment: Deployment | None = None) -> list[dict[str, Any]]:
    """Routes that the ingress controller can carry as Ingress objects (checked here, built by the component)."""
    routes = check_routes(key, value, deployment)
    ingress_routes(key, routes)
    return routes


def _read_consumer(reader: _Reader) -> None:
    """`consumer`, or the `deployPomerium` it replaces (true: deployment, false: none); not both."""
    consumer_key, legacy_key = f"{NAMESPACE}:consumer", f"{NAMESPACE}:deployPomerium"
    if reader.raw("consumer") is not None and reader.raw("deployPomerium") is not None:
        reader.errors.append(
            InputError(
                legacy_key,
                "is replaced by consumer, and both are set",
                f"run `pulumi config rm {legacy_key}`; {consumer_key} alone decides",
            )
        )
    elif reader.raw("deployPomerium") is not None:
        reader.read("deployPomerium", validation.boolean)
        deploy = reader.values.pop("deploy_pomerium", None)
        if deploy is not None:
            reader.values["consumer"] = Consumer.DEPLOYMENT if deploy else Consumer.NONE
        return
    reader.read("consumer", partial(validation.member, enum=Consumer), Consumer.DEPLOYMENT.value)


def _consumer_conflicts(reader: _Reader, consumer: Consumer) -> None:
    """Settings that the chosen consumer would ignore, and combinations it cannot use."""
    ignored = DEPLOYMENT_KEYS if consumer is Consumer.INGRESS_CONTROLLER else INGRESS_CONTROLLER_KEYS
    already_wrong = {error.key for error in reader.errors}
    for key in ignored:
        full_key = f"{NAMESPACE}:{key}"
        if reader.raw(key) is not None and full_key not in already_wrong:
            reader.errors.append(
                InputError(
                    full_key,
                    f"has no effect with {NAMESPACE}:consumer {consumer.value}",
                    f"run `pulumi config rm {full_key}`, or set {NAMESPACE}:consumer to the consumer it belongs to",
                )
            )
    values = reader.values
    if "directory_sync" in values:
        for problem, fix in directory_sync_conflicts(consumer, values["directory_sync"]):
            reader.errors.append(InputError(f"{NAMESPACE}:directorySync", problem, fix))
    if consumer is Consumer.INGRESS_CONTROLLER:
        supplied = [field_name(key) for key in SECRET_KEYS if reader.raw(key) is not None]
        conflicts = controller_setting_conflicts(
            reader.raw("bootstrapSecret") is not None, values.get("create_pomerium_resource") is True, supplied
        )
        for argument, problem, fix in conflicts:
            for name, key in (("bootstrap_secret", "bootstrapSecret"), ("create_pomerium", "createPomeriumResource")):
                fix = fix.replace(name, f"{NAMESPACE}:{key}")
            reader.errors.append(InputError(f"{NAMESPACE}:{config_key(argument)}", problem, fix))


def _deployment(values: dict[str, Any]) -> Deployment | None:
    """What the routes' policies meet, from the settings read so far; None if one of them was invalid."""
    fields = ("groups_claim", "groups_claim_name", "directory_sync", "consumer", "pomerium_image")
    if not set(fields) <= values.keys():
        return None
    return Deployment(
        groups_claim=values["groups_claim_name"] if values["groups_claim"] else None,
        directory_sync=values["directory_sync"],
        pomerium_image=values["pomerium_image"] if values["consumer"] is Consumer.DEPLOYMENT else None,
    )


def load_stack_config() -> StackConfig:
    """Read and validate this stack's config; raise :class:`InputErrors` listing every problem."""
    reader = _Reader()
    reader.errors.extend(_unknown_key_errors())
    tenant_domain = partial(validation.domain, example="example.us.auth0.com")
    login_url = partial(validation.https_url, example="https://login.example.com")

    reader.read(
        "authenticateServiceUrl",
        partial(validation.https_url, example="https://authenticate.example.com"),
        required=True,
    )
    provider_domain = pulumi.Config("auth0").get("domain") or os.environ.get("AUTH0_DOMAIN")
    if reader.raw("auth0Domain") is not None or provider_domain is None:
        reader.read("auth0Domain", tenant_domain, required=True)
    else:
        reader.check("auth0Domain", "auth0:domain", tenant_domain, provider_domain)
    tenant = reader.values.get("auth0_domain")
    reader.read("idpProviderUrl", login_url, tenant and f"https://{tenant}")
    reader.read("namespace", partial(validation.dns_label, example=DEFAULT_NAMESPACE), DEFAULT_NAMESPACE)
    reader.read("createNamespace", validation.boolean, "false")
    reader.read("secretName", partial(validation.dns_subdomain, example=DEFAULT_SECRET_NAME), DEFAULT_SECRET_NAME)
    reader.read(
        "appName",
        partial(validation.dns_label, example="pomerium-dev", max_length=48),
        f"pomerium-{pulumi.get_stack()}",
    )
    _read_consumer(reader)
    consumer = reader.values.get("consumer", Consumer.DEPLOYMENT)
    reader.read("directorySync", partial(validation.member, enum=DirectorySync), default_directory_sync(consumer).value)
    reader.read("groupsClaim", validation.boolean, "true")
    reader.read("groupsClaimName", partial(validation.claim_name, example=DEFAULT_GROUPS_CLAIM), DEFAULT_GROUPS_CLAIM)
    reader.read("groupsClaimAction", partial(validation.member, enum=GroupsClaimAction), GroupsClaimAction.OWN.value)
    reader.read("connections", _structured(validation.connection_ids), "[]")
    reader.read("protect", validation.boolean, "false")
    reader.read("checkBootstrapScopes", validation.boolean, "true")
    reader.read("pomeriumImage", partial(validation.image_reference, example=DEFAULT_IMAGE), DEFAULT_IMAGE)
    reader.read("replicas", partial(validation.integer, minimum=1, maximum=50), "1")
    reader.read("rolloutTimeoutSeconds", rollout_timeout_seconds)
    routes_check = ingress_controller_routes if consumer is Consumer.INGRESS_CONTROLLER else check_routes
    reader.read("routes", _structured(partial(routes_check, deployment=_deployment(reader.values))), "[]")
    reader.read("tlsMode", partial(validation.choice, allowed=TLS_MODES), "ingress")
    reader.read("tlsSecretName", partial(validation.dns_subdomain, example="pomerium-tls"))
    reader.read("databrokerStorageSecret", partial(validation.dns_subdomain, example="pomerium-databroker"))
    reader.read(
        "pomeriumResourceName",
        partial(validation.dns_subdomain, example=DEFAULT_POMERIUM_NAME),
        DEFAULT_POMERIUM_NAME,
    )
    reader.read("createPomeriumResource", validation.boolean, "false")
    reader.read("bootstrapSecret", partial(namespaced_name, example=BOOTSTRAP_SECRET_EXAMPLE))
    reader.read(
        "ingressClassName", partial(validation.dns_subdomain, example=DEFAULT_INGRESS_CLASS), DEFAULT_INGRESS_CLASS
    )
    for key in SECRET_KEYS:
        check, _ = POMERIUM_SECRETS[field_name(key)]
        reader.read_secret(key, check)

    values = reader.values
    _consumer_conflicts(reader, consumer)
    deployment_settings = {"tls_mode", "tls_secret_name", "replicas", "databroker_storage_secret"}
    if consumer is not Consumer.INGRESS_CONTROLLER and deployment_settings <= values.keys():
        for argument, problem, fix in setting_conflicts(
            values["tls_mode"],
            values["tls_secret_name"] is not None,
            values["replicas"],
            values["databroker_storage_secret"] is not None,
        ):
            reader.errors.append(InputError(f"{NAMESPACE}:{config_key(argument)}", problem, fix))
    if reader.errors:
        raise InputErrors(reader.errors)
    return StackConfig(**values)
