"""Who consumes the IdP credentials: it decides the IdP Secret's keys and what else the stack deploys."""

from __future__ import annotations

from enum import StrEnum


class Consumer(StrEnum):
    """The Pomerium that reads the credentials."""

    DEPLOYMENT = "deployment"
    """The all-in-one Deployment of :class:`~pomerium_auth0.Pomerium`: `IDP_*` keys, read with envFrom."""
    INGRESS_CONTROLLER = "ingress-controller"
    """The Pomerium Ingress Controller: `client_id` and `client_secret`, named by its `Pomerium` resource."""
    NONE = "none"
    """Only the IdP Secret (`IDP_*` keys), for a Pomerium wired up by hand."""


CONTROLLER_VERSION = "v0.33.1"
"""The Pomerium Ingress Controller release whose API (`ingress.pomerium.io/v1`) this package follows."""
