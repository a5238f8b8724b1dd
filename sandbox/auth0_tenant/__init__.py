"""A local Auth0-compatible tenant over HTTPS: the Management API, for running the real Auth0 provider
against, and the Authentication API (`authentication/`), for signing in through what it created.

Start it in-process with `start_tenant`, or as `python -m sandbox.auth0_tenant --state-dir DIR`.
"""

from .faults import FaultPlan
from .scopes import DEFAULT_BOOTSTRAP_SCOPES, ENDPOINTS, INSPECTOR_SCOPES, Endpoint
from .server import RunningTenant, TenantInfo, start_tenant
from .store import SANDBOX_ROLE_KEY

__all__ = [
    "DEFAULT_BOOTSTRAP_SCOPES",
    "ENDPOINTS",
    "INSPECTOR_SCOPES",
    "SANDBOX_ROLE_KEY",
    "Endpoint",
    "FaultPlan",
    "RunningTenant",
    "TenantInfo",
    "start_tenant",
]
