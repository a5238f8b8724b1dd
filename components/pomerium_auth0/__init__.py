"""Pulumi components that put Pomerium behind Auth0.

The package shows its kinds of code: `components/` holds the three ComponentResources and their
argument declarations, `domain/` the rules of Auth0, Pomerium and Kubernetes they apply, `inputs/`
how input is declared, checked and reported, `stack/` what only the stack program (`__main__.py`)
uses, `tools/` operator command lines, and `provider_host.py` serves the components to other
languages (it imports no `stack/` or `tools/` module).
"""

from .components.identity_provider import Auth0IdentityProvider, Auth0IdentityProviderArgs
from .components.ingress_controller import PomeriumIngressController, PomeriumIngressControllerArgs
from .components.pomerium import Pomerium, PomeriumArgs
from .domain.consumer import Consumer
from .domain.directory_sync import DirectorySync
from .inputs.input_errors import InputError, InputErrors

__version__ = "0.1.0"

__all__ = [
    "Auth0IdentityProvider",
    "Auth0IdentityProviderArgs",
    "Consumer",
    "DirectorySync",
    "InputError",
    "InputErrors",
    "Pomerium",
    "PomeriumArgs",
    "PomeriumIngressController",
    "PomeriumIngressControllerArgs",
    "__version__",
]
