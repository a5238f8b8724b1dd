"""The stack's config, read and checked in one place before any resource exists.

Every key that sets a component argument comes from that component's declarations (its
`ARGUMENTS`): the key, the check, the default, whether it must be stored encrypted. This module
keeps only what is the stack's own: its few keys of its own (:data:`STACK_ARGUMENTS`), misspelt
keys with a "did you mean", the keys that apply to one consumer only, defaults that come from the
stack (`appName`, `auth0Domain`), and the rule that spans components (a route's policy against
the groups claim and directory sync that this stack deploys).
"""

import difflib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, NotRequired, TypedDict, cast

import pulumi
import pulumi.runtime

from ..components import identity_provider, ingress_controller, pomerium
from ..components.identity_provider import Auth0IdentityProviderArgs
from ..components.ingress_controller import PomeriumIngressControllerArgs
from ..components.pomerium import PomeriumArgs
from ..domain.consumer import Consumer
from ..domain.directory_sync import DirectorySync
from ..domain.groups_claim import GroupsClaimAction
from ..domain.policy_language import Deployment
from ..inputs import checks
from ..inputs.input_errors import InputError, InputErrors
from ..inputs.settings import Arguments, Namer, Setting
from .bootstrap_scopes import Feature

CONFIG_NAMESPACE = "pomerium-auth0"
"""The Pulumi project name, and so the prefix of every config key this program reads."""


class StackArgs(TypedDict):
    """The stack program's own settings, which no component takes."""

    create_namespace: NotRequired[bool]
    """Create `namespace`, labelled to enforce the restricted Pod Security Standard. Default: false."""
    check_bootstrap_scopes: NotRequired[bool]
    """Before `up` creates anything, check that the bootstrap application holds every scope needed. Default: true."""
    deploy_pomerium: NotRequired[bool]
    """The older spelling of `consumer`: true is deployment, false is none."""


STACK_ARGUMENTS = Arguments(
    StackArgs,
    {
        "create_namespace": Setting(checks.boolean, default=False),
        "check_bootstrap_scopes": Setting(checks.boolean, default=True),
        "deploy_pomerium": Setting(checks.boolean),
    },
)
"""How the stack's own keys are checked and defaulted."""

CONSUMER_ARGUMENTS: dict[Consumer, Arguments] = {
    Consumer.DEPLOYMENT: pomerium.ARGUMENTS,
    Consumer.INGRESS_CONTROLLER: ingress_controller.ARGUMENTS,
    Consumer.NONE: pomerium.ARGUMENTS,
}
"""Whose settings each consumer reads. `none` deploys no Pomerium, but checks the Deployment's settings, as
it always has: a stack that stops deploying Pomerium keeps a config that still passes."""

COMPONENT_ARGUMENTS = (identity_provider.ARGUMENTS, pomerium.ARGUMENTS, ingress_controller.ARGUMENTS)
ALL_ARGUMENTS = (STACK_ARGUMENTS, *COMPONENT_ARGUMENTS)

KEYS = tuple(dict.fromkeys(key for arguments in ALL_ARGUMENTS for key in arguments.config_keys))
"""Every config key this program reads, in the order it reads them."""
SECRET_KEYS = tuple(
    dict.fromkeys(
        key
        for arguments in ALL_ARGUMENTS
        for key, argument in arguments.config_keys.items()
        if arguments.settings[argument].secret
    )
)
"""Keys whose values must be stored encrypted (`pulumi config set --secret`)."""


def full_key(key: str) -> str:
    return f"{CONFIG_NAMESPACE}:{key}"


def config_namer(arguments: Arguments, overrides: Mapping[str, str] | None = None) -> Namer:
    """Errors of stack config: `pomerium-auth0:replicas` (or the key a value was really read from)."""

    def key(argument: str) -> str:
        known = (overrides or {}).get(argument)
        return known or full_key(arguments.config_key(argument) or argument)

    return Namer(
        key=key,
        ref=key,
        missing=lambda argument: InputError(
            key(argument), "is required but not set", f"run `pulumi config set {key(argument)} <value>`"
        ),
    )


@dataclass(frozen=True)
class StackConfig:
    """Every setting of one stack, checked, with defaults applied: the stack's own and each component's."""

    stack: dict[str, Any]
    identity_provider: dict[str, Any]
    consumer_settings: dict[str, Any]
    """The arguments of the consumer's component (with `none`, the Deployment's, checked but unused)."""

    @property
    def consumer(self) -> Consumer:
        return Consumer(self.identity_provider["consumer"])

    @property
    def namespace(self) -> str:
        return str(self.identity_provider["namespace"])

    @property
    def protect(self) -> bool:
        return bool(self.identity_provider["protect"])

    @property
    def auth0_domain(self) -> str:
        return str(self.identity_provider["auth0_domain"])

    @property
    def create_namespace(self) -> bool:
        return bool(self.stack["create_namespace"])

    @property
    def check_bootstrap_scopes(self) -> bool:
        return bool(self.stack["check_bootstrap_scopes"])

    def bootstrap_features(self) -> set[Feature]:
        """The parts of this stack that need Management API scopes of their own."""
        idp = self.identity_provider
        features: set[Feature] = set()
        if idp["directory_sync"] is not DirectorySync.OFF:
            features.add(Feature.DIRECTORY_SYNC)
        if idp["groups_claim"] and idp["groups_claim_action"] is GroupsClaimAction.OWN:
            features.add(Feature.GROUPS_CLAIM_ACTION)
        if idp["connections"]:
            features.add(Feature.CONNECTIONS)
        if idp["client_secret_rotation"] > 0:
            features.add(Feature.SECRET_ROTATION)
        return features

    def identity_provider_args(self, namespace: pulumi.Input[str]) -> Auth0IdentityProviderArgs:
        """The IdP component's arguments, with the namespace as created (or named) by the program."""
        return cast("Auth0IdentityProviderArgs", {**self.identity_provider, "namespace": namespace})

    def pomerium_args(
        self, namespace: pulumi.Input[str], idp_secret_name: pulumi.Input[str], idp_secret_checksum: pulumi.Input[str]
    ) -> PomeriumArgs:
        """The Pomerium component's arguments, wired to the IdP Secret."""
        wired = {"namespace": namespace, "idp_secret_name": idp_secret_name, "idp_secret_checksum": idp_secret_checksum}
        return cast("PomeriumArgs", {**self.consumer_settings, **wired})

    def ingress_controller_args(
        self, namespace: pulumi.Input[str], idp_secret_namespace: pulumi.Input[str], idp_secret_name: pulumi.Input[str]
    ) -> PomeriumIngressControllerArgs:
        """The ingress controller component's arguments, wired to the IdP Secret."""
        wired = {
            "namespace": namespace,
            "idp_secret_namespace": idp_secret_namespace,
            "idp_secret_name": idp_secret_name,
        }
        return cast("PomeriumIngressControllerArgs", {**self.consumer_settings, **wired})


class _ConfigReader:
    """The config values as written, by argument, for one component's declarations; every problem collected."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    @staticmethod
    def raw(key: str) -> str | None:
        value = pulumi.runtime.get_config(full_key(key))
        return None if value is None else str(value)

    def given(self, arguments: Arguments) -> dict[str, Any]:
        """Each argument that stack config sets: YAML lists decoded, secrets refused when stored in plain text."""
        values: dict[str, Any] = {}
        for key, argument in arguments.config_keys.items():
            value = self.raw(key)
            if value is None:
                continue
            setting = arguments.settings[argument]
            if setting.secret and not pulumi.runtime.is_config_secret(full_key(key)):
                self.errors.append(
                    InputError(
                        full_key(key),
                        "is stored in plain text in the stack file",
                        f"run `pulumi config set --secret {full_key(key)} <value>` (and rotate the value)",
                    )
                )
            elif setting.structured:
                try:
                    values[argument] = json.loads(value)
                except json.JSONDecodeError as error:
                    self.errors.append(
                        InputError(
                            full_key(key),
                            f"is not valid JSON ({error.msg})",
                            "set it as a YAML list in the stack file",
                        )
                    )
            else:
                values[argument] = value
        return values

    def check(
        self, arguments: Arguments, given: Mapping[str, Any], overrides: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The checked values; secret ones become secret Outputs once checked (their check sees the plain value)."""
        checked, errors = arguments.check(given, config_namer(arguments, overrides), wired=False)
        self.errors.extend(errors)
        return {
            argument: pulumi.Output.secret(value) if arguments.settings[argument].secret else value
            for argument, value in checked.items()
        }


def _unknown_key_errors() -> list[InputError]:
    """A misspelt key would otherwise be ignored silently and its default used instead."""
    configured = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    errors = []
    for key_in_full in sorted(key for key in configured if isinstance(key, str)):
        namespace, _, key = key_in_full.partition(":")
        if namespace != CONFIG_NAMESPACE or key in KEYS:
            continue
        close = difflib.get_close_matches(key, KEYS, n=1)
        hint = f"did you mean {full_key(close[0])}? " if close else ""
        errors.append(
            InputError(
                key_in_full,
                "is not a setting of this program",
                f"{hint}run `pulumi config rm {key_in_full}`; the README lists every key",
            )
        )
    return errors


def _legacy_consumer(reader: _ConfigReader, stack: Mapping[str, Any], idp_given: dict[str, Any]) -> None:
    """`deployPomerium` (true: deployment, false: none) stands for `consumer`; both set is refused."""
    if "deploy_pomerium" not in stack:
        return
    if "consumer" in idp_given:
        reader.errors.append(
            InputError(
                full_key("deployPomerium"),
                "is replaced by consumer, and both are set",
                f"run `pulumi config rm {full_key('deployPomerium')}`; {full_key('consumer')} alone decides",
            )
        )
    else:
        idp_given["consumer"] = (Consumer.DEPLOYMENT if stack["deploy_pomerium"] else Consumer.NONE).value


def _tenant_domain(idp_given: dict[str, Any]) -> dict[str, str]:
    """`auth0Domain` defaults to the Auth0 provider's own domain; returns where a bad value was really read."""
    provider_domain = pulumi.Config("auth0").get("domain") or os.environ.get("AUTH0_DOMAIN")
    if "auth0_domain" in idp_given or provider_domain is None:
        return {}
    idp_given["auth0_domain"] = provider_domain
    return {"auth0_domain": "auth0:domain"}


def _unused_key_errors(reader: _ConfigReader, consumer: Consumer, read: tuple[Arguments, ...]) -> list[InputError]:
    """Keys of another consumer's component: with this consumer they would be ignored silently."""
    used = {key for arguments in read for key in arguments.config_keys}
    unused = dict.fromkeys(key for arguments in COMPONENT_ARGUMENTS for key in arguments.config_keys if key not in used)
    return [
        InputError(
            full_key(key),
            f"has no effect with {full_key('consumer')} {consumer.value}",
            f"run `pulumi config rm {full_key(key)}`, or set {full_key('consumer')} to the consumer it belongs to",
        )
        for key in unused
        if reader.raw(key) is not None
    ]


def _deployment(
    idp: Mapping[str, Any], consumer_arguments: Arguments, consumer_given: Mapping[str, Any]
) -> Deployment | None:
    """What route policies meet in this stack (its groups claim, directory sync, image); None if one is invalid."""
    if not all(field in idp for field in ("consumer", "groups_claim", "groups_claim_name", "directory_sync")):
        return None
    image = None
    if idp["consumer"] is Consumer.DEPLOYMENT:
        setting = consumer_arguments.settings["image"]
        try:
            image = setting.check("image", consumer_given.get("image", setting.default))
        except InputError:
            return None
    return Deployment(
        groups_claim=idp["groups_claim_name"] if idp["groups_claim"] else None,
        directory_sync=idp["directory_sync"],
        pomerium_image=image,
    )


def _routes_against(arguments: Arguments, deployment: Deployment | None) -> Arguments:
    """The consumer's arguments, its routes checked against what this stack deploys (the rule across components)."""
    if deployment is None:
        return arguments
    routes = arguments.settings["routes"]
    # Both consumers' routes checks (check_routes, check_ingress_routes) take what the routes meet.
    routes_check = cast("Callable[[str, object, Deployment], Any]", routes.check)

    def check(key: str, value: object) -> Any:
        return routes_check(key, value, deployment)

    return replace(arguments, settings={**arguments.settings, "routes": replace(routes, check=check)})


def load_stack_config() -> StackConfig:
    """Read and check this stack's config; raise :class:`InputErrors` listing every problem."""
    reader = _ConfigReader()
    reader.errors.extend(_unknown_key_errors())
    stack = reader.check(STACK_ARGUMENTS, reader.given(STACK_ARGUMENTS))

    idp_arguments = identity_provider.ARGUMENTS
    idp_given = reader.given(idp_arguments)
    _legacy_consumer(reader, stack, idp_given)
    idp_given.setdefault("app_name", f"pomerium-{pulumi.get_stack()}")
    overrides = _tenant_domain(idp_given)
    idp = reader.check(idp_arguments, idp_given, overrides)

    consumer = Consumer(idp.get("consumer", Consumer.DEPLOYMENT))
    consumer_arguments = CONSUMER_ARGUMENTS[consumer]
    consumer_given = reader.given(consumer_arguments)
    consumer_checks = _routes_against(consumer_arguments, _deployment(idp, consumer_arguments, consumer_given))
    # A key both take (namespace, authenticateServiceUrl, ...) is read once, as the IdP checked it.
    shared = idp_arguments.config_keys.keys() & consumer_arguments.config_keys.keys()
    for key in shared:
        argument = idp_arguments.config_keys[key]
        if argument in idp:
            consumer_given[consumer_arguments.config_keys[key]] = idp[argument]
    consumer_settings = reader.check(consumer_checks, consumer_given)

    errors = [
        *reader.errors,
        *_unused_key_errors(reader, consumer, (STACK_ARGUMENTS, idp_arguments, consumer_arguments)),
    ]
    unique = list({(error.key, error.problem): error for error in errors}.values())
    if unique:
        raise InputErrors(unique)
    return StackConfig(stack=stack, identity_provider=idp, consumer_settings=consumer_settings)
