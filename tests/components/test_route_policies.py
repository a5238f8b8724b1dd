"""Route policies are held to Pomerium's policy language and to this stack's claim and directory sync.

Every bad policy below passed `pulumi preview` before, and then Pomerium either refused it
("unknown policy criterion") or denied every request. Each must now stop the program before any
resource is registered, naming the route, the path inside its policy, the bad value and the fix.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pomerium_auth0 import InputError, InputErrors, Pomerium
from pomerium_auth0.domain.policy_language import (
    CRITERIA,
    ENTERPRISE_CRITERIA,
    POMERIUM_VERSION,
    REMOVED_ROUTE_OPTIONS,
    ROUTE_OPTIONS,
)

from tests.conftest import stack_config
from tests.harness import ROOT, new_engine

KEY = "pomerium-auth0:routes"
UPSTREAM = {"from": "https://app.example.com", "to": "http://app.default.svc.cluster.local:8080"}


def route(policy: Any = None, **options: Any) -> dict[str, Any]:
    return {**UPSTREAM, **({} if policy is None else {"policy": policy}), **options}


def allow_or(*criteria: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"allow": {"or": list(criteria)}}]


def run(routes: list[dict[str, Any]], **config: str) -> list[InputError]:
    """The errors of the stack program with these routes; asserts nothing was registered."""
    engine = new_engine(config=stack_config(routes=json.dumps(routes), **config))
    try:
        engine.run_stack_program()
    except InputErrors as raised:
        assert engine.registrations == [], "nothing may be registered when a route is invalid"
        return raised.errors
    return []


def only_error(routes: list[dict[str, Any]], **config: str) -> InputError:
    errors = run(routes, **config)
    assert len(errors) == 1, errors
    return errors[0]


OFF = {"directorySync": "off"}
BAD_POLICIES = [
    # (id, route, config, path inside route 0, bad value shown, words of problem or fix)
    ("groups-without-directory-sync", route(allow_or({"groups": "admins"})), OFF,
     "policy[0].allow.or[0]", "'groups'", "claim/pomerium.io/groups"),
    ("groups-on-open-source-v0.33", route(allow_or({"groups": "admins"})), {},
     "policy[0].allow.or[0]", "'groups'", "open-source Pomerium v0.33"),
    ("groups-claim-singular", route(allow_or({"claim/pomerium.io/group": "admins"})), OFF,
     "policy[0].allow.or[0]", "claim/pomerium.io/group'", "use claim/pomerium.io/groups"),
    ("default-claim-on-renamed-claim", route(allow_or({"claim/pomerium.io/groups": "admins"})),
     {"groupsClaimName": "https://acme.example/roles"},
     "policy[0].allow.or[0]", "claim/pomerium.io/groups'", "use claim/https://acme.example/roles"),
    ("roles-claim-without-groups-claim", route(allow_or({"claim/https://acme.example/roles": "admins"})),
     {"groupsClaim": "false"},
     "policy[0].allow.or[0]", "claim/https://acme.example/roles'", "groupsClaim: false"),
    ("misspelt-criterion", route(allow_or({"emial": "alice@example.com"})), {},
     "policy[0].allow.or[0]", "'emial'", "did you mean email?"),
    ("dashed-criterion", route(allow_or({"authenticated-user": True})), {},
     "policy[0].allow.or[0]", "'authenticated-user'", "did you mean authenticated_user?"),
    ("nested-operator", route(allow_or({"and": [{"email": "a@example.com"}]})), {},
     "policy[0].allow.or[0]", "'and'", "operators hold criteria only"),
    ("unknown-operator", route([{"allow": {"xor": [{"email": "a@example.com"}]}}]), {},
     "policy[0].allow.xor", "'xor'", "did you mean or?"),
    ("unknown-action", route([{"permit": {"or": [{"accept": True}]}}]), {},
     "policy[0].permit", "'permit'", "allow, deny"),
    ("criterion-as-operator", route({"allow": {"email": "a@example.com"}}), {},
     "policy.allow.email", "'email'", "a criterion sits in a list"),
    ("criteria-not-a-list", route({"allow": {"or": {"email": "a@example.com"}}}), {},
     "policy.allow.or", "{'email': 'a@example.com'}", "write or: [{...}, ...]"),
    ("two-keys-in-one-criterion", route(allow_or({"email": "a@example.com", "domain": "example.com"})), {},
     "policy[0].allow.or[0]", "'domain': 'example.com'", "one key"),
    ("string-matcher-operator-misspelt", route(allow_or({"email": {"starts": "admin@"}})), {},
     "policy[0].allow.or[0].email.starts", "'starts'", "did you mean starts_with?"),
    ("list-matcher-operator-of-string-matcher", route(allow_or({"claim/pomerium.io/groups": {"in": ["a"]}})), {},
     "policy[0].allow.or[0].claim/pomerium.io/groups.in", "'in'", "exclude, has, is"),
    ("list-for-a-claim", route(allow_or({"claim/pomerium.io/groups": ["admins", "developers"]})), {},
     "policy[0].allow.or[0].claim/pomerium.io/groups", "['admins', 'developers']", "one criterion per value"),
    ("list-for-an-email", route(allow_or({"email": ["a@example.com", "b@example.com"]})), {},
     "policy[0].allow.or[0].email", "['a@example.com', 'b@example.com']", "in: [...]"),
    ("in-without-a-list", route(allow_or({"email": {"in": "a@example.com"}})), {},
     "policy[0].allow.or[0].email.in", "'a@example.com'", "write in: [a, b]"),
    ("empty-matcher-matches-all", route(allow_or({"domain": {}})), {},
     "policy[0].allow.or[0].domain", "{}", "matches every value"),
    ("bad-cidr", route(allow_or({"source_ip": ["10.0.0.0/8", "10.1.0.0/33"]})), {},
     "policy[0].allow.or[0].source_ip", "'10.1.0.0/33'", "CIDR"),
    ("bad-fingerprint", route(allow_or({"client_certificate": {"fingerprint": "17:85:92"}})), {},
     "policy[0].allow.or[0].client_certificate.fingerprint", "'17:85:92'", "SHA-256 fingerprint"),
    ("device-matcher-field", route(allow_or({"device": {"kind": "any"}})), {},
     "policy[0].allow.or[0].device.kind", "'kind'", "approved, is, type"),
    ("claim-without-name", route(allow_or({"claim": "admins"})), {},
     "policy[0].allow.or[0]", "claim", "claim/<claim name>"),
    ("sub-path-on-email", route(allow_or({"email/primary": "a@example.com"})), {},
     "policy[0].allow.or[0]", "'email/primary'", "only claim/<name>"),
    ("enterprise-criterion-on-open-source", route(allow_or({"day_of_week": "mon-fri"})), {},
     "policy[0].allow.or[0]", "'day_of_week'", "Pomerium Enterprise"),
    ("policy-not-rules", route("allow"), {}, "policy", "'allow'", "list of rules"),
    ("misspelt-route-option", route(allow_or({"accept": True}), alow_websockets=True), {},
     "alow_websockets", "'alow_websockets'", "did you mean allow_websockets?"),
    ("removed-route-option", route(allow_or({"accept": True}), allowed_groups=["admins"]), {},
     "allowed_groups", "allowed_groups", "refuses to start"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("bad_route", "config", "path", "shown", "words"),
    [case[1:] for case in BAD_POLICIES],
    ids=[case[0] for case in BAD_POLICIES],
)
def test_bad_policy_stops_preview_naming_route_path_value_and_fix(
    bad_route: dict[str, Any], config: dict[str, str], path: str, shown: str, words: str
) -> None:
    good = route(allow_or({"email": {"ends_with": "@example.com"}}))
    error = only_error([good, bad_route], **config)
    assert error.key == f"{KEY}[1].{path}"
    assert shown in error.problem
    assert words in str(error)
    assert "Fix:" in str(error)


def test_every_problem_of_every_route_is_reported_at_once() -> None:
    routes = [
        route(allow_or({"emial": "a@example.com"}, {"groups": "admins"}), alow_websockets=True),
        route(allow_or({"claim/pomerium.io/group": "admins"})),
        {"from": "http://app.example.com", "to": "http://app:8080"},
    ]
    errors = run(routes, **OFF)
    assert [error.key for error in errors] == [
        f"{KEY}[0].alow_websockets",
        f"{KEY}[0].policy[0].allow.or[0]",
        f"{KEY}[0].policy[0].allow.or[1]",
        f"{KEY}[1].policy[0].allow.or[0]",
        f"{KEY}[2]",
    ]


def test_other_settings_errors_are_listed_with_the_route_errors() -> None:
    errors = run([route(allow_or({"emial": "a@example.com"}))], namespace="Bad_Namespace")
    assert [error.key for error in errors] == ["pomerium-auth0:namespace", f"{KEY}[0].policy[0].allow.or[0]"]


# Valid policies, one per form Pomerium's documentation shows. We wrote the values; the forms are from
# pomerium/documentation `content/docs/internals/ppl.mdx` (section named in each id) and, for the
# groups claim, this README's "Which Pomerium reads what".
VALID_POLICIES = {
    "at-a-glance: allow and, deny or": {
        "allow": {"and": [{"domain": {"is": "corp.example"}}]},
        "deny": {"or": [{"email": {"is": "mallory@corp.example"}}, {"email": {"is": "trudy@corp.example"}}]},
    },
    "multiple operators in a rule": {
        "allow": {"and": [{"claim/family_name": "Doe"}], "or": [{"domain": {"is": "a.example"}}]}
    },
    "multiple allow blocks": [
        {"allow": {"and": [{"claim/family_name": "Doe"}]}},
        {"allow": {"or": [{"domain": {"is": "a.example"}}, {"domain": {"is": "b.example"}}]}},
    ],
    "criteria: deny not http_method": {"deny": {"not": [{"http_method": {"is": "GET"}}]}},
    "logical operators: nor": {"allow": {"nor": [{"domain": {"is": "a.example"}}, {"claim/pomerium.io/groups": "x"}]}},
    "certificate matcher: san_email": {
        "allow": {
            "and": [{"authenticated_user": True}, {"client_certificate": {"san_email": {"ends_with": "@a.example"}}}]
        }
    },
    "certificate matcher: fingerprint, short and long": {
        "allow": {
            "or": [
                {"client_certificate": {"fingerprint": "ab" * 32}},
                {"client_certificate": {"fingerprint": ":".join(["AB"] * 32)}},
            ]
        }
    },
    "certificate matcher: spki_hash list": {
        "allow": {"and": [{"client_certificate": {"spki_hash": ["A" * 43 + "=", "B" * 43 + "="]}}]}
    },
    "device matcher: type and is": [
        {"allow": {"or": [{"device": {"type": "any"}}]}},
        {"allow": {"or": [{"device": {"is": "device-1"}}, {"device": {"approved": True}}]}},
    ],
    "string matcher: starts_with, in": {
        "allow": {"and": [{"email": {"starts_with": "ops@"}}, {"email": {"in": ["a@a.example", "b@a.example"]}}]}
    },
    "string matcher: deny not_in mcp_tool": {"deny": {"and": [{"mcp_tool": {"not_in": ["search", "fetch"]}}]}},
    "string matcher: bare number and boolean": {"allow": {"or": [{"user": 42}, {"claim/email_verified": True}]}},
    "string list matcher: has": {"allow": {"and": [{"claim/pomerium.io/groups": {"has": "developers"}}]}},
    "supported criteria: source_ip, accept, reject, cors_preflight": [
        {"allow": {"or": [{"source_ip": ["192.0.2.0/24", "2001:db8::1"]}, {"cors_preflight": True}]}},
        {"deny": {"or": [{"reject": True}, {"invalid_client_certificate": True}]}},
        {"allow": {"or": [{"accept": True}]}},
    ],
    "supported criteria: user, http_path": {"allow": {"and": [{"user": {"is": "auth0|1"}}, {"http_path": "/x"}]}},
    "groups claim of this stack": [{"allow": {"or": [{"claim/pomerium.io/groups": "developers"}]}}],
}


@pytest.mark.parametrize("policy", list(VALID_POLICIES.values()), ids=list(VALID_POLICIES))
def test_policies_in_the_forms_pomeriums_documentation_shows_are_accepted(policy: Any) -> None:
    assert run([route(policy)]) == []


@pytest.mark.parametrize(
    ("config", "policy"),
    [
        ({"directorySync": "legacy", "pomeriumImage": "pomerium/pomerium:v0.19.1"}, {"groups": "admins"}),
        ({"directorySync": "legacy", "deployPomerium": "false"}, {"groups": "admins"}),
        ({"directorySync": "enterprise"}, {"groups": {"has": "admins"}}),
        ({"directorySync": "enterprise"}, {"day_of_week": "mon-fri"}),
        ({"groupsClaimName": "https://acme.example/roles"}, {"claim/https://acme.example/roles": "admins"}),
        ({"groupsClaim": "false"}, {"claim/email": "a@example.com"}),
    ],
    ids=["groups-v0.19", "groups-own-pomerium", "groups-enterprise", "enterprise-criterion", "own-claim", "email"],
)
def test_what_the_stack_provides_is_accepted(config: dict[str, str], policy: dict[str, Any]) -> None:
    assert run([route(allow_or(policy))], **config) == []


def build_pomerium(routes: list[dict[str, Any]]) -> None:
    args = {
        "authenticate_service_url": "https://authenticate.example.com",
        "namespace": "pomerium",
        "idp_secret_name": "pomerium-idp",
        "idp_secret_checksum": "0" * 64,
        "routes": routes,
    }
    Pomerium("pomerium", args)  # type: ignore[arg-type]


def test_the_component_checks_the_policy_language_of_its_routes_before_registering() -> None:
    engine = new_engine()
    with pytest.raises(InputErrors) as raised:
        engine.run(lambda: build_pomerium([route(allow_or({"emial": "a@example.com"}, {"or": []}))]))
    assert [error.key for error in raised.value.errors] == [
        "PomeriumArgs.routes[0].policy[0].allow.or[0]",
        "PomeriumArgs.routes[0].policy[0].allow.or[1]",
    ]
    assert engine.registrations == []


def test_the_component_alone_does_not_know_the_stacks_claim_and_leaves_that_to_the_pack() -> None:
    engine = new_engine()
    engine.run(lambda: build_pomerium([route(allow_or({"groups": "admins"}, {"claim/roles": "admins"}))]))
    assert engine.registrations


def test_the_reference_page_lists_every_criterion_and_route_option_and_the_version() -> None:
    page = (ROOT / "docs" / "route-policies.md").read_text()
    named = set(re.findall(r"`([a-z_]+)", page))
    known = set(CRITERIA) | ENTERPRISE_CRITERIA | ROUTE_OPTIONS | set(REMOVED_ROUTE_OPTIONS)
    assert known - named == set()
    assert POMERIUM_VERSION in page
