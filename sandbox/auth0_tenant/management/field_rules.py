"""Auth0's field-level rules on one call: what a token may read of a client or a connection (the rest drops out
of the answer), what it may write, and the `fields`/`include_fields` selection. The rules themselves, from
Auth0's documentation, are in `scopes.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..exceptions import ApiError
from ..models.base import JSON
from ..models.tokens import Token
from . import scopes

CLIENT_FIELDS_SENT_ALONG = frozenset({"signing_keys"})
"""What Auth0 answers with any `fields` selection of a client, when the token may see it (recorded answers)."""
CONNECTION_FIELDS_SENT_ALONG = frozenset({"id", "is_domain_connection", "authentication", "connected_accounts"})
"""What Auth0 answers with any `fields` selection of a connection (recorded answers to `fields=strategy,name`)."""


def _hidden_fields(item: JSON, token: Token, rule: Callable[[str], tuple[str, ...]]) -> set[str]:
    """The fields of `item` this token may not read under Auth0's field-level rule for its kind."""
    return {name for name in item if (needed := rule(name)) and not token.has_any(needed)}


def _visible_fields(
    item: JSON, query: dict[str, str], hidden: set[str], *, sent_along: frozenset[str] = frozenset()
) -> JSON:
    """Drop what the token may not read, then apply `fields`/`include_fields` (default true).

    Hidden fields silently drop out, unless the caller named them in `fields`, which Auth0 answers with a 403.
    `sent_along` fields come with any `fields` selection, when the token may see them.
    """
    requested = {f for f in query.get("fields", "").split(",") if f}
    include = query.get("include_fields") != "false"
    if requested and include and (denied := sorted(requested & hidden)):
        raise ApiError(403, "You cannot read the following fields: " + ", ".join(denied), "insufficient_scope")
    visible = {k: v for k, v in item.items() if k not in hidden}
    if not requested:
        return visible
    return {k: v for k, v in visible.items() if (k in requested) == include or (include and k in sent_along)}


def visible_client(client: JSON, token: Token, query: dict[str, str], *, full: bool = False) -> JSON:
    """One client as this token may see it (`scopes.client_field_read_scopes`), with `fields`.

    `full=True` is for create and rotate-secret, whose answers carry the new secret (that is the only time a
    caller can see a generated secret without the read scope). Auth0 documents the read rules for GET only;
    the PATCH answer follows them too here, the stricter reading (the provider reads the client back anyway).
    """
    hidden = set() if full else _hidden_fields(client, token, scopes.client_field_read_scopes)
    return _visible_fields(client, query, hidden, sent_along=CLIENT_FIELDS_SENT_ALONG)


def visible_connection(connection: JSON, token: Token, query: dict[str, str]) -> JSON:
    """One connection as this token may see it (`scopes.connection_field_read_scopes`), with `fields`."""
    hidden = _hidden_fields(connection, token, scopes.connection_field_read_scopes)
    return _visible_fields(connection, query, hidden, sent_along=CONNECTION_FIELDS_SENT_ALONG)


def check_field_scopes(body: Any, rules: dict[str, tuple[str, ...]], token: Token) -> None:
    """Auth0's 403 when the body sets a field this token lacks the write scope for."""
    if not isinstance(body, dict):
        return
    for name, needed in rules.items():
        if name in body and not token.has_any(needed):
            raise ApiError(403, scopes.insufficient_scope_message(needed), "insufficient_scope")
