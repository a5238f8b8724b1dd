"""A person signs in with what `pulumi up` created: Pomerium's own login, on the real engine.

The relying party (`pomerium-auth0-login`, engine/relyingparty) reads the IdP Secret from the cluster and
signs in with go-oidc and x/oauth2 configured as Pomerium's Auth0 provider configures them; the
directory listing makes Pomerium v0.19's Management API calls with `IDP_SERVICE_ACCOUNT`. Three
stacks are deployed side by side, once, and every assertion reads the result of a real login:

- `owner`: the defaults (`pomerium.io/groups`, its own Action, `directorySync: legacy`), the
  database connection enabled. Its negative controls change the tenant and run last.
- `shared`: a custom claim name, a custom login domain (`https://localhost:<port>`), and
  `groupsClaimAction: shared`, so its claim comes from `owner`'s Action.
- `bare`: `groupsClaim: false`, `directorySync: off`, no `connections`, on a tenant whose
  `enable_client_connections` flag is off.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from e2e.conftest import Sandbox, Stack, StackFactory, side_by_side, touching_bindings
from sandbox.relying_party import LoginError, RelyingParty, StackLogin
from sandbox.tenant_client import TenantClient

DATABASE = "Username-Password-Authentication"
GOOGLE = "google-oauth2"
SHARED_CLAIM = "https://shared.example.com/roles"
AUTHENTICATE_URL = "https://authenticate.sandbox.example.com"
TENANT_SCOPES = ("create:clients", "update:clients", "delete:clients", "update:client_grants", "update:connections")


@dataclass(frozen=True)
class Deployed:
    stack: Stack
    login: StackLogin

    def web_client_id(self) -> str:
        client_id: str = self.stack.outputs()["webClientId"]
        return client_id


@dataclass(frozen=True)
class Logins:
    sandbox: Sandbox
    party: RelyingParty
    admin: TenantClient
    """The tenant as an administrator in the dashboard would change it (out of band)."""
    owner: Deployed
    shared: Deployed
    bare: Deployed

    def seeded(self) -> list[dict[str, Any]]:
        return self.party.seeded_users()

    def user(self, *, roles: bool, connection: str = DATABASE) -> dict[str, Any]:
        return next(u for u in self.seeded() if bool(u["roles"]) == roles and u["connection"] == connection)


@pytest.fixture(scope="module")
def logins(sandbox: Sandbox, new_stack: StackFactory) -> Logins:
    database = sandbox.tenant.connections()[DATABASE]
    lean = {"deployPomerium": "false"}  # the login needs the IdP Secret, not a running Pomerium
    owner = new_stack(connections=[database], **lean)
    port = sandbox.tenant.info["domain"].rsplit(":", 1)[1]
    shared = new_stack(
        connections=[database],
        groupsClaimAction="shared",
        groupsClaimName=SHARED_CLAIM,
        idpProviderUrl=f"https://localhost:{port}",
        **lean,
    )
    bare = new_stack(groupsClaim="false", directorySync="off", **lean)
    runs: dict[str, Callable[[], Any]] = {
        "owner": touching_bindings(partial(owner.run, "up")),
        "shared": partial(shared.run, "up"),
        "bare": partial(bare.run, "up"),
    }
    side_by_side(runs)
    admin = sandbox.tenant.signed_in_as(*sandbox.tenant.new_machine_client("tenant-admin", TENANT_SCOPES))
    party = RelyingParty.in_engine(sandbox.engine, sandbox.directory)
    owner_login, shared_login, bare_login = (
        Deployed(stack, StackLogin.from_stack_file(stack.config_file)) for stack in (owner, shared, bare)
    )
    return Logins(sandbox, party, admin, owner_login, shared_login, bare_login)


def roles_of(user: dict[str, Any]) -> set[str]:
    return set(user["roles"])


def test_a_user_with_roles_gets_exactly_them_in_the_verified_claim_then_refreshes_and_signs_out(
    logins: Logins,
) -> None:
    alice = logins.user(roles=True)
    owner = logins.owner
    result = logins.party.sign_in(owner.login, alice["email"])
    domain = logins.sandbox.tenant.info["domain"]
    assert result["issuer"] == f"https://{domain}/"
    assert result["pkce"] is True
    claims = result["claims"]
    assert (claims["aud"], claims["sub"], claims["email"]) == (owner.web_client_id(), alice["user_id"], alice["email"])
    assert set(result["groups"]) == roles_of(alice)
    assert len(result["groups"]) == len(alice["roles"])
    assert result["userinfo"]["sub"] == alice["user_id"]
    refreshed = result["refreshed_claims"]
    assert (refreshed["sub"], set(refreshed["pomerium.io/groups"])) == (alice["user_id"], roles_of(alice))
    assert result["signed_out"] == f"{AUTHENTICATE_URL}/.pomerium/signed_out"
    # Pomerium's oauth2.Config auto-detects the client authentication on every exchange and refresh:
    # HTTP Basic first, which our client_secret_post application refuses, then the form body.
    assert [(t["grant_type"], t["client_auth"], t["status"]) for t in result["requests"]["token"]] == [
        ("authorization_code", "client_secret_basic", 401),
        ("authorization_code", "client_secret_post", 200),
        ("refresh_token", "client_secret_basic", 401),
        ("refresh_token", "client_secret_post", 200),
    ]
    print(f"\nrequests per login: {json.dumps(result['requests']['by_endpoint'], sort_keys=True)}")
    print(f"wall time: {json.dumps(result['seconds'])}")


def test_a_user_without_roles_gets_an_empty_claim_and_one_with_fewer_roles_only_those(logins: Logins) -> None:
    for user in (u for u in logins.seeded() if u["connection"] == DATABASE):
        result = logins.party.sign_in(logins.owner.login, user["email"], "--skip-refresh")
        assert (user["email"], sorted(result["groups"])) == (user["email"], sorted(user["roles"]))


def test_an_unknown_user_or_a_wrong_password_fails_with_auth0s_message(logins: Logins) -> None:
    alice = logins.user(roles=True)
    for user, password in (("nobody@example.com", None), (alice["email"], "not-the-password")):
        with pytest.raises(LoginError, match="Wrong email or password"):
            logins.party.sign_in(logins.owner.login, user, password=password)


def test_the_enabled_connection_works_and_another_is_refused(logins: Logins) -> None:
    alice = logins.user(roles=True)
    result = logins.party.sign_in(logins.owner.login, alice["email"], "--connection", DATABASE, "--skip-refresh")
    assert result["claims"]["sub"] == alice["user_id"]
    dave = logins.user(roles=True, connection=GOOGLE)
    with pytest.raises(LoginError, match="auth0: callback: invalid_request: the connection is not enabled"):
        logins.party.sign_in(logins.owner.login, dave["email"], "--connection", GOOGLE)


@pytest.fixture
def other_application(logins: Logins) -> Iterator[dict[str, Any]]:
    """A web application some other team runs in the tenant, on the database connection, deleted after."""
    other: dict[str, Any] = logins.admin.api(
        "POST",
        "/clients",
        {
            "name": "other-team-web",
            "app_type": "regular_web",
            "callbacks": [f"{AUTHENTICATE_URL}/oauth2/callback"],
            "allowed_logout_urls": [f"{AUTHENTICATE_URL}/.pomerium/signed_out"],
            "grant_types": ["authorization_code", "refresh_token"],
            "oidc_conformant": True,
        },
    )
    database = logins.sandbox.tenant.connections()[DATABASE]
    logins.admin.api("PATCH", f"/connections/{database}/clients", [{"client_id": other["client_id"], "status": True}])
    yield other
    logins.admin.api("DELETE", f"/clients/{other['client_id']}")  # other tests count a connection's clients


def test_a_login_through_another_application_in_the_tenant_gets_no_claim(
    logins: Logins, other_application: dict[str, Any]
) -> None:
    """The owner's Action runs on every login in the tenant, and must leave other applications alone."""
    owner = logins.owner.login
    secret = {
        "IDP_PROVIDER_URL": f"https://{logins.sandbox.tenant.info['domain']}",
        "IDP_CLIENT_ID": other_application["client_id"],
        "IDP_CLIENT_SECRET": other_application["client_secret"],
    }
    logins.sandbox.kube.request(
        "POST",
        f"/api/v1/namespaces/{owner.namespace}/secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "other-team-idp"},
            "data": {key: base64.b64encode(value.encode()).decode() for key, value in secret.items()},
        },
    )
    other_login = StackLogin(owner.namespace, "other-team-idp", AUTHENTICATE_URL, owner.groups_claim)
    result = logins.party.sign_in(other_login, logins.user(roles=True)["email"], "--skip-refresh")
    assert result["claims"]["aud"] == other_application["client_id"]
    assert result["groups"] is None, result["claims"]


def test_the_shared_claim_on_the_custom_domain_comes_from_the_owners_action(logins: Logins) -> None:
    shared, tenant = logins.shared, logins.sandbox.tenant
    assert shared.stack.objects().actions == []
    alice = logins.user(roles=True)
    result = logins.party.sign_in(shared.login, alice["email"])
    port = tenant.info["domain"].rsplit(":", 1)[1]
    assert result["issuer"] == f"https://localhost:{port}/"
    assert set(result["groups"]) == roles_of(alice)
    assert "pomerium.io/groups" not in result["claims"]
    assert set(result["refreshed_claims"][SHARED_CLAIM]) == roles_of(alice)
    assert set(result["requests"]["by_host"]) == {f"localhost:{port}"}


def expected_directory(logins: Logins) -> dict[str, list[str]]:
    """Role name to member user ids, from the tenant's seeds."""
    names = {role for user in logins.seeded() for role in user["roles"]}
    return {role: sorted(u["user_id"] for u in logins.seeded() if role in u["roles"]) for role in names}


def listed(directory: dict[str, Any]) -> dict[str, list[str]]:
    return {role["name"]: [m["user_id"] for m in role["members"]] for role in directory["roles"]}


def directory_sync_grant(logins: Logins) -> dict[str, Any]:
    m2m = logins.owner.stack.outputs()["directorySyncClientId"]
    return next(g for g in logins.sandbox.tenant.grants() if g["client_id"] == m2m)


def test_legacy_directory_sync_lists_every_role_and_member_with_the_granted_scopes(logins: Logins) -> None:
    domain = logins.sandbox.tenant.info["domain"]
    assert sorted(directory_sync_grant(logins)["scope"]) == ["read:role_members", "read:roles"]
    directory = logins.party.directory(logins.owner.login)
    assert listed(directory) == expected_directory(logins)
    assert directory["management_api"] == f"https://{domain}/api/v2/"
    by_endpoint = directory["requests"]["by_endpoint"]
    assert (by_endpoint["GET /api/v2/roles"], by_endpoint["GET /api/v2/roles/{id}/users"]) == (
        1,
        len(expected_directory(logins)),
    )
    # With a custom login domain the service account names the tenant domain: the Management API
    # is called there, not on the login host.
    on_custom_domain = logins.party.directory(logins.shared.login)
    assert listed(on_custom_domain) == expected_directory(logins)
    assert set(on_custom_domain["requests"]["by_host"]) == {domain}


def test_without_groups_claim_directory_sync_or_connections(logins: Logins) -> None:
    bare, alice = logins.bare, logins.user(roles=True)
    with pytest.raises(LoginError, match="auth0: callback: invalid_request: no connections enabled for the client"):
        logins.party.sign_in(bare.login, alice["email"])
    # Enabled in the tenant by hand (the stack manages no connection), the login works, claim-less.
    database = logins.sandbox.tenant.connections()[DATABASE]
    web = bare.web_client_id()
    logins.admin.api("PATCH", f"/connections/{database}/clients", [{"client_id": web, "status": True}])
    result = logins.party.sign_in(bare.login, alice["email"], "--skip-refresh")
    assert result["groups"] is None, result["claims"]
    with pytest.raises(LoginError, match="no IDP_SERVICE_ACCOUNT"):
        logins.party.directory(bare.login)


def test_negative_controls_each_fail_their_step_with_auth0s_or_go_oidcs_error(logins: Logins) -> None:
    """Out-of-band changes to the owner's applications, in an order where each breaks one more step."""
    owner, admin = logins.owner, logins.admin
    web = owner.web_client_id()
    alice = logins.user(roles=True)["email"]
    sign_in = partial(logins.party.sign_in, owner.login, alice)
    client = logins.sandbox.tenant.client(web)

    elsewhere = "https://elsewhere.example.com"
    with pytest.raises(
        LoginError, match='auth0: /v2/logout 400: invalid_request: The "returnTo" querystring parameter'
    ):
        sign_in("--skip-refresh", "--return-to", f"{elsewhere}/.pomerium/signed_out")

    admin.api("PATCH", f"/clients/{web}", {"callbacks": [f"{elsewhere}/oauth2/callback"]})
    with pytest.raises(LoginError, match="auth0: /authorize 400: unauthorized_client: Callback URL mismatch"):
        sign_in()
    admin.api("PATCH", f"/clients/{web}", {"callbacks": client["callbacks"]})

    admin.api("PATCH", f"/clients/{web}", {"grant_types": ["authorization_code"]})
    with pytest.raises(LoginError, match="refresh: the token response has no refresh_token"):
        sign_in()

    admin.api("PATCH", f"/clients/{web}", {"jwt_configuration": {**client["jwt_configuration"], "alg": "HS256"}})
    with pytest.raises(LoginError, match="go-oidc: oidc: "):
        sign_in()

    grant = directory_sync_grant(logins)
    admin.api("PATCH", f"/client-grants/{grant['id']}", {"scope": ["read:role_members"]})
    with pytest.raises(LoginError, match="403 Forbidden: Insufficient scope, expected any of: read:roles"):
        logins.party.directory(owner.login)
