"""Pulumi components that put Pomerium behind Auth0."""

from .consumer import Consumer
from .directory_sync import DirectorySync
from .errors import InputError, InputErrors
from .identity_provider import Auth0IdentityProvider, Auth0IdentityProviderArgs
from .ingress_controller import PomeriumIngressController, PomeriumIngressControllerArgs
from .pomerium import Pomerium, PomeriumArgs

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
