"""The stack's config contract, read and validated in one place before any resource exists."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pulumi
import pulumi.runtime

from . import validation
from .directory_sync import DirectorySync
from .errors import InputError, InputErrors
from .groups_claim import DEFAULT_GROUPS_CLAIM
from .identity_provider import DEFAULT_NAMESPACE, DEFAULT_SECRET_NAME, Auth0IdentityProviderArgs

NAMESPACE = "pomerium-auth0"
"""The Pulumi project name, and so the prefix of every config key this program reads."""

KEYS = (
    "authenticateServiceUrl",
    "auth0Domain",
    "idpProviderUrl",
    "namespace",
    "secretName",
    "appName",
    "directorySync",
    "groupsClaim",
    "groupsClaimName",
    "protect",
)

T = TypeVar("T")


@dataclass(frozen=True)
class StackConfig:
    """Every setting of one stack, validated and with defaults applied."""

    authenticate_service_url: str
    auth0_domain: str
    idp_provider_url: str
    namespace: str
    secret_name: str
    app_name: str
    directory_sync: DirectorySync
    groups_claim: bool
    groups_claim_name: str
    protect: bool

    def identity_provider_args(self) -> Auth0IdentityProviderArgs:
        """The component's arguments for this stack."""
        return Auth0IdentityProviderArgs(
            authenticate_service_url=self.authenticate_service_url,
            auth0_domain=self.auth0_domain,
            idp_provider_url=self.idp_provider_url,
            app_name=self.app_name,
            namespace=self.namespace,
            secret_name=self.secret_name,
            directory_sync=self.directory_sync.value,
            groups_claim=self.groups_claim,
            groups_claim_name=self.groups_claim_name,
            protect=self.protect,
        )


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


class _Reader:
    """Collects every config error instead of stopping at the first."""

    def __init__(self) -> None:
        self.config = pulumi.Config(NAMESPACE)
        self.errors: list[InputError] = []

    def check(self, full_key: str, check: Callable[[str, object], T], value: object) -> T | None:
        try:
            return check(full_key, value)
        except InputError as error:
            self.errors.append(error)
            return None

    def read(self, key: str, check: Callable[[str, object], T], default: str | None) -> T | None:
        """The checked value of `key`, its checked default, or None (an error) when required."""
        full_key = f"{NAMESPACE}:{key}"
        value = self.config.get(key)
        if value is None and default is None:
            self.errors.append(
                InputError(full_key, "is required but not set", f"run `pulumi config set {full_key} <value>`")
            )
            return None
        return self.check(full_key, check, default if value is None else value)


def _url(example: str) -> Callable[[str, object], str]:
    return lambda key, value: validation.https_url(key, value, example=example)


def _tenant_domain(key: str, value: object) -> str:
    return validation.domain(key, value, example="example.us.auth0.com")


def load_stack_config() -> StackConfig:
    """Read and validate this stack's config; raise :class:`InputErrors` listing every problem."""
    reader = _Reader()
    reader.errors.extend(_unknown_key_errors())

    authenticate_service_url = reader.read("authenticateServiceUrl", _url("https://authenticate.example.com"), None)
    provider_domain = pulumi.Config("auth0").get("domain") or os.environ.get("AUTH0_DOMAIN")
    if reader.config.get("auth0Domain") is not None or provider_domain is None:
        auth0_domain = reader.read("auth0Domain", _tenant_domain, None)
    else:
        auth0_domain = reader.check("auth0:domain", _tenant_domain, provider_domain)
    custom_login_url = reader.config.get("idpProviderUrl")
    idp_provider_url = (
        reader.check(f"{NAMESPACE}:idpProviderUrl", _url("https://login.example.com"), custom_login_url)
        if custom_login_url is not None
        else f"https://{auth0_domain}"
    )
    namespace = reader.read(
        "namespace",
        lambda key, value: validation.dns_label(key, value, example=DEFAULT_NAMESPACE),
        DEFAULT_NAMESPACE,
    )
    secret_name = reader.read(
        "secretName",
        lambda key, value: validation.dns_subdomain(key, value, example=DEFAULT_SECRET_NAME),
        DEFAULT_SECRET_NAME,
    )
    app_name = reader.read(
        "appName",
        lambda key, value: validation.dns_label(key, value, example="pomerium-dev", max_length=48),
        f"pomerium-{pulumi.get_stack()}",
    )
    directory_sync = reader.read(
        "directorySync",
        lambda key, value: DirectorySync(validation.choice(key, value, [mode.value for mode in DirectorySync])),
        DirectorySync.LEGACY.value,
    )
    groups_claim = reader.read("groupsClaim", validation.boolean, "true")
    groups_claim_name = reader.read(
        "groupsClaimName",
        lambda key, value: validation.claim_name(key, value, example=DEFAULT_GROUPS_CLAIM),
        DEFAULT_GROUPS_CLAIM,
    )
    protect = reader.read("protect", validation.boolean, "false")

    if reader.errors:
        raise InputErrors(reader.errors)
    return StackConfig(
        authenticate_service_url=_present(authenticate_service_url),
        auth0_domain=_present(auth0_domain),
        idp_provider_url=_present(idp_provider_url),
        namespace=_present(namespace),
        secret_name=_present(secret_name),
        app_name=_present(app_name),
        directory_sync=_present(directory_sync),
        groups_claim=_present(groups_claim),
        groups_claim_name=_present(groups_claim_name),
        protect=_present(protect),
    )


def _present(value: T | None) -> T:
    """Narrow a value the reader returned without error (for the type checker)."""
    assert value is not None
    return value
