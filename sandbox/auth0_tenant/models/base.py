"""What every resource model shares: the JSON record type, Auth0's timestamps and ids, its PATCH merge, the
tenant's one lock with copied answers, and the body checks each resource's own rules are made of."""

from __future__ import annotations

import copy
import datetime
import secrets
import string
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..exceptions import ApiError, invalid_body

JSON = dict[str, Any]
"""A record or request body as Auth0's JSON has it."""
T = TypeVar("T")

ID_ALPHABET = string.ascii_letters + string.digits


def now() -> str:
    """Auth0's timestamp format: RFC 3339 in UTC with a `Z` (Go's time.Time refuses a naive one)."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def random_id(length: int) -> str:
    """An opaque alphanumeric id like Auth0's client ids."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def merge(target: JSON, patch: JSON) -> None:
    """Auth0's PATCH: objects merge key by key, `null` removes a key, anything else replaces it."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def with_defaults(defaults: JSON, stored: JSON) -> JSON:
    """Stored fields over Auth0's defaults, nested objects included."""
    merged = copy.deepcopy(defaults)
    merge(merged, stored)
    return merged


def found(records: Mapping[str, T], key: str, missing: Callable[[], ApiError]) -> T:
    """The record stored under `key`, or the resource's own 404 (`missing`)."""
    record = records.get(key)
    if record is None:
        raise missing()
    return record


class Model:
    """A resource's state behind the tenant's one lock.

    Every public method takes the lock and answers deep copies, so concurrent requests (Pulumi creates
    resources in parallel) see read-your-writes consistency and never share mutable state with a response.
    The lock is re-entrant and shared by every model, so a rule that spans resources (a client's grants go
    with it) holds as one step.
    """

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock

    def _locked(self, fn: Callable[[], T]) -> T:
        with self._lock:
            return copy.deepcopy(fn())


def require_object(body: Any) -> JSON:
    """The body, if it is a JSON object; Auth0's 400 otherwise."""
    if not isinstance(body, dict):
        raise invalid_body("Expected type object but found type " + type(body).__name__)
    return body


def reject_unknown(body: JSON, allowed: frozenset[str]) -> None:
    """Auth0's 400 for properties its schema does not know."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise invalid_body("Additional properties not allowed: " + ",".join(unknown))


def require_string(body: JSON, key: str) -> str:
    """A required, non-empty string property."""
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise invalid_body(f"Missing required property: {key}")
    return value


def string_list(body: JSON, key: str) -> None:
    """An optional array of strings."""
    value = body.get(key)
    if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise invalid_body(f"Expected type array of strings for {key}")
