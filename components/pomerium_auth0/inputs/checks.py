"""Checks for every user-supplied value, run before any resource is registered.

Each check returns the normalised value or raises :class:`InputError` naming the key, the bad
value and the fix, so a typo stops `pulumi preview` with a sentence instead of a provider
traceback or a half-created stack.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from enum import Enum
from typing import TypeVar
from urllib.parse import urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .input_errors import InputError

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_RFC1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_IMAGE_REFERENCE = re.compile(
    r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
    r"(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$"
)

RESTRICTED_CLAIMS = frozenset(
    claim.lower()
    for claim in (
        *("acr", "act", "active", "amr", "at_hash", "ath", "attest", "aud", "auth_time", "authorization_details"),
        *("azp", "c_hash", "client_id", "cnf", "cty", "dest", "entitlements", "events", "exp", "groups", "gty"),
        *("htm", "htu", "iat", "internalService", "iss", "jcard", "jku", "jti", "jwe", "jwk", "kid", "may_act"),
        *("mky", "nbf", "nonce", "object_id", "org_id", "org_name", "orig", "origid", "permissions", "roles"),
        *("rph", "s_hash", "sid", "sip_callid", "sip_cseq_num", "sip_date", "sip_from_tag", "sip_via_branch"),
        *("sub", "sub_jwk", "toe", "txn", "typ", "uuid", "vot", "vtm", "x5t#S256"),
    )
)
"""Auth0's list of claims "subject to Auth0's restrictions" (auth0.com/docs/secure/tokens/json-web-tokens/
create-custom-claims). An Action that sets one does not fail: Auth0 silently leaves it out of the token,
so every `claim/<name>` policy would deny. Compared case-insensitively, to be safe."""
_RESERVED_CLAIM_NAMESPACES = ("auth0.com", "webtask.io", "webtask.run")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


def shown(value: object, *, secret: bool = False) -> str:
    """Render a bad value for an error message, never echoing a secret."""
    return "(secret value hidden)" if secret else repr(value)


def _require_str(key: str, value: object, example: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(key, f"must be a non-empty string, got {shown(value)}", f"set it to e.g. {example}")
    return value.strip()


def _check_host(key: str, host: str, value: str, example: str) -> str:
    host = host.lower()
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        raise InputError(
            key,
            f"{shown(value)} does not have a valid host name",
            f"use a fully qualified host name such as {example}",
        )
    return host


def https_url(key: str, value: object, *, example: str) -> str:
    """An `https://host[:port]` origin with no path, query, fragment or credentials.

    A trailing `/` is dropped so callers can append paths without doubling it. A loopback host
    (`localhost`, `127.0.0.1`) is accepted as it is: the sandbox tenant's second host name stands in
    for a custom login domain.
    """
    text = _require_str(key, value, example)
    parts = urlsplit(text)
    if parts.scheme != "https":
        scheme = f"'{parts.scheme}://'" if parts.scheme else "no scheme"
        raise InputError(key, f"{shown(text)} has {scheme}; only https:// is allowed", f"use {example}")
    if parts.username or parts.password:
        raise InputError(key, f"{shown(text)} embeds credentials", f"remove the user:password@ part, e.g. {example}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InputError(
            key,
            f"{shown(text)} has a path, query or fragment; Pomerium needs the bare origin",
            f"drop everything after the host, e.g. {example}",
        )
    try:
        port = parts.port
    except ValueError:
        raise InputError(key, f"{shown(text)} has an invalid port", f"use {example}") from None
    host = (parts.hostname or "").lower()
    if host not in _LOOPBACK_HOSTS:
        host = _check_host(key, host, text, example.removeprefix("https://"))
    return f"https://{host}" + (f":{port}" if port is not None else "")


def domain(key: str, value: object, *, example: str) -> str:
    """A bare DNS host name (e.g. a tenant domain): no scheme, path or trailing slash.

    A port is accepted only on a loopback host: that is a local Auth0-compatible tenant (the
    sandbox), never a real one, so real tenant domains are checked exactly as before.
    """
    text = _require_str(key, value, example)
    if "://" in text:
        raise InputError(key, f"{shown(text)} includes a scheme", f"give the bare host name, e.g. {example}")
    if text.endswith("/"):
        raise InputError(key, f"{shown(text)} ends with '/'", f"remove the trailing slash, e.g. {example}")
    if "/" in text:
        raise InputError(key, f"{shown(text)} includes a path", f"give only the host name, e.g. {example}")
    host, _, port = text.partition(":")
    if host in _LOOPBACK_HOSTS and port.isdigit() and 0 < int(port) < 65536:
        return f"{host}:{int(port)}"
    if ":" in text or "@" in text:
        raise InputError(
            key, f"{shown(text)} includes a port or credentials", f"give only the host name, e.g. {example}"
        )
    return _check_host(key, text, text, example)


def dns_label(key: str, value: object, *, example: str, max_length: int = 63) -> str:
    """An RFC 1123 label: Kubernetes namespaces and most object names."""
    text = _require_str(key, value, example)
    if len(text) > max_length or not _DNS_LABEL.match(text):
        raise InputError(
            key,
            f"{shown(text)} is not a valid RFC 1123 label",
            f"use at most {max_length} lowercase letters, digits and '-', starting and ending "
            f"with a letter or digit, e.g. {example}",
        )
    return text


def dns_subdomain(key: str, value: object, *, example: str) -> str:
    """An RFC 1123 subdomain: Kubernetes Secret and ConfigMap names."""
    text = _require_str(key, value, example)
    if len(text) > 253 or not all(_DNS_LABEL.match(label) for label in text.split(".")):
        raise InputError(
            key,
            f"{shown(text)} is not a valid RFC 1123 subdomain",
            f"use at most 253 lowercase letters, digits, '-' and '.', each dot-separated part "
            f"starting and ending with a letter or digit, e.g. {example}",
        )
    return text


def rfc1035_label(key: str, value: object, *, example: str) -> str:
    """An RFC 1035 label: Kubernetes Service names, which must start with a letter."""
    text = _require_str(key, value, example)
    if len(text) > 63 or not _RFC1035_LABEL.match(text):
        raise InputError(
            key,
            f"{shown(text)} is not a valid RFC 1035 label",
            f"use at most 63 lowercase letters, digits and '-', starting with a letter and "
            f"ending with a letter or digit, e.g. {example}",
        )
    return text


def choice(key: str, value: object, allowed: Sequence[str]) -> str:
    """One of a fixed set of values."""
    if value not in allowed:
        raise InputError(
            key, f"{shown(value)} is not one of {', '.join(allowed)}", f"set it to one of {', '.join(allowed)}"
        )
    return str(value)


def member(key: str, value: object, *, enum: type[E]) -> E:
    """One of an enumeration's values, as its member."""
    return enum(choice(key, value, [str(item.value) for item in enum]))


def boolean(key: str, value: object) -> bool:
    """A boolean, accepting the spellings `pulumi config set` stores (`true`/`false`)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InputError(key, f"{shown(value)} is not a boolean", "set it to true or false")


def integer(key: str, value: object, *, minimum: int, maximum: int) -> int:
    """A whole number within bounds."""
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        raise InputError(
            key,
            f"{shown(value)} is not a whole number from {minimum} to {maximum}",
            f"set it to a number from {minimum} to {maximum}",
        )
    return number


MAX_CLIENT_METADATA_VALUE = 255
"""Auth0's limit on one `client_metadata` value."""


def claim_name(key: str, value: object, *, example: str) -> str:
    """A custom ID-token claim name that Auth0 will accept from a post-login Action."""
    text = _require_str(key, value, example)
    if any(character.isspace() for character in text) or any(character in text for character in "\"'`\\"):
        raise InputError(
            key, f"{shown(text)} contains whitespace, quotes or backslashes", f"use a name such as {example}"
        )
    if len(text) > MAX_CLIENT_METADATA_VALUE:
        raise InputError(
            key,
            f"is {len(text)} characters long; Auth0 keeps it in the application's metadata, which holds at most "
            f"{MAX_CLIENT_METADATA_VALUE}",
            f"use a shorter name such as {example}",
        )
    if text.lower() in RESTRICTED_CLAIMS:
        raise InputError(
            key,
            f"{shown(text)} is a claim Auth0 reserves: it silently drops it from the ID token, so no policy "
            "on it would ever match",
            f"use a namespaced claim such as {example} (and the same name in your routes' claim/ policies)",
        )
    if any(namespace in text.lower() for namespace in _RESERVED_CLAIM_NAMESPACES):
        raise InputError(
            key, f"{shown(text)} uses a namespace Auth0 reserves", f"use your own namespace, e.g. {example}"
        )
    return text


_CONNECTION_ID = re.compile(r"^con_[A-Za-z0-9]+$")
CONNECTION_ID_EXAMPLE = "con_0123456789abcdef"


def connection_ids(key: str, value: object) -> list[str]:
    """Auth0 connection IDs (`con_` and letters or digits), each once."""
    if not isinstance(value, list):
        raise InputError(key, f"must be a list of connection IDs, got {shown(value)}", "set it as a YAML list")
    for index, item in enumerate(value):
        if not (isinstance(item, str) and _CONNECTION_ID.match(item)):
            raise InputError(
                f"{key}[{index}]",
                f"{shown(item)} is not an Auth0 connection ID",
                f"use the connection's Identifier (e.g. {CONNECTION_ID_EXAMPLE}): Auth0 dashboard, Authentication, "
                "the connection's page, or GET /api/v2/connections?name=<connection name>",
            )
    repeated = sorted({item for item in value if value.count(item) > 1})
    if repeated:
        raise InputError(key, f"lists {', '.join(repeated)} more than once", "list each connection once")
    return list(value)


def image_reference(key: str, value: object, *, example: str) -> str:
    """A container image reference (`registry/repository:tag` or `@sha256:` digest)."""
    text = _require_str(key, value, example)
    if not _IMAGE_REFERENCE.match(text):
        raise InputError(key, f"{shown(text)} is not a valid image reference", f"use e.g. {example}")
    return text


def unchecked(key: str, value: T) -> T:
    """A value wired from another component's output (a Secret's name, its checksum): already right by construction."""
    return value


def base64_key(key: str, value: object, *, length: int = 32) -> str:
    """A secret that must be standard base64 of exactly `length` random bytes (never echoed)."""
    try:
        decoded = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != length:
        raise InputError(
            key,
            f"{shown(value, secret=True)} is not base64 of {length} bytes",
            f"generate one with `head -c{length} /dev/urandom | base64`, or unset it to have one generated",
        )
    return str(value)


def signing_key(key: str, value: object) -> str:
    """Base64 of a PEM ECDSA P-256 private key, as Pomerium's SIGNING_KEY takes it (never echoed).

    SEC1 (`EC PRIVATE KEY`) and PKCS#8 (`PRIVATE KEY`) both load in Pomerium. Line breaks that
    `base64` wraps with are dropped, as Go's decoder does.
    """
    text = "".join(str(value).split())
    try:
        pem = base64.b64decode(text, validate=True)
        private_key = serialization.load_pem_private_key(pem, password=None)
    except (binascii.Error, ValueError, TypeError, UnsupportedAlgorithm):
        private_key = None
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(private_key.curve, ec.SECP256R1):
        raise InputError(
            key,
            f"{shown(value, secret=True)} is not base64 of a PEM ECDSA P-256 private key",
            "generate one with `openssl ecparam -genkey -name prime256v1 -noout | base64 -w0`, "
            "or unset it to have one generated",
        )
    return text
