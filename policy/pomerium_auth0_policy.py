"""Guardrail rules as plain functions, so they are unit-tested without the Pulumi engine.

Each resource rule takes one :class:`Resource`, each stack rule every resource of the stack, and
returns the violations it finds (empty when it passes). Property names are the engine's
(camelCase), as a policy pack receives them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pomerium_auth0.domain.directory_sync import MANAGEMENT_API_SCOPES, DirectorySync
from pomerium_auth0.domain.groups_claim import CLAIM_METADATA_KEY
from pomerium_auth0.domain.policy_language import Deployment
from pomerium_auth0.domain.pomerium_routes import route_errors
from pulumi_policy import (
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

ALLOWED_MANAGEMENT_API_SCOPES = frozenset({"read:roles", "read:role_members", "read:users", "read:user_idp_tokens"})
"""The widest set Pomerium needs: Enterprise directory sync, exactly as Pomerium's Auth0 guide lists it
(pomerium.com/docs/integrations/user-identity/auth0). Anything beyond it is over-privileged."""
IDP_KEYS = frozenset({"IDP_PROVIDER", "IDP_PROVIDER_URL", "IDP_CLIENT_ID", "IDP_CLIENT_SECRET", "IDP_SERVICE_ACCOUNT"})
IDP_CREDENTIAL_KEYS = frozenset({"IDP_CLIENT_SECRET", "IDP_SERVICE_ACCOUNT"})
_CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
_MANAGEMENT_API = re.compile(r"^https://[^/]+/api/v2/?$")
_WORKLOADS = frozenset(
    {
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:core/v1:Pod",
    }
)


@dataclass(frozen=True)
class Resource:
    """What a rule sees of one resource."""

    type: str
    props: Mapping[str, Any]
    secret_outputs: Sequence[str] = field(default_factory=tuple)
    """The resource's `additional_secret_outputs`: properties the engine stores only encrypted."""


Rule = Callable[[Resource], list[str]]
StackRule = Callable[[Sequence[Resource]], list[str]]


def management_api_grant_scopes(resource: Resource) -> list[str]:
    """A client grant to the Auth0 Management API may not exceed the scopes Pomerium needs."""
    if resource.type != "auth0:index/clientGrant:ClientGrant":
        return []
    if not _MANAGEMENT_API.match(str(resource.props.get("audience", ""))):
        return []
    violations = []
    if resource.props.get("allowAllScopes"):
        violations.append("Management API grant uses allowAllScopes; grant only the scopes Pomerium reads.")
    extra = sorted(set(resource.props.get("scopes") or ()) - ALLOWED_MANAGEMENT_API_SCOPES)
    if extra:
        violations.append(
            f"Management API grant has scopes beyond what Pomerium needs: {', '.join(extra)} "
            f"(allowed: {', '.join(sorted(ALLOWED_MANAGEMENT_API_SCOPES))})."
        )
    return violations


def web_application_login_hygiene(resource: Resource) -> list[str]:
    """A login application may not accept wildcard URLs or the implicit grant."""
    if resource.type != "auth0:index/client:Client" or resource.props.get("appType") != "regular_web":
        return []
    violations = []
    for prop in ("callbacks", "allowedLogoutUrls", "webOrigins", "allowedOrigins"):
        wildcards = [url for url in resource.props.get(prop) or () if "*" in str(url)]
        if wildcards:
            violations.append(f"Web application {prop} contains wildcards: {', '.join(map(str, wildcards))}.")
    if "*" in str(resource.props.get("initiateLoginUri") or ""):
        violations.append("Web application initiateLoginUri contains a wildcard.")
    if "implicit" in (resource.props.get("grantTypes") or ()):
        violations.append("Web application allows the implicit grant; use authorization_code.")
    return violations


def idp_credentials_stay_secret(resource: Resource) -> list[str]:
    """IdP credentials live only in Secrets whose content the engine encrypts."""
    if resource.type == "kubernetes:core/v1:Secret":
        return [
            f"Secret holds IdP keys in {prop} but {prop} is not marked secret (additional_secret_outputs)."
            for prop in ("data", "stringData")
            if IDP_KEYS & set(resource.props.get(prop) or {}) and prop not in resource.secret_outputs
        ]
    if resource.type == "kubernetes:core/v1:ConfigMap":
        leaked = sorted(
            IDP_CREDENTIAL_KEYS & {*(resource.props.get("data") or {}), *(resource.props.get("binaryData") or {})}
        )
        return [f"ConfigMap holds IdP credentials ({', '.join(leaked)}); put them in a Secret."] if leaked else []
    if resource.type in _WORKLOADS:
        return [
            f"Container {container.get('name')} sets {variable['name']} as a literal env value; "
            "use envFrom or secretKeyRef."
            for container in _containers(resource.props)
            for variable in container.get("env") or ()
            if variable.get("name") in IDP_CREDENTIAL_KEYS and variable.get("value") is not None
        ]
    return []


def _containers(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    pod = props.get("spec") or {}
    if "template" in pod:
        pod = (pod.get("template") or {}).get("spec") or {}
    return [*(pod.get("initContainers") or ()), *(pod.get("containers") or ())]


def _is_pomerium_login_app(resource: Resource) -> bool:
    """An Auth0 web application Pomerium signs users in with: its callback is Pomerium's `/oauth2/callback`."""
    return (
        resource.type == "auth0:index/client:Client"
        and resource.props.get("appType") == "regular_web"
        and any(str(url).endswith("/oauth2/callback") for url in resource.props.get("callbacks") or ())
    )


def _directory_sync(resources: Sequence[Resource], apps: int) -> DirectorySync | None:
    """The mode whose scopes every web application's Management API grant carries; no grant at all is `off`.

    None when some applications have a grant and others not, or their grants differ.
    """
    grants = [
        frozenset(r.props.get("scopes") or ())
        for r in resources
        if r.type == "auth0:index/clientGrant:ClientGrant" and _MANAGEMENT_API.match(str(r.props.get("audience", "")))
    ]
    granted = set(grants)
    if not granted:
        return DirectorySync.OFF
    if len(granted) != 1 or len(grants) != apps:
        return None
    (scopes,) = granted
    return next((mode for mode, listed in MANAGEMENT_API_SCOPES.items() if set(listed) == scopes), DirectorySync.LEGACY)


def _pomerium_image(resources: Sequence[Resource]) -> str | None:
    """The one Pomerium image the stack runs, or None (none, several, or not known yet)."""
    images = {
        str(container.get("image"))
        for resource in resources
        if resource.type in _WORKLOADS
        for container in _containers(resource.props)
        if "pomerium/" in str(container.get("image"))
    }
    return images.pop() if len(images) == 1 else None


def stack_deployment(resources: Sequence[Resource]) -> Deployment | None:
    """What routes meet in this stack, read from its Pomerium web applications; None unless they all agree."""
    apps = [resource for resource in resources if _is_pomerium_login_app(resource)]
    claims = {((app.props.get("clientMetadata") or {}).get(CLAIM_METADATA_KEY) or None) for app in apps}
    directory_sync = _directory_sync(resources, len(apps))
    if not apps or len(claims) != 1 or directory_sync is None:
        return None
    (claim,) = claims
    return Deployment(
        groups_claim=None if claim is None else str(claim),
        directory_sync=directory_sync,
        pomerium_image=_pomerium_image(resources),
    )


def route_policies(resources: Sequence[Resource]) -> list[str]:
    """Routes in a ConfigMap's Pomerium `config.yaml` pass the component's checks, against this stack's IdP."""
    deployment = stack_deployment(resources)
    violations = []
    for resource in resources:
        config = (resource.props.get("data") or {}).get("config.yaml") if resource.type == _CONFIG_MAP else None
        document = yaml.safe_load(config) if isinstance(config, str) else None
        if isinstance(document, Mapping) and "routes" in document:
            name = (resource.props.get("metadata") or {}).get("name", "?")
            violations += [
                f"ConfigMap {name}: {error}" for error in route_errors("routes", document["routes"], deployment)
            ]
    return violations


RULES: dict[str, tuple[str, Rule]] = {
    "management-api-grant-scopes": (
        "Auth0 Management API grants carry only the scopes Pomerium reads.",
        management_api_grant_scopes,
    ),
    "web-application-login-hygiene": (
        "Auth0 web applications have no wildcard URLs and no implicit grant.",
        web_application_login_hygiene,
    ),
    "idp-credentials-stay-secret": (
        "Pomerium's IdP credentials are only ever stored encrypted.",
        idp_credentials_stay_secret,
    ),
}
"""Policy name -> (description, rule)."""

STACK_RULES: dict[str, tuple[str, StackRule]] = {
    "route-policies": (
        "Pomerium routes use only Pomerium's criteria and options, and claims and groups the stack provides.",
        route_policies,
    ),
}
"""Policy name -> (description, rule over every resource of the stack)."""


def policies() -> list[Policy]:
    """The rules as Pulumi policies; each reports every violation its rule finds."""

    def policy(name: str, description: str, rule: Rule) -> ResourceValidationPolicy:
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            resource = Resource(args.resource_type, args.props, tuple(args.opts.additional_secret_outputs or ()))
            for violation in rule(resource):
                report_violation(violation, None)

        return ResourceValidationPolicy(name=name, description=description, validate=validate)

    def stack_policy(name: str, description: str, rule: StackRule) -> StackValidationPolicy:
        def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
            resources = [
                Resource(r.resource_type, r.props, tuple(r.opts.additional_secret_outputs or ()))
                for r in args.resources
            ]
            for violation in rule(resources):
                report_violation(violation, None)

        return StackValidationPolicy(name=name, description=description, validate=validate)

    return [policy(name, description, rule) for name, (description, rule) in RULES.items()] + [
        stack_policy(name, description, rule) for name, (description, rule) in STACK_RULES.items()
    ]
