"""Pomerium's policy language and route options, checked before anything is deployed.

Pomerium reads a route's `policy` only when it builds its authorizer: a criterion it does not know
stops it ("unknown policy criterion"), and a `groups` or `claim/` criterion that no token or
directory record can satisfy denies every request. Both pass `pulumi up` unless checked here.

The tables below are our own, written from reading pomerium/pomerium at tag v0.33.1 (the version
of the default image, `pomerium/pomerium:nonroot-v0.33.1`); no code is taken from it:

- the grammar, `pkg/policy/parser/grammar.go`: a policy is a rule object or a list of them; a rule
  maps `allow`/`deny` to an object of operators (`and`, `or`, `not`, `nor`; `action` is tolerated);
  each operator holds a list of one-key criteria, so a nested operator is read as a criterion;
- the criteria, one `Register(...)` per file of `pkg/policy/criteria/`, each with its `DataType()`;
  `claim/<name>` is the only one that reads its sub-path (`CriterionFromObject` splits at `/`);
- the matchers, `pkg/policy/criteria/matchers.go` (string and string-list operators), and the
  shapes `client_certificate.go`, `device.go`, `source_ip.go`, `ssh_publickey.go` and
  `ssh_username.go` parse;
- the route options, the `mapstructure` tags of `Policy` in `config/policy.go` and of
  `RouteOptions` (squashed into it) in `config/config.gen.go`; `config/options_check.go` makes
  Pomerium refuse to start on the removed ones and only log any other unknown key.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from .directory_sync import DirectorySync
from .pomerium_versions import has_directory_sync, open_source_version

POMERIUM_VERSION = "v0.33.1"
"""The Pomerium release every table here is read from."""


class DataType(Enum):
    """What a criterion's value must look like (Pomerium's `DataType()` plus the shapes it parses)."""

    STRING_MATCHER = "string matcher"
    STRING_LIST_MATCHER = "string list matcher"
    CERTIFICATE_MATCHER = "certificate matcher"
    DEVICE_MATCHER = "device matcher"
    IP_ADDRESSES = "IP address or CIDR range, or a list of them"
    SSH_KEYS = "SSH public key in authorized_keys form, or a list of them"
    CLAIM_NAME = "claim name"
    UNUSED = "any value (unused)"


CRITERIA: dict[str, DataType] = {
    "accept": DataType.UNUSED,
    "authenticated_user": DataType.UNUSED,
    "claim": DataType.STRING_LIST_MATCHER,
    "client_certificate": DataType.CERTIFICATE_MATCHER,
    "cors_preflight": DataType.UNUSED,
    "device": DataType.DEVICE_MATCHER,
    "domain": DataType.STRING_MATCHER,
    "email": DataType.STRING_MATCHER,
    "groups": DataType.STRING_LIST_MATCHER,
    "http_method": DataType.STRING_MATCHER,
    "http_path": DataType.STRING_MATCHER,
    "invalid_client_certificate": DataType.UNUSED,
    "mcp_tool": DataType.STRING_MATCHER,
    "reject": DataType.UNUSED,
    "source_ip": DataType.IP_ADDRESSES,
    "ssh_ca": DataType.SSH_KEYS,
    "ssh_publickey": DataType.SSH_KEYS,
    "ssh_username": DataType.STRING_MATCHER,
    "ssh_username_matches_claim": DataType.CLAIM_NAME,
    "ssh_username_matches_email": DataType.UNUSED,
    "user": DataType.STRING_MATCHER,
}
"""Every criterion open-source Pomerium v0.33.1 registers, with its data type."""

ENTERPRISE_CRITERIA = frozenset({"date", "day_of_week", "time_of_day", "record"})
"""Criteria only Pomerium Enterprise (or Zero) knows, per Pomerium's policy-language page
(pomerium/documentation `content/docs/internals/ppl.mdx`): refused where the edition is known to be open
source (a stack without `directorySync: enterprise`); closed source, so their data is not checked."""

CLAIM = "claim"
"""The criterion that reads its sub-path: `claim/<claim name>`."""
ACTIONS = ("allow", "deny")
OPERATORS = ("and", "or", "not", "nor")
TOLERATED_RULE_KEYS = ("action",)
"""Accepted in a rule body by the parser and ignored."""
STRING_MATCHER_OPERATORS = ("contains", "ends_with", "in", "is", "not", "not_in", "starts_with")
STRING_LIST_MATCHER_OPERATORS = ("exclude", "has", "is")
LIST_OPERATORS = ("in", "not_in")
"""String-matcher operators whose value is a list of values."""
CERTIFICATE_MATCHER_KEYS = ("fingerprint", "san_dns", "san_email", "san_uri", "spki_hash")
DEVICE_MATCHER_KEYS = ("approved", "is", "type")

ROUTE_OPTIONS = frozenset(
    {
        *("from", "to", "redirect", "response", "name", "description", "logo_url", "policy", "depends_on"),
        *("allowed_users", "allowed_domains", "allowed_idp_claims", "allow_public_unauthenticated_access"),
        *("allow_any_authenticated_user", "cors_allow_preflight", "sub_policies", "show_error_details"),
        *("prefix", "path", "regex", "regex_priority_order", "prefix_rewrite", "regex_rewrite_pattern"),
        *("regex_rewrite_substitution", "host_rewrite", "host_rewrite_header", "host_path_regex_rewrite_pattern"),
        *("host_path_regex_rewrite_substitution", "timeout", "idle_timeout", "allow_websockets", "allow_spdy"),
        *("allow_upgrades", "tls_skip_verify", "tls_server_name", "tls_downstream_server_name"),
        *("tls_upstream_server_name", "tls_custom_ca", "tls_custom_ca_file", "tls_client_cert", "tls_client_key"),
        *("tls_client_cert_file", "tls_client_key_file", "tls_downstream_client_ca", "tls_downstream_client_ca_file"),
        *("tls_upstream_allow_renegotiation", "set_request_headers", "remove_request_headers"),
        *("preserve_host_header", "pass_identity_headers", "rewrite_response_headers", "set_response_headers"),
        *("kubernetes_service_account_token", "kubernetes_service_account_token_file"),
        *("enable_google_cloud_serverless_authentication", "idp_client_id", "idp_client_secret"),
        *("idp_access_token_allowed_audiences", "bearer_token_format", "jwt_issuer_format"),
        *("load_balancing_policy", "circuit_breaker_thresholds", "outlier_detection", "health_checks"),
        *("healthy_panic_threshold", "mcp", "upstream_tunnel", "session_recording"),
    }
)
"""Every route option Pomerium v0.33.1 reads from `config.yaml`."""

REMOVED_ROUTE_OPTIONS = {
    "allowed_groups": "https://docs.pomerium.com/docs/overview/upgrading#idp-groups-policy",
    "set_authorization_header": "https://www.pomerium.com/docs/deploy/core/upgrading#set-authorization-header",
}
"""Route options Pomerium removed and refuses to start with, and the upgrade note it logs for each."""

_GROUPS_CLAIM_WORDS = ("group", "role")
_FINGERPRINT = re.compile(r"^(?:[0-9a-f]{64}|[0-9A-F]{2}(?::[0-9A-F]{2}){31})$")


@dataclass(frozen=True)
class Problem:
    """One mistake in a route: where (`path` inside the route), what, and how to fix it."""

    path: str
    problem: str
    fix: str


@dataclass(frozen=True)
class Deployment:
    """What a policy meets once deployed: the groups claim in the ID token and where `groups` come from."""

    groups_claim: str | None
    """The claim the groups-claim Action adds (`groupsClaimName`); None when there is none (`groupsClaim: false`)."""
    directory_sync: DirectorySync
    """Which directory sync fills the records `groups` reads (`directorySync`)."""
    pomerium_image: str | None
    """The image this stack deploys; None when Pomerium runs elsewhere (`consumer` other than deployment)."""

    @property
    def enterprise(self) -> bool:
        """Pomerium Enterprise, which knows more criteria than open source."""
        return self.directory_sync is DirectorySync.ENTERPRISE

    def directory_sync_missing(self) -> str | None:
        """Why no directory record can ever exist for a user here, or None when one can."""
        if self.directory_sync is DirectorySync.OFF:
            return "this stack has no directory sync (directorySync: off)"
        version = open_source_version(self.pomerium_image)
        if self.directory_sync is DirectorySync.LEGACY and version and not has_directory_sync(self.pomerium_image):
            return f"open-source Pomerium v{version[0]}.{version[1]} ({self.pomerium_image}) has no directory sync"
        return None


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word.replace("-", "_").lower(), choices, n=1, cutoff=0.7)
    return f"did you mean {close[0]}? " if close else ""


def looks_like_groups_claim(name: str) -> bool:
    """A claim a user means to hold roles or groups: its name contains `group` or `role`, in any case."""
    return any(word in name.lower() for word in _GROUPS_CLAIM_WORDS)


class _Walker:
    """Walks one policy, collecting every problem instead of stopping at the first."""

    def __init__(self, deployment: Deployment | None) -> None:
        self.deployment = deployment
        self.problems: list[Problem] = []

    def add(self, path: str, problem: str, fix: str) -> None:
        self.problems.append(Problem(path, problem, fix))

    def unknown(self, path: str, word: object, what: str, choices: Sequence[str]) -> None:
        """`word` is not one of `choices`: name it, suggest the closest, list them all."""
        self.add(path, f"{word!r} is not {what}", f"{_did_you_mean(str(word), choices)}valid: {', '.join(choices)}")

    def policy(self, path: str, value: object) -> None:
        if isinstance(value, Mapping):
            self.rules(path, value)
        elif isinstance(value, list):
            for index, rules in enumerate(value):
                if isinstance(rules, Mapping):
                    self.rules(f"{path}[{index}]", rules)
                else:
                    self.add(f"{path}[{index}]", f"{rules!r} is not a rule", "each rule is {allow: {...}}")
        else:
            self.add(path, f"{value!r} is not a policy", "give a list of rules, e.g. [{allow: {or: [...]}}]")

    def rules(self, path: str, rules: Mapping[object, object]) -> None:
        for action, body in rules.items():
            where = f"{path}.{action}"
            if action not in ACTIONS:
                self.unknown(where, action, "an action", ACTIONS)
            elif not isinstance(body, Mapping):
                self.add(where, f"{body!r} is not a rule body", "give operators, e.g. {or: [criteria]}")
            else:
                self.rule_body(where, body)

    def rule_body(self, path: str, body: Mapping[object, object]) -> None:
        for operator, criteria in body.items():
            where = f"{path}.{operator}"
            if operator in TOLERATED_RULE_KEYS:
                continue
            if str(operator).split("/")[0] in CRITERIA:
                self.add(where, f"{operator!r} is a criterion", "a criterion sits in a list: or: [{...}]")
            elif operator not in OPERATORS:
                self.unknown(where, operator, "an operator", OPERATORS)
            elif not isinstance(criteria, list):
                self.add(where, f"{criteria!r} is not a list of criteria", f"write {operator}: [{{...}}, ...]")
            else:
                for index, criterion in enumerate(criteria):
                    self.criterion(f"{where}[{index}]", criterion)

    def criterion(self, path: str, criterion: object) -> None:
        if not isinstance(criterion, Mapping) or len(criterion) != 1:
            self.add(path, f"{criterion!r} is not one criterion", "each criterion is a mapping with one key")
            return
        ((key, data),) = criterion.items()
        name, slash, sub_path = str(key).partition("/")
        if name in OPERATORS:
            self.add(
                path,
                f"{key!r} nests an operator inside an operator, which Pomerium reads as an unknown criterion",
                "operators hold criteria only: give each combination its own rule in the policy list "
                "(allow rules are or-ed), e.g. [{allow: {and: [...]}}, {allow: {and: [...]}}]",
            )
        elif name in ENTERPRISE_CRITERIA:
            if self.deployment and not self.deployment.enterprise:
                self.add(
                    path,
                    f"{key!r} is a Pomerium Enterprise criterion; open-source Pomerium {POMERIUM_VERSION} "
                    "refuses it as unknown",
                    "use it only with Pomerium Enterprise (directorySync: enterprise), or an open-source criterion",
                )
        elif name not in CRITERIA:
            self.unknown(path, key, f"a criterion Pomerium {POMERIUM_VERSION} knows", sorted(CRITERIA))
        elif name == CLAIM:
            self.claim(path, sub_path, data)
        elif slash:
            self.add(path, f"{key!r}: only claim/<name> takes a sub-path", f"write {name}: ...")
        else:
            self.data(f"{path}.{name}", name, CRITERIA[name], data)
            if name == "groups":
                self.groups(path)

    def claim(self, path: str, claim: str, data: object) -> None:
        if not claim:
            self.add(path, "claim needs the claim's name", "write claim/<claim name>, e.g. claim/email")
            return
        self.data(f"{path}.claim/{claim}", f"claim/{claim}", DataType.STRING_LIST_MATCHER, data)
        deployment = self.deployment
        if deployment is None or not looks_like_groups_claim(claim) or claim == deployment.groups_claim:
            return
        if deployment.groups_claim is None:
            self.add(
                path,
                f"'claim/{claim}': this stack puts no groups claim in the ID token (groupsClaim: false), "
                "so it never matches and every request is denied",
                "set groupsClaim: true and match claim/<groupsClaimName>, or match on a claim the token carries",
            )
        else:
            self.add(
                path,
                f"'claim/{claim}' is not the groups claim this stack puts in the ID token, "
                f"so it never matches and every request is denied",
                f"use claim/{deployment.groups_claim} (groupsClaimName)",
            )

    def groups(self, path: str) -> None:
        deployment = self.deployment
        missing = deployment and deployment.directory_sync_missing()
        if not deployment or not missing:
            return
        fix = (
            f"match the ID-token claim instead: claim/{deployment.groups_claim}"
            if deployment.groups_claim
            else "set groupsClaim: true and match the ID-token claim instead: claim/<groupsClaimName>"
        )
        self.add(
            path,
            f"'groups' matches directory-sync records, and {missing}: every request is denied",
            fix,
        )

    def data(self, path: str, name: str, data_type: DataType, data: object) -> None:
        _DATA_CHECKS[data_type](self, path, name, data)

    def string_matcher(self, path: str, name: str, data: object) -> None:
        self.matcher(path, name, data, STRING_MATCHER_OPERATORS, "is", "in: [...]")

    def string_list_matcher(self, path: str, name: str, data: object) -> None:
        self.matcher(path, name, data, STRING_LIST_MATCHER_OPERATORS, "has", "one criterion per value under or")

    def matcher(self, path: str, name: str, data: object, operators: Sequence[str], implied: str, many: str) -> None:
        """A bare value means `implied`; an object maps operators to values."""
        if not isinstance(data, Mapping):
            self.scalar(path, name, implied, data, many)
            return
        if not data:
            self.add(
                path, f"{name} {{}}: an empty matcher matches every value", f"give an operator: {', '.join(operators)}"
            )
        for operator, value in data.items():
            if operator not in operators:
                self.unknown(f"{path}.{operator}", operator, f"an operator of {name}", operators)
            elif operator in LIST_OPERATORS:
                if not isinstance(value, list) or not all(_is_scalar(item) for item in value):
                    self.add(f"{path}.{operator}", f"{value!r} is not a list of values", f"write {operator}: [a, b]")
            else:
                self.scalar(f"{path}.{operator}", name, str(operator), value, many)

    def scalar(self, path: str, name: str, operator: str, value: object, many: str) -> None:
        if isinstance(value, list):
            self.add(
                path,
                f"{name} {operator} {value!r}: a list is compared as one value, so it never matches",
                f"to match any of several values use {many}",
            )
        elif not _is_scalar(value):
            self.add(path, f"{name} {operator} {value!r} is not a value to compare", "give a string")

    def certificate_matcher(self, path: str, name: str, data: object) -> None:
        if not isinstance(data, Mapping) or not data:
            self.add(
                path,
                f"{data!r} is not a certificate matcher",
                f"give one of {', '.join(CERTIFICATE_MATCHER_KEYS)}",
            )
            return
        for key, value in data.items():
            where = f"{path}.{key}"
            if key == "fingerprint":
                self.strings(
                    where,
                    value,
                    _FINGERPRINT.match,
                    "a SHA-256 fingerprint (64 hex digits, or 32 colon-separated bytes)",
                )
            elif key == "spki_hash":
                self.strings(where, value, _is_base64_sha256, "base64 of a SHA-256 hash")
            elif key in CERTIFICATE_MATCHER_KEYS:
                self.string_matcher(where, str(key), value)
            else:
                self.unknown(where, key, "a certificate matcher condition", CERTIFICATE_MATCHER_KEYS)

    def device_matcher(self, path: str, name: str, data: object) -> None:
        if not isinstance(data, Mapping):
            self.add(path, f"{data!r} is not a device matcher", "give e.g. {type: any} or {is: <device id>}")
            return
        for key, value in data.items():
            where = f"{path}.{key}"
            if key not in DEVICE_MATCHER_KEYS:
                self.unknown(where, key, "a device matcher field", DEVICE_MATCHER_KEYS)
            elif key != "approved" and not isinstance(value, str):
                self.add(where, f"{value!r} is not a string", f"give {key} as a string")

    def ip_addresses(self, path: str, name: str, data: object) -> None:
        self.strings(path, data, _is_ip_or_network, "an IP address or CIDR range")

    def ssh_keys(self, path: str, name: str, data: object) -> None:
        self.strings(path, data, bool, "an SSH public key")

    def claim_name(self, path: str, name: str, data: object) -> None:
        if not isinstance(data, str) or not data:
            self.add(path, f"{data!r} is not a claim name", f"give the claim's name, e.g. {name}: email")

    def unused(self, path: str, name: str, data: object) -> None:
        """Pomerium ignores the value (`true` by convention)."""

    def strings(self, path: str, data: object, valid: Callable[[str], object], what: str) -> None:
        """A string or a list of strings, each `valid`."""
        items = data if isinstance(data, list) else [data]
        for item in items:
            if not isinstance(item, str) or not valid(item):
                self.add(path, f"{item!r} is not {what}", f"give {what}, or a list of them")


_DATA_CHECKS: dict[DataType, Callable[[_Walker, str, str, object], None]] = {
    DataType.STRING_MATCHER: _Walker.string_matcher,
    DataType.STRING_LIST_MATCHER: _Walker.string_list_matcher,
    DataType.CERTIFICATE_MATCHER: _Walker.certificate_matcher,
    DataType.DEVICE_MATCHER: _Walker.device_matcher,
    DataType.IP_ADDRESSES: _Walker.ip_addresses,
    DataType.SSH_KEYS: _Walker.ssh_keys,
    DataType.CLAIM_NAME: _Walker.claim_name,
    DataType.UNUSED: _Walker.unused,
}


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))


def _is_ip_or_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _is_base64_sha256(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def policy_problems(policy: object, deployment: Deployment | None = None) -> list[Problem]:
    """Every problem of one route's `policy`, paths starting at `policy`; cross-checked when `deployment` is known."""
    walker = _Walker(deployment)
    walker.policy("policy", policy)
    return walker.problems


def route_option_problems(route: Mapping[object, object]) -> list[Problem]:
    """Route keys Pomerium does not read (it only logs them) or refuses to start with."""
    problems = []
    for option in route:
        name = str(option)
        if name in REMOVED_ROUTE_OPTIONS:
            problems.append(
                Problem(
                    name,
                    f"{name} was removed from Pomerium, which refuses to start with it",
                    f"see {REMOVED_ROUTE_OPTIONS[name]}"
                    + (
                        "; match groups in `policy` instead, e.g. claim/<groupsClaimName>"
                        if name == "allowed_groups"
                        else ""
                    ),
                )
            )
        elif name not in ROUTE_OPTIONS:
            problems.append(
                Problem(
                    name,
                    f"{name!r} is not a Pomerium {POMERIUM_VERSION} route option (Pomerium would ignore it)",
                    f"{_did_you_mean(name, sorted(ROUTE_OPTIONS))}docs/route-policies.md lists every option",
                )
            )
    return problems
