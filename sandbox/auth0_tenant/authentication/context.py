"""What every Authentication API route shares: the tenant's state (`models`), its signing key and its hosts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from ..models.tenant import Tenant
from .keys import SigningKey


@dataclass(frozen=True)
class Context:
    """The tenant as the Authentication API sees it."""

    tenant: Tenant
    key: SigningKey
    domain: str
    custom_domain: str

    def issuer_url(self, headers: Mapping[str, str]) -> str:
        """`https://<host>/` for the host the request came in on (canonical or custom domain), as Auth0."""
        host = headers.get("Host", "")
        return f"https://{host if host in (self.domain, self.custom_domain) else self.domain}/"


def query_params(query: str) -> dict[str, str]:
    """A query string or form body as a flat map (the last value of a repeated name wins)."""
    return {key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()}
