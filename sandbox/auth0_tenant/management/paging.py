"""Auth0's list forms for the Management API: offset pages (`page`, `per_page`, `include_totals`), checkpoint
pages (`from`, `take`), and the actions API's own shape, with Auth0's 400 for a bad query parameter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..exceptions import ApiError
from ..models.base import JSON

MAX_PER_PAGE = 100


def int_param(query: dict[str, str], name: str, default: int, maximum: int | None = None) -> int:
    """A non-negative integer query parameter (at most `maximum`), or Auth0's 400."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or (maximum is not None and int(raw) > maximum):
        limit = f" between 0 and {maximum}" if maximum is not None else " a non-negative integer"
        raise ApiError(400, f"Query validation error: '{name}' must be{limit}", "invalid_query_string")
    return int(raw)


def paged(items: Sequence[Mapping[str, Any]], query: dict[str, str], key: str) -> Any:
    """Auth0's list forms: a bare array, `{total,start,limit,<key>}` with include_totals, or a checkpoint page."""
    if "from" in query or "take" in query:
        start = int_param(query, "from", 0)
        take = int_param(query, "take", 50, MAX_PER_PAGE)
        page: JSON = {key: items[start : start + take]}
        if start + take < len(items):
            page["next"] = str(start + take)
        return page
    per_page = int_param(query, "per_page", 50, MAX_PER_PAGE)
    start = int_param(query, "page", 0) * per_page
    chunk = items[start : start + per_page]
    if query.get("include_totals") == "true":
        return {"total": len(items), "start": start, "limit": per_page, key: chunk}
    return chunk


def actions_paged(items: Sequence[Mapping[str, Any]], query: dict[str, str], key: str) -> JSON:
    """The actions API's own list form, copied from Auth0's answers: `page` only past page 0, `total` only on a
    non-empty page. go-auth0's HasNext is `total > start+limit` with no start/limit here, so a `total` on an
    empty page would make the provider's binding reader page forever, as it would against Auth0."""
    per_page = int_param(query, "per_page", 50, MAX_PER_PAGE)
    page = int_param(query, "page", 0)
    chunk = items[page * per_page : (page + 1) * per_page]
    answer: JSON = {key: chunk}
    if chunk:
        answer["total"] = len(items)
    if page:
        answer["page"] = page
    answer["per_page"] = per_page
    return answer
