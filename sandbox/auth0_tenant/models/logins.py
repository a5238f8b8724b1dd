"""Sign-ins and what they leave behind: login transactions, authorization codes, refresh-token families, and
the claims `/userinfo` returns, with Auth0's rules for their lifetimes, rotation and reuse.

The state lives in memory, like the rest of the tenant, and ends with it. Each login is one `SignIn`: who
signed in, to which application, with what.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..exceptions import OAuthError
from .base import JSON

TRANSACTION_SECONDS = 3600
"""Auth0's maximum login-transaction lifetime (1 hour since October 2023)."""
CODE_SECONDS = 600
"""Auth0 publishes no authorization-code lifetime; this is RFC 6749 §4.1.2's recommended maximum."""
INVALID_REFRESH_TOKEN = "Unknown or invalid refresh token."

T = TypeVar("T")


@dataclass(frozen=True)
class SignIn:
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
    """What a code redeems to: the sign-in, the Action's claims, and what the token request must match."""

    sign_in: SignIn
    id_token_claims: dict[str, Any]
    access_token_claims: dict[str, Any]
    redirect_uri: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float


@dataclass
class RefreshToken:
    """A refresh token's sign-in and its life: family (for rotation), last use, and whether it was rotated."""

    sign_in: SignIn
    family: str
    family_created_at: float
    last_used_at: float
    rotated_at: float | None = None


@dataclass
class Logins:
    """Transactions, codes, refresh tokens and what `/userinfo` adds, behind one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    transactions: dict[str, Transaction] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    userinfo_claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The ID token's custom claims, by access-token `jti`: `/userinfo` returns them too."""

    def add_transaction(self, transaction: Transaction) -> str:
        """Keep a login transaction under a new key (the `state` of the login form)."""
        return self._add(self.transactions, transaction, 24)

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
        """Keep an authorization code's sign-in under a new code."""
        return self._add(self.codes, code, 32)

    def _add(self, table: dict[str, T], item: T, key_bytes: int) -> str:
        key = secrets.token_urlsafe(key_bytes)
        with self.lock:
            table[key] = item
        return key

    def redeem_code(self, key: str) -> AuthorizationCode | None:
        """The code's sign-in, once: any redemption attempt uses the code up, as RFC 6749 §4.1.2 asks."""
        with self.lock:
            found = self.codes.pop(key, None)
        if found is None or found.expires_at < time.time():
            return None
        return found

    def remember_userinfo_claims(self, jti: str, claims: dict[str, Any]) -> None:
        """Keep an access token's custom claims for `/userinfo`."""
        with self.lock:
            self.userinfo_claims[jti] = claims

    def claims_for_userinfo(self, jti: str) -> dict[str, Any]:
        """The custom claims kept for this access token (none for an unknown one)."""
        with self.lock:
            return self.userinfo_claims.get(jti, {})

    def new_refresh_token(self, sign_in: SignIn) -> str:
        """The first refresh token of a new family."""
        return self._add_refresh_token(sign_in, family=None)

    def rotate_refresh_token(self, record: RefreshToken) -> str:
        """A new refresh token in `record`'s family; `record` is rotated from now (reuse past `leeway` revokes
        the family)."""
        token = self._add_refresh_token(record.sign_in, family=record)
        with self.lock:
            record.rotated_at = record.rotated_at or time.time()
        return token

    def _add_refresh_token(self, sign_in: SignIn, family: RefreshToken | None) -> str:
        token = secrets.token_urlsafe(36)
        moment = time.time()
        record = RefreshToken(
            sign_in=sign_in,
            family=family.family if family else secrets.token_hex(8),
            family_created_at=family.family_created_at if family else moment,
            last_used_at=moment,
        )
        with self.lock:
            self.refresh_tokens[token] = record
        return token

    def live_refresh_token(self, presented: str, client_id: str, settings: JSON) -> RefreshToken:
        """The token's record if it may still be used under the application's `refresh_token` settings, or
        Auth0's `invalid_grant`; reuse of a rotated token past `leeway` revokes its whole family."""
        moment = time.time()
        with self.lock:
            record = self.refresh_tokens.get(presented)
            if record is None or record.sign_in.client_id != client_id:
                raise OAuthError(403, "invalid_grant", INVALID_REFRESH_TOKEN)
            if record.rotated_at is not None and moment - record.rotated_at > int(settings.get("leeway", 0)):
                # Reuse detection: a rotated token used again ends every token of its family.
                for token in [t for t, r in self.refresh_tokens.items() if r.family == record.family]:
                    del self.refresh_tokens[token]
                raise OAuthError(403, "invalid_grant", INVALID_REFRESH_TOKEN)
            if settings.get("expiration_type") == "expiring":
                absolute = not settings.get("infinite_token_lifetime") and (
                    moment - record.family_created_at > int(settings.get("token_lifetime", 0))
                )
                idle = not settings.get("infinite_idle_token_lifetime") and (
                    moment - record.last_used_at > int(settings.get("idle_token_lifetime", 0))
                )
                if absolute or idle:
                    del self.refresh_tokens[presented]
                    raise OAuthError(403, "invalid_grant", INVALID_REFRESH_TOKEN)
            record.last_used_at = moment
            return record
