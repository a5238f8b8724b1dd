"""What a new sandbox tenant starts with: its connections, roles and users, and how its own clients are marked.

Seeds follow LOGIN-CONTRACT.md: alice (admins, developers), bob (developers) and carol (no roles) in the
database connection, dave (developers) in `google-oauth2`, whose sign-in the login form stands in for.
Passwords are generated at start and written to `tenant.json` with the rest of the seeds.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from .base import ID_ALPHABET, JSON

SANDBOX_ROLE_KEY = "sandbox_role"
"""`client_metadata` key that marks the tenant's own bootstrap and inspector clients."""

DATABASE_CONNECTION = "Username-Password-Authentication"
SOCIAL_CONNECTION = "google-oauth2"


class SeededConnection(NamedTuple):
    """A connection every sandbox tenant has: its name, strategy and options (in the shape of recorded answers)."""

    name: str
    strategy: str
    options: JSON


SEEDED_CONNECTIONS: tuple[SeededConnection, ...] = (
    SeededConnection(
        DATABASE_CONNECTION,
        "auth0",
        {
            "mfa": {"active": True, "return_enroll_settings": True},
            "passwordPolicy": "good",
            "brute_force_protection": True,
            "strategy_version": 2,
            "authentication_methods": {"password": {"enabled": True}, "passkey": {"enabled": False}},
        },
    ),
    SeededConnection(
        SOCIAL_CONNECTION, "google-oauth2", {"email": True, "profile": True, "scope": ["email", "profile"]}
    ),
)
"""A tenant's usual connections. Like a tenant whose `enable_client_connections` flag is off, a new client gets
none of them: only PATCH /connections/{id}/clients enables one."""


def seeded_connection_id(name: str) -> str:
    """The id of a seeded connection: the same in every sandbox tenant, so `stacks/Pulumi.sandbox.yaml`
    can list it in `connections`. Auth0 gives each tenant's connections random ids (`con_` and 16
    alphanumerics); these have that shape."""
    digest = hashlib.sha256(name.encode()).digest()
    return "con_" + "".join(ID_ALPHABET[byte % len(ID_ALPHABET)] for byte in digest[:16])


class SeededRole(NamedTuple):
    """A role every sandbox tenant has."""

    name: str
    description: str


SEEDED_ROLES = (
    SeededRole("admins", "Administrators"),
    SeededRole("developers", "Developers"),
)


class SeededUser(NamedTuple):
    """A user every sandbox tenant has (with a password generated at start), in one connection, with roles."""

    email: str
    connection: str
    roles: tuple[str, ...]


SEEDED_USERS = (
    SeededUser("alice@example.com", DATABASE_CONNECTION, ("admins", "developers")),
    SeededUser("bob@example.com", DATABASE_CONNECTION, ("developers",)),
    SeededUser("carol@example.com", DATABASE_CONNECTION, ()),
    SeededUser("dave@gmail.example", SOCIAL_CONNECTION, ("developers",)),
)


def machine_client_body(role: str) -> JSON:
    """POST /clients for one of the tenant's own machine-to-machine clients (bootstrap, inspector, or another
    that a test asks the admin routes for), marked with `SANDBOX_ROLE_KEY`."""
    return {
        "name": f"sandbox-{role}",
        "description": "Created by the sandbox tenant",
        "app_type": "non_interactive",
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_post",
        "client_metadata": {SANDBOX_ROLE_KEY: role},
    }
