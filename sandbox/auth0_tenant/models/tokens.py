"""Management API access tokens: who each was issued to, with which scopes, until when; checked on every call.

They are opaque, as the provider never decodes them on the client-credentials path, and an opaque token
keeps its scopes here, where the Management API's scope check reads them. `/oauth/token` issues them.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from ..exceptions import ApiError

TOKEN_LIFETIME_SECONDS = 86400


@dataclass(frozen=True)
class Token:
    """Who a bearer token was issued to and what it may do."""

    client_id: str
    scopes: frozenset[str]
    expires_at: float

    def has_any(self, scopes: tuple[str, ...]) -> bool:
        """Auth0's rule: one of an endpoint's listed scopes is enough."""
        return not self.scopes.isdisjoint(scopes)


class ManagementTokens:
    """Every Management API token issued, by its value."""

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def issue(self, client_id: str, scopes: Iterable[str]) -> str:
        """A new token for this client with these scopes, valid for `TOKEN_LIFETIME_SECONDS`."""
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[access_token] = Token(client_id, frozenset(scopes), time.time() + TOKEN_LIFETIME_SECONDS)
        return access_token

    def authenticate(self, authorization: str | None) -> Token:
        """The token behind an `Authorization: Bearer` header, or Auth0's 401."""
        if not authorization:
            raise ApiError(401, "Missing authentication")
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, "Bad HTTP authentication header format")
        with self._lock:
            token = self._tokens.get(value.strip())
        if token is None:
            raise ApiError(401, "Invalid token")
        if token.expires_at < time.time():
            raise ApiError(401, "Expired token")
        return token
