"""The tenant's users and roles: the seeded people (`seeds`), their passwords, and which roles each holds.

The Management API reads them (`/roles`, `/roles/{id}/users`, `/users/{id}/roles`) and the Authentication
API signs them in and puts them in tokens, both through this one model. User and role objects have the
fields Auth0's Management API returns for them.
"""

from __future__ import annotations

import copy
import secrets
import threading
from typing import Any, NotRequired, TypedDict

from ..exceptions import role_not_found, user_not_found
from .base import JSON, now, random_id
from .connections import Connections
from .seeds import SEEDED_ROLES, SEEDED_USERS


class Identity(TypedDict):
    """Where a user signs in: the connection, and the user's id there."""

    connection: str
    provider: str
    user_id: str
    isSocial: bool


class User(TypedDict):
    """A user as GET /users/{id} shows it."""

    user_id: str
    email: str
    email_verified: bool
    name: str
    nickname: str
    picture: str
    identities: list[Identity]
    app_metadata: JSON
    user_metadata: JSON
    created_at: str
    updated_at: str
    logins_count: int
    last_login: NotRequired[str]


class Role(TypedDict):
    """A role as GET /roles lists it."""

    id: str
    name: str
    description: str


def _user_id(strategy: str) -> str:
    """`auth0|<24 hex>` for a database user; `google-oauth2|<21 digits>` for a Google one, as Auth0 spells them."""
    if strategy == "auth0":
        return "auth0|" + secrets.token_hex(12)
    return f"{strategy}|" + "".join(secrets.choice("0123456789") for _ in range(21))


class Directory:
    """Users and roles, guarded by a lock of their own (no rule ties them to the other resources); answers are
    copies."""

    def __init__(self, connections: Connections) -> None:
        self._lock = threading.Lock()
        self._roles: dict[str, Role] = {}
        self._users: dict[str, User] = {}
        self._passwords: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        by_connection = {c["name"]: c for c in connections.list_connections()}
        for role in SEEDED_ROLES:
            role_id = "rol_" + random_id(16)
            self._roles[role_id] = {"id": role_id, "name": role.name, "description": role.description}
            self._members[role_id] = []
        by_name = {role["name"]: role_id for role_id, role in self._roles.items()}
        for seeded in SEEDED_USERS:
            user = self._new_user(seeded.email, by_connection[seeded.connection])
            self._passwords[user["user_id"]] = secrets.token_urlsafe(18)
            for role_name in seeded.roles:
                self._members[by_name[role_name]].append(user["user_id"])

    def _new_user(self, email: str, connection: JSON) -> User:
        stamp = now()
        user_id = _user_id(connection["strategy"])
        provider, _, identity_id = user_id.partition("|")
        nickname = email.split("@")[0]
        user: User = {
            "user_id": user_id,
            "email": email,
            "email_verified": True,
            "name": email,
            "nickname": nickname,
            "picture": f"https://s.gravatar.com/avatar/{secrets.token_hex(16)}?s=480&r=pg&d=identicon",
            "identities": [
                {
                    "connection": connection["name"],
                    "provider": provider,
                    "user_id": identity_id,
                    "isSocial": provider != "auth0",
                }
            ],
            "app_metadata": {},
            "user_metadata": {},
            "created_at": stamp,
            "updated_at": stamp,
            "logins_count": 0,
        }
        self._users[user_id] = user
        return user

    def seeds(self) -> list[dict[str, Any]]:
        """The seeded users with their passwords and role names, for `tenant.json`."""
        with self._lock:
            return [
                {
                    "email": user["email"],
                    "password": self._passwords[user_id],
                    "connection": user["identities"][0]["connection"],
                    "user_id": user_id,
                    "roles": self._role_names(user_id),
                }
                for user_id, user in self._users.items()
            ]

    def _role_names(self, user_id: str) -> list[str]:
        return [self._roles[r]["name"] for r, members in self._members.items() if user_id in members]

    def sign_in(self, connection_name: str, email: str, password: str) -> str | None:
        """The user id behind these credentials in this connection, or None (the form's one error for both)."""
        with self._lock:
            for user_id, user in self._users.items():
                if (
                    user["email"].lower() == email.strip().lower()
                    and user["identities"][0]["connection"] == connection_name
                ):
                    if secrets.compare_digest(self._passwords[user_id].encode(), password.encode()):
                        user["logins_count"] += 1
                        user["last_login"] = now()
                        return user_id
                    return None
        return None

    def user(self, user_id: str) -> User:
        """One user as GET /users/{id} shows it."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                raise user_not_found()
            return copy.deepcopy(user)

    def user_roles(self, user_id: str) -> list[Role]:
        """GET /users/{id}/roles: the user's roles."""
        with self._lock:
            if user_id not in self._users:
                raise user_not_found()
            return [copy.deepcopy(self._roles[r]) for r, members in self._members.items() if user_id in members]

    def role_names(self, user_id: str) -> list[str]:
        """What a post-login Action sees as `event.authorization.roles`."""
        with self._lock:
            return self._role_names(user_id)

    def list_roles(self, name_filter: str | None = None) -> list[Role]:
        """GET /roles, optionally filtered by `name_filter` (Auth0 matches names case-insensitively)."""
        with self._lock:
            roles = [copy.deepcopy(role) for role in self._roles.values()]
        if name_filter:
            roles = [role for role in roles if name_filter.lower() in role["name"].lower()]
        return roles

    def role_users(self, role_id: str) -> list[JSON]:
        """GET /roles/{id}/users: each member's user_id, email, picture and name, as Auth0 lists them."""
        with self._lock:
            if role_id not in self._roles:
                raise role_not_found()
            return [
                {
                    "user_id": user["user_id"],
                    "email": user["email"],
                    "picture": user["picture"],
                    "name": user["name"],
                }
                for user in (self._users[user_id] for user_id in self._members[role_id])
            ]
