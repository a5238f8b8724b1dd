"""The stack's explicit `auth0` provider, configured exactly as the default one would be.

Why: the engine creates default providers one at a time, and the kubernetes provider's `Configure`
takes most of a second (it loads the cluster's OpenAPI schema), so every Auth0 request of a first
`up` waited for it. An explicit provider is a resource, and the engine configures it alongside.

The kubernetes provider stays a default one: a component waits for every explicit provider it is
given before its children register, so an explicit kubernetes provider would hold the Auth0
applications back just the same (measured in docs/benchmarks.md).

Register it before any Kubernetes resource: the engine starts plugins one at a time, in the
order their first resources reach it, so the kubernetes plugin's start no longer comes first on the
Auth0 applications' path (the first Client create 0.16 s sooner, median of 8, docs/benchmarks.md).

A default provider gets every `auth0:*` key of the stack's config as written there, secrets marked
secret. This one gets every key of the provider's schema the same way, and an alias to the default
provider's URN, so a stack deployed with the default provider moves to this one without a change.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pulumi
import pulumi_auth0 as auth0

PACKAGE = "auth0"


def config_keys() -> list[str]:
    """The provider's stack-config keys (camelCase), from the SDK's typed provider arguments."""
    parameters = list(inspect.signature(auth0.ProviderArgs.__init__).parameters)[1:]
    return [_camel_case(parameter) for parameter in parameters]


def _camel_case(snake_case: str) -> str:
    head, *rest = snake_case.split("_")
    return head + "".join(part.capitalize() for part in rest)


def default_provider_name(sdk_version: str) -> str:
    """The name the engine gives a package's default provider: `default_3_55_1` for 3.55.1."""
    return "default_" + sdk_version.replace(".", "_").replace("-", "_")


def stack_auth0_provider() -> pulumi.ProviderResource:
    """The `auth0` provider, from the stack's `auth0:*` config, at the version the SDK pins."""
    sdk_version = version("pulumi-auth0")
    config = pulumi.Config(PACKAGE)
    inputs: dict[str, pulumi.Input[str]] = {}
    for key in config_keys():
        value = config.get(key)
        if value is not None:
            secret = pulumi.runtime.is_config_secret(config.full_key(key))
            inputs[key] = pulumi.Output.secret(value) if secret else value
    return pulumi.ProviderResource(
        PACKAGE,
        PACKAGE,
        inputs,
        pulumi.ResourceOptions(version=sdk_version, aliases=[pulumi.Alias(name=default_provider_name(sdk_version))]),
    )
