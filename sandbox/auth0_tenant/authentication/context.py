"""What every Authentication API route shares: the tenant's objects, its hosts, and the login state.

The login state (transactions, authorization codes, refresh tokens) lives in memory, like the rest of the
tenant, and ends with it. Each login is one `Grant`: who signed in, to which application, with what.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from ..store import JSON, Store
from ..tokens import TokenIssuer
from .directory import Directory
from .keys import SigningKey

TRANSACTION_SECONDS = 3600
"""Auth0's maximum login-transaction lifetime (1 hour since October 2023)."""
CODE_SECONDS = 600
"""Auth0 publishes no authorization-code lifetime; this is RFC 6749 §4.1.2's recommended maximum."""
ACCESS_TOKEN_SECONDS = 86400
"""Auth0's default for access tokens to `/userinfo` (and the Management API's token lifetime)."""


@dataclass(frozen=True)
class Grant:
    """One sign-in: user, application, connection, scopes, and the session id the ID tokens carry."""

    client_id: str
    user_id: str
    connection: JSON
    scopes: tuple[str, ...]
    audience: str | None
    sid: str
    issuer: str
    nonce: str | None = None


@dataclass(frozen=True)
class Transaction:
    """An `/authorize` request the user has not finished signing in to yet."""

    client_id: str
    redirect_uri: str
    state: str | None
    nonce: str | None
    scopes: tuple[str, ...]
    audience: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    connection: JSON
    issuer: str
    query: dict[str, str]
    expires_at: float


@dataclass(frozen=True)
class AuthorizationCode:
    """What a code redeems to: the grant, the Action's claims, and what the token request must match."""

    grant: Grant
    id_token_claims: dict[str, Any]
    access_token_claims: dict[str, Any]
    redirect_uri: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float


@dataclass
class RefreshToken:
    """A refresh token's grant and its life: family (for rotation), last use, and whether it was rotated."""

    grant: Grant
    family: str
    family_created_at: float
    last_used_at: float
    rotated_at: float | None = None


@dataclass
class LoginState:
    """Transactions, codes, refresh tokens and what `/userinfo` adds, behind one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    transactions: dict[str, Transaction] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    userinfo_claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The ID token's custom claims, by access-token `jti`: `/userinfo` returns them too."""

    def add_transaction(self, transaction: Transaction) -> str:
        key = secrets.token_urlsafe(24)
        with self.lock:
            self.transactions[key] = transaction
        return key

    def transaction(self, key: str) -> Transaction | None:
        """A live transaction (it stays until it expires: a wrong password lets the user try again)."""
        with self.lock:
            found = self.transactions.get(key)
            if found is not None and found.expires_at < time.time():
                del self.transactions[key]
                return None
            return found

    def finish_transaction(self, key: str) -> None:
        with self.lock:
            self.transactions.pop(key, None)

    def add_code(self, code: AuthorizationCode) -> str:
        key = secrets.token_urlsafe(32)
        with self.lock:
            self.codes[key] = code
        return key

    def redeem_code(self, key: str) -> AuthorizationCode | None:
        """The code's grant, once: any redemption attempt uses the code up, as RFC 6749 §4.1.2 asks."""
        with self.lock:
            found = self.codes.pop(key, None)
        if found is None or found.expires_at < time.time():
            return None
        return found


@dataclass(frozen=True)
class Context:
    """The tenant as the Authentication API sees it."""

    store: Store
    directory: Directory
    key: SigningKey
    issuer: TokenIssuer
    domain: str
    custom_domain: str
    state: LoginState = field(default_factory=LoginState)

    def issuer_url(self, headers: Mapping[str, str]) -> str:
        """`https://<host>/` for the host the request came in on (canonical or custom domain), as Auth0."""
        host = headers.get("Host", "")
        return f"https://{host if host in (self.domain, self.custom_domain) else self.domain}/"


def query_params(query: str) -> dict[str, str]:
    """A query string or form body as a flat map (the last value of a repeated name wins)."""
    return {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
