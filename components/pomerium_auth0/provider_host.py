"""Hosts the components as a Pulumi component provider, for every Pulumi language.

The package root is `provider/`: `PulumiPlugin.yaml` there makes the Python language host run
`provider/__main__.py`, and `provider/pulumi-resource-pomerium-auth0` starts the same provider for
a CLI without that host. Both call :func:`main`; the package schema is inferred from the
components' type annotations.
"""

import json
import sys
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.provider import main as serve
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.provider import ConstructResult
from pulumi.provider.server import ComponentInitError

from . import __version__
from .components.identity_provider import Auth0IdentityProvider
from .components.ingress_controller import PomeriumIngressController
from .components.pomerium import Pomerium
from .inputs.input_errors import InputError, InputErrors

PACKAGE_NAME = "pomerium-auth0"
"""The first segment of every type token, e.g. `pomerium-auth0:index:Pomerium`."""
COMPONENTS: list[type[Any]] = [Auth0IdentityProvider, Pomerium, PomeriumIngressController]


class _Provider(ComponentProvider):
    """The SDK's component provider, except that our input errors reach the caller as input errors.

    The SDK reports any other exception from a component's constructor as "Unexpected <class
    'Exception'>" with a Python traceback. An :class:`InputError` is the caller's mistake, so it is
    reported the way the engine reports bad inputs: our sentence, and the schema name of the
    argument (`authenticateServiceUrl`), whatever language the caller wrote.
    """

    def construct(
        self, name: str, resource_type: str, inputs: pulumi.Inputs, options: pulumi.ResourceOptions | None = None
    ) -> ConstructResult:
        try:
            return super().construct(name, resource_type, inputs, options)
        except ComponentInitError as error:
            cause = error.inner
            if isinstance(cause, InputErrors):
                errors = cause.errors
            elif isinstance(cause, InputError):
                errors = [cause]
            else:
                raise
            schema_names = {
                python: schema
                for schema, python in self._component_defs[resource_type.rsplit(":", 1)[-1]].inputs_mapping.items()
            }
            details = [
                InputPropertyErrorDetails(
                    property_path=_schema_path(each.key, schema_names), reason=f"{each.problem}. Fix: {each.fix}"
                )
                for each in errors
            ]
            raise InputPropertiesError(str(cause), details) from cause


def _schema_path(key: str, schema_names: dict[str, str]) -> str:
    """`PomeriumArgs.routes[0].from` -> `routes[0].from`: the argument as the schema (and every SDK) names it."""
    path = key.partition(".")[2] or key
    head = path.split(".", 1)[0].split("[", 1)[0]
    return schema_names.get(head, head) + path[len(head) :]


def _provider() -> ComponentProvider:
    return _Provider(COMPONENTS, PACKAGE_NAME, version=__version__)


def package_schema() -> dict[str, Any]:
    """The Pulumi package schema, built in-process exactly as the hosted provider builds it."""
    return json.loads(_provider().schema or "{}")  # type: ignore[no-any-return]


def main() -> None:
    """Serve the components to the Pulumi engine (its address is the first argument)."""
    serve(_provider(), sys.argv[1:])
