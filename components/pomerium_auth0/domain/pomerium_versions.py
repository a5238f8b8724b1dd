"""Which open-source Pomerium an image is, as far as its tag tells, and what that release reads.

Open-source Pomerium v0.20 removed directory sync: it reads groups from the ID token only, and
nothing in it reads `IDP_SERVICE_ACCOUNT` (docs/pomerium-versions.md). A digest, an Enterprise image
or another registry's name tells no version: those are treated as possibly older, so they keep
what an older release needs.
"""

from __future__ import annotations

import re

LOGIN_KEYS = ("IDP_PROVIDER", "IDP_PROVIDER_URL", "IDP_CLIENT_ID", "IDP_CLIENT_SECRET")
"""The IdP settings every open-source Pomerium reads from its environment."""
SERVICE_ACCOUNT_KEY = "IDP_SERVICE_ACCOUNT"
"""The directory-sync credential, which only releases with directory sync read."""
FIRST_WITHOUT_DIRECTORY_SYNC = (0, 20)
"""The first open-source release that has no directory sync and ignores `IDP_SERVICE_ACCOUNT`."""
_OPEN_SOURCE_IMAGE = re.compile(r"^(?:(?:docker\.io|index\.docker\.io)/)?pomerium/pomerium:(?:nonroot-)?v(\d+)\.(\d+)")


def open_source_version(image: str | None) -> tuple[int, int] | None:
    """(major, minor) of an open-source Pomerium image's tag, or None when the reference does not say."""
    match = _OPEN_SOURCE_IMAGE.match(image or "")
    return (int(match[1]), int(match[2])) if match else None


def has_directory_sync(image: str | None) -> bool:
    """False only for an open-source release known to be v0.20 or later."""
    version = open_source_version(image)
    return version is None or version < FIRST_WITHOUT_DIRECTORY_SYNC
