"""The Management API scopes the bootstrap application needs, and a check of them before `pulumi up` creates anything.

`BOOTSTRAP_SCOPES` is the single list: the README's table is checked against it, the sandbox
tenant grants it by default, and the real-engine suite proves that each mode runs its whole
lifecycle with exactly these scopes and fails without any one of them.
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus

import pulumi

from ..inputs.input_errors import InputError

README_SECTION = "README, First deployment, step 2"
TOKEN_TIMEOUT_SECONDS = 15


class Feature(Enum):
    """A part of the stack that needs scopes of its own; the value is the README's "Needed" cell."""

    DIRECTORY_SYNC = "unless `directorySync: off`"
    GROUPS_CLAIM_ACTION = "when the stack owns the groups-claim Action (`groupsClaim: true`, `groupsClaimAction: own`)"
    CONNECTIONS = "when `connections` is set"
    SECRET_ROTATION = "when `clientSecretRotation` is above 0"


@dataclass(frozen=True)
class ScopeGroup:
    """Scopes that serve one purpose, and the feature that needs them (None: every stack)."""

    scopes: tuple[str, ...]
    why: str
    needed_for: Feature | None = None


BOOTSTRAP_SCOPES: tuple[ScopeGroup, ...] = (
    ScopeGroup(
        ("create:clients", "update:clients", "delete:clients"),
        "the applications, their names, metadata and token endpoint auth method",
    ),
    ScopeGroup(
        ("read:clients",),
        "reading the applications' settings back (callbacks, logout URLs, grant types, JWT configuration, "
        "metadata, token endpoint auth method): without it or `read:client_keys`, Auth0 returns only "
        "`client_id`, `app_type`, `name` and `description`, and every `refresh` and `preview` would show drift",
    ),
    ScopeGroup(
        ("read:client_credentials",),
        "reading the applications back with their secrets (Auth0 returns `client_secret` only with it or "
        "`read:client_keys`), and listing a client's credentials when its `auth0.ClientCredentials` is "
        "deleted, which only this scope allows",
    ),
    ScopeGroup(
        ("create:client_grants", "read:client_grants", "update:client_grants", "delete:client_grants"),
        "the Management API grant of the directory-sync application",
        needed_for=Feature.DIRECTORY_SYNC,
    ),
    ScopeGroup(
        ("create:actions", "read:actions", "update:actions", "delete:actions"),
        "the groups-claim Action, its deploy and its post-login binding (Auth0 has no trigger scopes)",
        needed_for=Feature.GROUPS_CLAIM_ACTION,
    ),
    ScopeGroup(
        ("read:connections", "update:connections"),
        "enabling the web application on the connections in `connections`, one application at a time (other "
        "applications keep theirs), and reading that back",
        needed_for=Feature.CONNECTIONS,
    ),
    ScopeGroup(
        ("update:client_keys",),
        "setting the applications' new client secrets when `clientSecretRotation` rotates them (Auth0 lets only "
        "this scope change `client_secret`)",
        needed_for=Feature.SECRET_ROTATION,
    ),
)


def required_scopes(features: Iterable[Feature]) -> frozenset[str]:
    """What a stack with these features needs for its whole lifecycle: create, update, refresh, destroy."""
    enabled = set(features)
    return frozenset(
        scope
        for group in BOOTSTRAP_SCOPES
        if group.needed_for is None or group.needed_for in enabled
        for scope in group.scopes
    )


def management_token(domain: str, client_id: str, client_secret: str) -> dict[str, str]:
    """A Management API token for the bootstrap application, as the provider gets one (`access_token`, `scope`).

    Raises :class:`InputError` with one clear sentence when the tenant cannot be reached, its
    certificate is not trusted, `domain` is not the tenant's canonical domain (no Management API
    there) or it rejects the credentials, instead of a provider retry loop.
    """
    url = f"https://{domain}/oauth/token"
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": f"https://{domain}/api/v2/",
        }
    ).encode()
    request = urllib.request.Request(url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=TOKEN_TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = _error_body(error)
        if _is_unknown_audience(error.code, body):
            raise _not_the_management_api(domain) from None
        detail = _error_detail(error, body)
        raise InputError(
            "auth0:clientSecret",
            f"the tenant {domain} rejected the bootstrap application's credentials ({error.code} {detail})",
            "check auth0:clientId and auth0:clientSecret (or AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET), and that the "
            f"application is authorized for the Auth0 Management API ({README_SECTION})",
        ) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, ssl.SSLCertVerificationError):
            problem = f"the TLS certificate of {url} is not trusted ({reason.verify_message})"
            fix = "check auth0:domain, and the CA bundle if a proxy or a local tenant is in between (SSL_CERT_FILE)"
        else:
            problem = f"cannot reach {url} ({reason})"
            fix = "check auth0:domain (or AUTH0_DOMAIN): it must be your tenant's domain, e.g. acme.eu.auth0.com"
        raise InputError("auth0:domain", problem, fix) from None
    token: dict[str, str] = answer
    return token


def granted_scopes(domain: str, client_id: str, client_secret: str) -> frozenset[str]:
    """Which Management API scopes the bootstrap application holds, from its token."""
    return frozenset(str(management_token(domain, client_id, client_secret).get("scope", "")).split())


def _error_body(error: urllib.error.HTTPError) -> dict[str, str] | None:
    """Auth0's JSON error body, or None when the answer is not one (a proxy's HTML page, say)."""
    try:
        body = json.loads(error.read())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _error_detail(error: urllib.error.HTTPError, body: dict[str, str] | None) -> str:
    if body is None:
        return error.reason
    return f"{body.get('error', '')}: {body.get('error_description', body.get('message', ''))}".strip(": ")


def _is_unknown_audience(status: int, body: dict[str, str] | None) -> bool:
    """Auth0's answer to a token request whose `audience` is no API of the tenant.

    Auth0 answers `access_denied` with `Service not found: <audience>` (community.auth0.com/t/6822,
    auth0-samples/auth0-aspnet-owin-mvc-samples#38, Moesif/moesif-developer-portal#43), with 403 on
    `/oauth/token` as for its other `access_denied` answers there (hashicorp/terraform-provider-auth0#24).
    A custom domain given as the tenant's domain gets it: the Management API's identifier stays
    `https://<canonical domain>/api/v2/` whichever host serves the token request.
    """
    return (
        status == HTTPStatus.FORBIDDEN
        and body is not None
        and body.get("error") == "access_denied"
        and str(body.get("error_description", "")).startswith("Service not found")
    )


def _not_the_management_api(domain: str) -> InputError:
    return InputError(
        "pomerium-auth0:auth0Domain",
        f"the tenant has no API https://{domain}/api/v2/ (Auth0: Service not found), so {domain} is not its "
        "canonical domain; a custom domain serves logins but is no Management API audience",
        "set pomerium-auth0:auth0Domain (or auth0:domain / AUTH0_DOMAIN, which it defaults to) to the tenant's "
        "canonical domain, e.g. acme.us.auth0.com, as the Auth0 dashboard shows it under Settings, and put a "
        "custom login domain in pomerium-auth0:idpProviderUrl",
    )


def check_bootstrap_scopes(domain: str, client_id: str, client_secret: str, features: Iterable[Feature]) -> None:
    """Stop before anything is created when the bootstrap application lacks a scope this stack needs."""
    missing = sorted(required_scopes(features) - granted_scopes(domain, client_id, client_secret))
    if missing:
        raise InputError(
            "auth0:clientId",
            f"the Auth0 bootstrap application lacks the Management API scope(s) {', '.join(missing)}",
            f"grant them to it in the Auth0 dashboard (APIs, Auth0 Management API, Machine to Machine Applications; "
            f"{README_SECTION}), or set pomerium-auth0:checkBootstrapScopes to false to skip this check",
        )


def bootstrap_credentials() -> tuple[str, str] | None:
    """The client ID and secret the Auth0 provider will sign in with, as it finds them (config, then env).

    None when Pulumi authenticates some other way (`auth0:apiToken`), which this check cannot see into.
    """

    def setting(key: str, env: str) -> str | None:
        return pulumi.runtime.get_config(f"auth0:{key}") or os.environ.get(env)

    if setting("apiToken", "AUTH0_API_TOKEN"):
        return None
    client_id, client_secret = setting("clientId", "AUTH0_CLIENT_ID"), setting("clientSecret", "AUTH0_CLIENT_SECRET")
    return (client_id, client_secret) if client_id and client_secret else None
