"""One secret scanner for the mock suite and the real-engine suite: each secret, plain or base64, in named texts."""

from __future__ import annotations

import base64
from collections.abc import Iterable


def encoded_forms(secrets: Iterable[str]) -> set[str]:
    """Each secret as it is and base64-encoded, the two forms a leak takes (a Secret's `data` is base64)."""
    values = set(secrets)
    return values | {base64.b64encode(value.encode()).decode() for value in values}


def leaks(secrets: Iterable[str], places: Iterable[tuple[str, str]]) -> list[str]:
    """`<where>: <first 6 characters>…` for every form of every secret found in a place's text."""
    needles = encoded_forms(secrets)
    return [f"{where}: {needle[:6]}…" for where, text in places for needle in sorted(needles) if needle in text]
