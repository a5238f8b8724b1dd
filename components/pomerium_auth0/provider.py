"""Hosts the components as a Pulumi component provider, for every Pulumi language.

`pulumi package add` runs `provider/__main__.py` (named by `PulumiPlugin.yaml`), which calls
:func:`main`; the package schema is inferred from the components' type annotations.
"""

import json
from typing import Any

from pulumi.provider.experimental import component_provider_host
from pulumi.provider.experimental.component import ComponentProvider

from . import __version__
from .identity_provider import Auth0IdentityProvider
from .pomerium import Pomerium

PACKAGE_NAME = "pomerium-auth0"
"""The first segment of every type token, e.g. `pomerium-auth0:index:Pomerium`."""
COMPONENTS: list[type[Any]] = [Auth0IdentityProvider, Pomerium]


def package_schema() -> dict[str, Any]:
    """The Pulumi package schema, built in-process exactly as the hosted provider builds it."""
    provider = ComponentProvider(COMPONENTS, PACKAGE_NAME, version=__version__)
    return json.loads(provider.schema or "{}")  # type: ignore[no-any-return]


def main() -> None:
    """Serve the components to the Pulumi engine."""
    component_provider_host(COMPONENTS, PACKAGE_NAME, version=__version__)
