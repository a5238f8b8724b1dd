"""The sandbox Auth0 tenant answers like Auth0 over real HTTPS: tokens, scopes, state, errors and its request log."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from sandbox.auth0_tenant.faults import FaultPlan
from sandbox.auth0_tenant.management.scopes import (
    CLIENT_FIELDS_ANY_SCOPE,
    CLIENT_KEY_FIELDS,
    CLIENT_SETTINGS_FIELDS,
    ENDPOINTS,
    INSPECTOR_SCOPES,
    Endpoint,
    client_field_read_scopes,
)
from sandbox.auth0_tenant.models.seeds import SANDBOX_ROLE_KEY
from sandbox.auth0_tenant.rate_limit import RateLimit
from sandbox.auth0_tenant.server import RunningTenant, start_tenant

REPO = Path(__file__).resolve().parents[2]
ALL_SCOPES = sorted({scope for endpoint in ENDPOINTS for scope in endpoint.scopes})
ACCEPTED_PAST_THE_SCOPE_CHECK = {200, 201, 204, 400, 404, 409}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    """A tiny HTTPS client that trusts only the tenant's CA, so every call also checks the certificate."""

    def __init__(self, tenant: RunningTenant) -> None:
        self.tenant = tenant
        self.context = ssl.create_default_context(cafile=tenant.info.ca_file)
        self._tokens: dict[frozenset[str], str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.tenant.base_url + path, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
                status, payload, reply_headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, payload, reply_headers = error.code, error.read(), dict(error.headers)
        return Reply(status, json.loads(payload) if payload else None, reply_headers)

    def token_request(self, form: dict[str, str], basic: tuple[str, str] | None = None) -> Reply:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if basic is not None:
            # golang.org/x/oauth2 URL-escapes both halves before Basic encoding them.
            pair = f"{quote_plus(basic[0])}:{quote_plus(basic[1])}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return self.request("POST", "/oauth/token", raw=urlencode(form).encode(), headers=headers)

    def token(self, client_id: str, client_secret: str) -> str:
        reply = self.token_request(
            {"grant_type": "client_credentials", "audience": self.tenant.audience},
            basic=(client_id, client_secret),
        )
        assert reply.status == 200, reply.body
        return str(reply.body["access_token"])

    @property
    def bootstrap(self) -> str:
        return self.token(self.tenant.info.bootstrap_client_id, self.tenant.info.bootstrap_client_secret)

    @property
    def inspector(self) -> str:
        return self.token(self.tenant.info.inspector_client_id, self.tenant.info.inspector_client_secret)

    def m2m_client(self, scopes: list[str], secret: str | None = None) -> tuple[str, str]:
        """A new machine-to-machine client granted these Management API scopes."""
        body: dict[str, Any] = {"name": "m2m", "app_type": "non_interactive", "grant_types": ["client_credentials"]}
        if secret is not None:
            body["client_secret"] = secret
        created = self.request("POST", "/api/v2/clients", token=self.bootstrap, body=body)
        assert created.status == 201, created.body
        client_id = created.body["client_id"]
        grant = {"client_id": client_id, "audience": self.tenant.audience, "scope": scopes}
        assert self.request("POST", "/api/v2/client-grants", token=self.bootstrap, body=grant).status == 201
        return client_id, created.body["client_secret"]

    def token_with(self, *scopes: str) -> str:
        """A token carrying exactly these scopes (cached: the tenant keeps tokens for a day)."""
        key = frozenset(scopes)
        if key not in self._tokens:
            self._tokens[key] = self.token(*self.m2m_client(sorted(key)))
        return self._tokens[key]

    def admin(self, method: str, path: str) -> Reply:
        return self.request(method, path, headers={"X-Sandbox-Admin": self.tenant.info.admin_token})


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTenant]:
    with start_tenant(tmp_path_factory.mktemp("tenant")) as running:
        yield running


@pytest.fixture(scope="module")
def api(tenant: RunningTenant) -> Api:
    return Api(tenant)


def assert_auth0_error(reply: Reply, status: int, message: str | None = None) -> None:
    assert reply.status == status
    assert reply.body["statusCode"] == status
    assert isinstance(reply.body["error"], str)
    if message is not None:
        assert reply.body["message"] == message


def create_client(api: Api, **fields: Any) -> dict[str, Any]:
    reply = api.request("POST", "/api/v2/clients", token=api.bootstrap, body={"name": "app", **fields})
    assert reply.status == 201, reply.body
    return dict(reply.body)


# Token endpoint


def test_token_accepts_basic_credentials_url_escaped_like_go_oauth2(api: Api) -> None:
    client_id, secret = api.m2m_client(["read:clients"], secret="s3cr+t/with:odd%chars=")
    reply = api.token_request(
        {"grant_type": "client_credentials", "audience": api.tenant.audience}, basic=(client_id, secret)
    )
    assert reply.status == 200
    assert reply.body["token_type"] == "Bearer"
    assert reply.body["expires_in"] == 86400
    assert reply.body["scope"] == "read:clients"


def test_token_accepts_credentials_in_the_form_body(api: Api) -> None:
    client_id, secret = api.m2m_client(["read:actions", "read:clients"])
    form = {
        "grant_type": "client_credentials",
        "audience": api.tenant.audience,
        "client_id": client_id,
        "client_secret": secret,
    }
    reply = api.token_request(form)
    assert reply.status == 200
    assert set(reply.body["scope"].split()) == {"read:actions", "read:clients"}


@pytest.mark.parametrize("style", ["basic", "form"])
def test_token_refuses_a_wrong_secret(api: Api, style: str) -> None:
    client_id = api.tenant.info.bootstrap_client_id
    form = {"grant_type": "client_credentials", "audience": api.tenant.audience}
    if style == "basic":
        reply = api.token_request(form, basic=(client_id, "wrong"))
    else:
        reply = api.token_request({**form, "client_id": client_id, "client_secret": "wrong"})
    assert reply.status == 401
    assert reply.body == {"error": "access_denied", "error_description": "Unauthorized"}


def test_token_refuses_an_unknown_audience(api: Api) -> None:
    info = api.tenant.info
    reply = api.token_request(
        {"grant_type": "client_credentials", "audience": "https://example.com/api/v2/"},
        basic=(info.bootstrap_client_id, info.bootstrap_client_secret),
    )
    assert reply.status == 403
    assert reply.body["error"] == "access_denied"


def test_token_refuses_a_client_without_a_grant(api: Api) -> None:
    client = create_client(api, app_type="non_interactive", grant_types=["client_credentials"])
    reply = api.token_request(
        {"grant_type": "client_credentials", "audience": api.tenant.audience},
        basic=(client["client_id"], client["client_secret"]),
    )
    assert reply.status == 403
    assert reply.body["error"] == "access_denied"
    assert "client-grant" in reply.body["error_description"]


@pytest.mark.parametrize(
    ("authorization", "message"),
    [(None, "Missing authentication"), ("Bearer not-a-token", "Invalid token")],
)
def test_management_api_needs_a_valid_token(api: Api, authorization: str | None, message: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    reply = api.request("GET", "/api/v2/clients", headers=headers)
    assert_auth0_error(reply, 401, message)


# Scopes


def _sample_path(endpoint: Endpoint) -> str:
    return "/api/v2" + endpoint.template.replace("{trigger_id}", "post-login").replace("{id}", "x").replace(
        "{credential_id}", "x"
    ).replace("{version_id}", "x")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_every_endpoint_refuses_a_token_without_its_scopes(api: Api, endpoint: Endpoint) -> None:
    others = [scope for scope in ALL_SCOPES if scope not in endpoint.scopes]
    reply = api.request(endpoint.method, _sample_path(endpoint), token=api.token_with(*others), body={})
    assert reply.status == 403
    assert reply.body == {
        "statusCode": 403,
        "error": "Forbidden",
        "message": "Insufficient scope, expected any of: " + ", ".join(endpoint.scopes),
        "errorCode": "insufficient_scope",
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_every_endpoint_accepts_each_of_its_scopes(api: Api, endpoint: Endpoint) -> None:
    for scope in endpoint.scopes:
        reply = api.request(endpoint.method, _sample_path(endpoint), token=api.token_with(scope), body={})
        # Past the scope check the handler answers: success, or Auth0's 400/404/409 for the sample's made-up ids
        # and empty body. A 401/403 means the scope was refused; a 5xx (a crash, a 501) is a defect either way.
        assert reply.status in ACCEPTED_PAST_THE_SCOPE_CHECK, (scope, reply.status, reply.body)


# Auth0's field-level read rules for clients and connections

SUMMARY = set(CLIENT_FIELDS_ANY_SCOPE)


def rich_client(api: Api) -> dict[str, Any]:
    """A client holding fields of all three of Auth0's lists, read back whole."""
    created = create_client(
        api,
        app_type="regular_web",
        description="d",
        callbacks=["https://a.example/cb"],
        allowed_logout_urls=["https://a.example/out"],
        initiate_login_uri="https://a.example/login",
        grant_types=["authorization_code", "refresh_token"],
        jwt_configuration={"alg": "RS256"},
        client_metadata={"k": "v"},
        oidc_conformant=True,
        token_endpoint_auth_method="client_secret_post",
    )
    whole: dict[str, Any] = api.request("GET", f"/api/v2/clients/{created['client_id']}", token=api.inspector).body
    return whole


@pytest.mark.parametrize(
    ("scopes", "visible"),
    [
        (("read:client_summary",), "summary"),
        (("read:clients",), "settings"),
        (("read:client_credentials",), "keys"),
        (("read:client_keys",), "all"),
        (("read:clients", "read:client_credentials"), "all"),
    ],
    ids=lambda value: "+".join(value) if isinstance(value, tuple) else value,
)
def test_a_client_read_returns_only_the_fields_its_scopes_may_see(
    api: Api, scopes: tuple[str, ...], visible: str
) -> None:
    whole = rich_client(api)
    assert SUMMARY | {"callbacks", "client_metadata", "grant_types", "client_secret", "signing_keys"} <= set(whole)
    keys = set(whole) & CLIENT_KEY_FIELDS
    expected = {
        "summary": SUMMARY,
        "settings": set(whole) - keys,
        "keys": SUMMARY | keys,
        "all": set(whole),
    }[visible]
    token = api.token_with(*scopes)
    read = api.request("GET", f"/api/v2/clients/{whole['client_id']}", token=token).body
    assert set(read) == expected
    assert read == {key: whole[key] for key in expected}
    assert listed_client(api, token, whole["client_id"]) == read


def listed_client(api: Api, token: str, client_id: str) -> dict[str, Any]:
    """One client as GET /clients lists it, paging until it turns up."""
    page = 0
    while listed := api.request("GET", f"/api/v2/clients?per_page=100&page={page}", token=token).body:
        for client in listed:
            if client["client_id"] == client_id:
                return dict(client)
        page += 1
    raise AssertionError(f"{client_id} is not listed")


def test_every_documented_settings_field_needs_read_clients_or_read_client_keys() -> None:
    """The three lists are disjoint, and a field Auth0 lists nowhere is treated as a settings field."""
    assert not CLIENT_FIELDS_ANY_SCOPE & CLIENT_KEY_FIELDS
    assert not CLIENT_FIELDS_ANY_SCOPE & CLIENT_SETTINGS_FIELDS
    assert not CLIENT_KEY_FIELDS & CLIENT_SETTINGS_FIELDS
    for name in CLIENT_SETTINGS_FIELDS | {"sso_disabled", "cross_origin_authentication"}:
        assert client_field_read_scopes(name) == ("read:clients", "read:client_keys")
    for name in CLIENT_KEY_FIELDS:
        assert client_field_read_scopes(name) == ("read:client_keys", "read:client_credentials")
    assert {name for name in CLIENT_FIELDS_ANY_SCOPE if client_field_read_scopes(name)} == set()


def test_asking_for_a_settings_field_by_name_without_read_clients_is_forbidden(api: Api) -> None:
    client = rich_client(api)
    path = f"/api/v2/clients/{client['client_id']}?fields=callbacks%2Cname&include_fields=true"
    reply = api.request("GET", path, token=api.token_with("read:client_credentials"))
    assert_auth0_error(reply, 403, "You cannot read the following fields: callbacks")
    assert api.request("GET", path, token=api.token_with("read:clients")).body == {
        "callbacks": ["https://a.example/cb"],
        "name": "app",
    }


def test_connection_options_need_read_connections_options(api: Api) -> None:
    (database, *_) = api.request("GET", "/api/v2/connections", token=api.inspector).body
    assert "options" in database
    path = f"/api/v2/connections/{database['id']}"
    without = api.request("GET", path, token=api.token_with("read:connections")).body
    assert without == {key: value for key, value in database.items() if key != "options"}
    listed = api.request("GET", "/api/v2/connections", token=api.token_with("read:connections")).body
    assert all("options" not in connection for connection in listed)
    both = api.token_with("read:connections", "read:connections_options")
    assert api.request("GET", path, token=both).body == database


def test_create_answers_with_the_whole_client_and_patch_with_what_the_token_may_read(api: Api) -> None:
    created = api.request("POST", "/api/v2/clients", token=api.token_with("create:clients"), body={"name": "x"})
    assert {"client_secret", "jwt_configuration", "grant_types"} <= set(created.body)
    path = f"/api/v2/clients/{created.body['client_id']}"
    patched = api.request("PATCH", path, token=api.token_with("update:clients"), body={"callbacks": ["https://b"]})
    assert patched.status == 200
    assert set(patched.body) == SUMMARY & set(created.body)


def test_asking_for_client_secret_by_name_without_the_scope_is_forbidden(api: Api) -> None:
    client = create_client(api)
    path = f"/api/v2/clients/{client['client_id']}?fields=client_secret&include_fields=true"
    reply = api.request("GET", path, token=api.token_with("read:clients"))
    assert_auth0_error(reply, 403, "You cannot read the following fields: client_secret")


def test_create_returns_the_new_secret_even_without_read_client_keys(api: Api) -> None:
    reply = api.request("POST", "/api/v2/clients", token=api.token_with("create:clients"), body={"name": "x"})
    assert reply.status == 201
    assert len(reply.body["client_secret"]) == 64


def test_setting_client_secret_needs_update_client_keys(api: Api) -> None:
    client = create_client(api)
    path = f"/api/v2/clients/{client['client_id']}"
    refused = api.request("PATCH", path, token=api.token_with("update:clients"), body={"client_secret": "new"})
    assert_auth0_error(refused, 403, "Insufficient scope, expected any of: update:client_keys")
    allowed = api.request("PATCH", path, token=api.token_with("update:client_keys"), body={"client_secret": "new"})
    assert allowed.status == 200
    assert api.request("GET", path, token=api.inspector).body["client_secret"] == "new"


def test_rotate_secret_replaces_the_secret_and_the_old_one_stops_working(api: Api) -> None:
    client_id, old_secret = api.m2m_client(["read:clients"])
    reply = api.request("POST", f"/api/v2/clients/{client_id}/rotate-secret", token=api.inspector)
    assert reply.status == 200
    new_secret = reply.body["client_secret"]
    assert new_secret != old_secret
    form = {"grant_type": "client_credentials", "audience": api.tenant.audience}
    assert api.token_request(form, basic=(client_id, old_secret)).status == 401
    assert api.token_request(form, basic=(client_id, new_secret)).status == 200


# Clients


def test_client_crud_reads_back_what_was_written_plus_auth0_defaults(api: Api) -> None:
    created = create_client(
        api,
        app_type="regular_web",
        token_endpoint_auth_method="client_secret_post",
        callbacks=["https://a.example/cb"],
        jwt_configuration={"alg": "RS256"},
        session_transfer={"can_create_session_transfer_token": True},
    )
    path = f"/api/v2/clients/{created['client_id']}"
    read = api.request("GET", path, token=api.inspector).body
    assert read["callbacks"] == ["https://a.example/cb"]
    assert read["token_endpoint_auth_method"] == "client_secret_post"
    assert read["jwt_configuration"] == {"alg": "RS256", "secret_encoded": False, "lifetime_in_seconds": 36000}
    assert read["is_first_party"] is True
    assert read["grant_types"] == ["authorization_code", "implicit", "refresh_token", "client_credentials"]
    assert all(isinstance(v, str) for key in read["signing_keys"] for v in key.values())

    patched = api.request("PATCH", path, token=api.bootstrap, body={"session_transfer": None, "name": "renamed"})
    assert patched.status == 200
    read = api.request("GET", path, token=api.inspector).body
    assert "session_transfer" not in read
    assert read["name"] == "renamed"

    fields = api.request("GET", path + "?fields=client_id%2Capp_type&include_fields=true", token=api.inspector)
    assert set(fields.body) == {"client_id", "app_type", "signing_keys"}

    assert api.request("DELETE", path, token=api.bootstrap).status == 204
    assert_auth0_error(api.request("GET", path, token=api.inspector), 404, "The client does not exist")
    assert_auth0_error(api.request("DELETE", path, token=api.bootstrap), 404)


def test_client_create_refuses_what_auth0_refuses(api: Api) -> None:
    missing_name = api.request("POST", "/api/v2/clients", token=api.bootstrap, body={"app_type": "spa"})
    assert_auth0_error(missing_name, 400)
    unknown = api.request("POST", "/api/v2/clients", token=api.bootstrap, body={"name": "a", "colour": "red"})
    assert_auth0_error(unknown, 400)
    not_json = api.request(
        "POST", "/api/v2/clients", token=api.bootstrap, raw=b"{", headers={"Content-Type": "application/json"}
    )
    assert_auth0_error(not_json, 400)


def test_client_metadata_merges_key_by_key_within_auth0s_limits(api: Api) -> None:
    created = create_client(api, client_metadata={"team": "ops", "pomerium_groups_claim": "pomerium.io/groups"})
    path = f"/api/v2/clients/{created['client_id']}"
    patched = api.request("PATCH", path, token=api.bootstrap, body={"client_metadata": {"team": None, "tier": "1"}})
    assert patched.body["client_metadata"] == {"pomerium_groups_claim": "pomerium.io/groups", "tier": "1"}
    too_long = api.request("PATCH", path, token=api.bootstrap, body={"client_metadata": {"claim": "x" * 256}})
    assert_auth0_error(too_long, 400)
    too_many = {f"key{index}": "v" for index in range(11)}
    assert_auth0_error(api.request("PATCH", path, token=api.bootstrap, body={"client_metadata": too_many}), 400)
    not_text = api.request("PATCH", path, token=api.bootstrap, body={"client_metadata": {"n": 1}})
    assert_auth0_error(not_text, 400)


def test_client_list_pages_like_auth0_and_marks_the_sandbox_clients(api: Api) -> None:
    totals = api.request("GET", "/api/v2/clients?include_totals=true&per_page=1&page=1", token=api.inspector).body
    assert totals["start"] == 1
    assert totals["limit"] == 1
    assert len(totals["clients"]) == 1
    assert totals["total"] >= 2
    checkpoint = api.request("GET", "/api/v2/clients?take=1", token=api.inspector).body
    assert len(checkpoint["clients"]) == 1
    assert "next" in checkpoint
    everything = api.request("GET", "/api/v2/clients?per_page=100", token=api.inspector).body
    roles = {c["client_id"]: c.get("client_metadata", {}).get(SANDBOX_ROLE_KEY) for c in everything}
    assert {cid for cid, role in roles.items() if role} == api.tenant.sandbox_client_ids
    too_many = api.request("GET", "/api/v2/clients?per_page=101", token=api.inspector)
    assert_auth0_error(too_many, 400)


def test_client_credentials_are_a_bare_array(api: Api) -> None:
    client = create_client(api)
    base = f"/api/v2/clients/{client['client_id']}/credentials"
    assert api.request("GET", base + "?include_totals=true&per_page=50", token=api.inspector).body == []
    token = api.token_with("create:client_credentials")
    created = api.request("POST", base, token=token, body={"credential_type": "public_key", "name": "k"})
    assert created.status == 201
    assert created.body["alg"] == "RS256"
    listed = api.request("GET", base, token=api.inspector).body
    assert [c["id"] for c in listed] == [created.body["id"]]
    removed = api.request("DELETE", f"{base}/{created.body['id']}", token=api.token_with("delete:client_credentials"))
    assert removed.status == 204
    assert api.request("GET", f"{base}/{created.body['id']}", token=api.inspector).status == 404


# Client grants


def test_grant_create_read_filter_duplicate_and_delete(api: Api) -> None:
    client = create_client(api, app_type="non_interactive")
    grant = {"client_id": client["client_id"], "audience": api.tenant.audience, "scope": ["read:roles"]}
    created = api.request("POST", "/api/v2/client-grants", token=api.bootstrap, body=grant)
    assert created.status == 201
    assert created.body["subject_type"] == "client"
    path = f"/api/v2/client-grants/{created.body['id']}"
    assert api.request("GET", path, token=api.inspector).body["scope"] == ["read:roles"]

    duplicate = api.request("POST", "/api/v2/client-grants", token=api.bootstrap, body=grant)
    assert_auth0_error(duplicate, 409)

    query = urlencode({"audience": api.tenant.audience, "client_id": client["client_id"], "include_totals": "true"})
    listed = api.request("GET", f"/api/v2/client-grants?{query}", token=api.inspector).body
    assert listed["total"] == 1
    assert [g["id"] for g in listed["client_grants"]] == [created.body["id"]]

    patched = api.request("PATCH", path, token=api.bootstrap, body={"scope": ["read:users"]})
    assert patched.body["scope"] == ["read:users"]
    assert api.request("DELETE", path, token=api.bootstrap).status == 204
    assert_auth0_error(api.request("GET", path, token=api.inspector), 404, "The grant does not exist.")
    # Deleting it again succeeds, as Auth0 answered in terraform-provider-auth0's TestAccClientGrant recording.
    assert api.request("DELETE", path, token=api.bootstrap).status == 204


def test_a_grant_for_an_audience_that_is_no_api_of_the_tenant_is_refused(api: Api) -> None:
    """A custom domain given where the tenant's canonical domain belongs makes such an audience."""
    client = create_client(api, app_type="non_interactive")
    wrong = api.tenant.audience.replace("127.0.0.1", "auth.example.com")
    grant = {"client_id": client["client_id"], "audience": wrong, "scope": ["read:roles"]}
    refused = api.request("POST", "/api/v2/client-grants", token=api.bootstrap, body=grant)
    assert_auth0_error(refused, 404, f"No resource with identifier {wrong}")
    listed = api.request("GET", f"/api/v2/client-grants?client_id={client['client_id']}", token=api.inspector)
    assert listed.body == []


def test_client_defaults_follow_the_auth_method_given_at_create(api: Api) -> None:
    """As recorded: a confidential method means a year-long refresh token; a public one no client_credentials."""
    confidential = create_client(api, token_endpoint_auth_method="client_secret_post")
    public = create_client(api, app_type="spa", token_endpoint_auth_method="none")
    unnamed = create_client(api)
    assert confidential["refresh_token"]["token_lifetime"] == 31557600
    assert confidential["refresh_token"]["idle_token_lifetime"] == 2592000
    assert unnamed["refresh_token"]["token_lifetime"] == public["refresh_token"]["token_lifetime"] == 2592000
    assert unnamed["refresh_token"]["idle_token_lifetime"] == 1296000
    assert "client_credentials" not in public["grant_types"]
    assert "client_credentials" in unnamed["grant_types"]


def test_clearing_the_legacy_backchannel_logout_clears_oidc_logout(api: Api) -> None:
    urls = ["https://app.example.com/backchannel"]
    client = create_client(
        api, oidc_logout={"backchannel_logout_urls": urls, "backchannel_logout_initiators": {"mode": "all"}}
    )
    assert client["oidc_backchannel_logout"] == {"backchannel_logout_urls": urls}
    path = f"/api/v2/clients/{client['client_id']}"
    cleared = api.request("PATCH", path, token=api.bootstrap, body={"oidc_backchannel_logout": None}).body
    assert "oidc_logout" not in cleared
    assert "oidc_backchannel_logout" not in cleared
    emptied = api.request("PATCH", path, token=api.bootstrap, body={"initiate_login_uri": ""}).body
    assert "initiate_login_uri" not in emptied


def test_deleting_a_client_deletes_its_grants(api: Api) -> None:
    client_id, _ = api.m2m_client(["read:clients"])
    assert api.request("DELETE", f"/api/v2/clients/{client_id}", token=api.bootstrap).status == 204
    grants = api.request("GET", f"/api/v2/client-grants?client_id={client_id}", token=api.inspector).body
    assert grants == []


# Actions and bindings


def _action(api: Api, name: str) -> dict[str, Any]:
    body = {
        "name": name,
        "supported_triggers": [{"id": "post-login", "version": "v3"}],
        "code": "exports.onExecutePostLogin = async () => {};",
        "runtime": "node22",
        "secrets": [{"name": "KEY", "value": "hidden"}],
    }
    reply = api.request("POST", "/api/v2/actions/actions", token=api.bootstrap, body=body)
    assert reply.status == 201
    return dict(reply.body)


def test_action_builds_deploys_binds_and_refuses_deletion_while_bound(api: Api) -> None:
    action = _action(api, "claim")
    assert action["status"] == "pending"
    path = f"/api/v2/actions/actions/{action['id']}"
    # The default build (300 ms) answers `building` at least once, as Auth0's do, then `built`.
    statuses = [api.request("GET", path, token=api.inspector).body["status"]]
    while statuses[-1] != "built":
        assert statuses[-1] == "building", statuses
        assert len(statuses) < 50, statuses
        time.sleep(0.05)
        statuses.append(api.request("GET", path, token=api.inspector).body["status"])
    assert statuses[0] == "building"
    built = api.request("GET", path, token=api.inspector).body
    assert built["secrets"][0]["name"] == "KEY"
    assert "value" not in built["secrets"][0]

    bindings = "/api/v2/actions/triggers/post-login/bindings"
    ref = {"ref": {"type": "action_id", "value": action["id"]}, "display_name": "Claim"}
    undeployed = api.request("PATCH", bindings, token=api.bootstrap, body={"bindings": [ref]})
    assert_auth0_error(undeployed, 400)

    version = api.request("POST", path + "/deploy", token=api.bootstrap)
    assert version.status == 200
    assert version.body["number"] == 1
    deployed = api.request("GET", path, token=api.inspector).body
    assert deployed["deployed_version"]["deployed"] is True
    assert deployed["deployed_version"]["id"] == version.body["id"]

    bound = api.request("PATCH", bindings, token=api.bootstrap, body={"bindings": [ref]})
    assert bound.status == 200
    assert bound.body["bindings"][0]["action"]["id"] == action["id"]
    page0 = api.request("GET", bindings + "?page=0&per_page=100", token=api.inspector).body
    assert page0["total"] == 1
    assert page0["bindings"][0]["display_name"] == "Claim"
    # An empty page carries no total: go-auth0's HasNext would otherwise never end the provider's loop.
    assert api.request("GET", bindings + "?page=1&per_page=100", token=api.inspector).body == {
        "bindings": [],
        "page": 1,
        "per_page": 100,
    }

    assert_auth0_error(api.request("DELETE", path, token=api.bootstrap), 409)
    assert api.request("PATCH", bindings, token=api.bootstrap, body={"bindings": []}).body == {"bindings": []}
    assert api.request("DELETE", path, token=api.bootstrap).status == 204
    assert_auth0_error(api.request("GET", path, token=api.inspector), 404, "That action does not exist.")


def test_action_update_needs_a_new_build_and_deploy(api: Api) -> None:
    action = _action(api, "update-me")
    path = f"/api/v2/actions/actions/{action['id']}"
    api.request("POST", path + "/deploy", token=api.bootstrap)
    patched = api.request("PATCH", path, token=api.bootstrap, body={"code": "// v2", "name": "update-me"})
    assert patched.body["status"] == "pending"
    assert patched.body["all_changes_deployed"] is False
    second = api.request("POST", path + "/deploy", token=api.bootstrap).body
    assert second["number"] == 2
    versions = api.request("GET", path + "/versions", token=api.inspector).body["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert [v["deployed"] for v in versions] == [True, False]


def test_force_delete_detaches_a_bound_action(api: Api) -> None:
    action = _action(api, "forced")
    path = f"/api/v2/actions/actions/{action['id']}"
    api.request("POST", path + "/deploy", token=api.bootstrap)
    ref = {"ref": {"type": "action_name", "value": "forced"}}
    bindings = "/api/v2/actions/triggers/post-login/bindings"
    assert api.request("PATCH", bindings, token=api.bootstrap, body={"bindings": [ref]}).status == 200
    assert api.request("DELETE", path + "?force=true", token=api.bootstrap).status == 204
    assert api.request("GET", bindings, token=api.inspector).body["bindings"] == []


# Errors, unknown routes and the request log


# Connections


def test_enabling_a_client_on_a_connection_leaves_the_other_clients_alone(api: Api) -> None:
    connections = api.request("GET", "/api/v2/connections?name=Username-Password-Authentication", token=api.inspector)
    (database,) = connections.body
    assert database["id"].startswith("con_")
    assert database["strategy"] == "auth0"
    clients = f"/api/v2/connections/{database['id']}/clients"
    first, second = create_client(api)["client_id"], create_client(api)["client_id"]
    assert api.request("GET", clients, token=api.inspector).body == {"clients": []}, "a new client gets none"

    for client_id in (first, second):
        enable = [{"client_id": client_id, "status": True}]
        assert api.request("PATCH", clients, token=api.bootstrap, body=enable).status == 204
    api.request("PATCH", clients, token=api.bootstrap, body=[{"client_id": first, "status": False}])
    assert api.request("GET", clients, token=api.inspector).body == {"clients": [{"client_id": second}]}

    api.request("DELETE", f"/api/v2/clients/{second}", token=api.bootstrap)
    assert api.request("GET", clients, token=api.inspector).body == {"clients": []}, "a deleted client is dropped"
    named = api.request("GET", f"/api/v2/connections/{database['id']}?fields=name%2Cstrategy", token=api.inspector)
    # What Auth0 answers such a selection with (recorded): the fields asked for and four it always sends along.
    assert named.body == {
        "id": database["id"],
        "name": "Username-Password-Authentication",
        "strategy": "auth0",
        "is_domain_connection": False,
        "authentication": {"active": True},
        "connected_accounts": {"active": False},
    }


def test_connection_routes_refuse_what_auth0_refuses(api: Api) -> None:
    assert_auth0_error(api.request("GET", "/api/v2/connections/con_missing", token=api.inspector), 404)
    (database, *_) = api.request("GET", "/api/v2/connections", token=api.inspector).body
    clients = f"/api/v2/connections/{database['id']}/clients"
    for body in ([], [{"client_id": "x"}], {"client_id": "x", "status": True}):
        assert_auth0_error(api.request("PATCH", clients, token=api.bootstrap, body=body), 400)
    unknown = [{"client_id": "no-such-client", "status": True}]
    assert_auth0_error(api.request("PATCH", clients, token=api.bootstrap, body=unknown), 404)


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/v2/users"), ("PUT", "/api/v2/clients"), ("GET", "/x")])
def test_unknown_routes_answer_501_naming_method_and_path(api: Api, method: str, path: str) -> None:
    reply = api.request(method, path, token=api.inspector)
    assert_auth0_error(reply, 501)
    assert f"{method} {path}" in reply.body["message"]


def test_request_log_records_method_path_status_and_client(api: Api) -> None:
    before = api.admin("GET", "/__sandbox/requests").body["last_seq"]
    token = api.inspector
    api.request("GET", "/api/v2/clients/missing?fields=name", token=token)
    api.request("GET", "/api/v2/clients", headers={"Authorization": "Bearer nope"})
    entries = api.admin("GET", f"/__sandbox/requests?since={before}").body["requests"]
    assert [(e["seq"], e["method"], e["path"], e["status"], e["client_id"]) for e in entries] == [
        (before + 1, "POST", "/oauth/token", 200, api.tenant.info.inspector_client_id),
        (before + 2, "GET", "/api/v2/clients/missing", 404, api.tenant.info.inspector_client_id),
        (before + 3, "GET", "/api/v2/clients", 401, None),
    ]
    assert entries[1]["query"] == "fields=name"
    lines = Path(api.tenant.info.log_file).read_text().splitlines()
    assert json.loads(lines[-1]) == entries[-1]


def test_no_reader_can_hide_log_entries_from_another(api: Api) -> None:
    """The e2e suite's 501 guard reads from its own baseline while tests read from theirs: the log has no reset."""
    token = api.inspector
    guard = api.admin("GET", "/__sandbox/requests").body["last_seq"]
    api.request("GET", "/api/v2/not-a-route", token=token)
    test = api.admin("GET", "/__sandbox/requests").body["last_seq"]
    api.request("GET", "/api/v2/clients", token=token)
    assert api.admin("POST", "/__sandbox/requests/reset").status == 501
    seen_by_test = api.admin("GET", f"/__sandbox/requests?since={test}").body["requests"]
    seen_by_guard = api.admin("GET", f"/__sandbox/requests?since={guard}").body["requests"]
    assert [(e["path"], e["status"]) for e in seen_by_test] == [("/api/v2/clients", 200)]
    assert [(e["path"], e["status"]) for e in seen_by_guard] == [("/api/v2/not-a-route", 501), ("/api/v2/clients", 200)]


def test_admin_routes_need_the_admin_token(api: Api) -> None:
    reply = api.request("GET", "/__sandbox/requests", headers={"X-Sandbox-Admin": "guess"})
    assert_auth0_error(reply, 401)


def test_the_admin_route_rescopes_a_client_from_its_next_token(api: Api) -> None:
    client_id, secret = api.m2m_client(["read:clients"])
    before = api.token(client_id, secret)
    reply = api.request(
        "PUT",
        f"/__sandbox/client-scopes/{client_id}",
        raw=json.dumps({"scope": ["read:actions"]}).encode(),
        headers={"X-Sandbox-Admin": api.tenant.info.admin_token},
    )
    assert reply.status == 204
    after = api.token(client_id, secret)
    assert api.request("GET", "/api/v2/clients", token=before).status == 200
    assert_auth0_error(api.request("GET", "/api/v2/clients", token=after), 403)
    assert api.request("GET", "/api/v2/actions/actions", token=after).status == 200


def test_inspector_can_read_everything_and_rotate(api: Api) -> None:
    assert set(INSPECTOR_SCOPES) >= {"read:clients", "read:client_keys", "read:connections_options", "read:actions"}
    assert "update:client_keys" in INSPECTOR_SCOPES
    assert not [s for s in INSPECTOR_SCOPES if s.split(":")[0] in ("create", "delete")]
    created = rich_client(api)
    token = api.inspector
    assert created["client_secret"], "the inspector reads client secrets"
    assert created["client_metadata"] == {"k": "v"}
    for path in ("/api/v2/clients", "/api/v2/client-grants", "/api/v2/actions/actions", "/api/v2/connections"):
        assert api.request("GET", path, token=token).status == 200, path
    (connection, *_) = api.request("GET", "/api/v2/connections", token=token).body
    assert "options" in connection
    rotated = api.request("POST", f"/api/v2/clients/{created['client_id']}/rotate-secret", token=token)
    assert rotated.status == 200
    assert rotated.body["client_secret"] not in ("", created["client_secret"])


# Faults, TLS, start-up and the CLI


def test_fault_plan_parses_and_refuses_nonsense() -> None:
    plan = FaultPlan.parse("429=0.2,503=0.1,slow=0.05,seed=7,slow_ms=10")
    assert plan.rates == {"429": 0.2, "503": 0.1, "slow": 0.05}
    assert (plan.seed, plan.slow_seconds) == (7, 0.01)
    for bad in ("429=2", "404=0.1", "429", "429=0.6,503=0.6"):
        with pytest.raises(ValueError, match=r"\S"):
            FaultPlan.parse(bad)


def test_faults_hit_management_routes_only_and_are_logged(tmp_path: Path) -> None:
    with start_tenant(tmp_path, faults=FaultPlan.parse("429=1")) as faulty:
        api = Api(faulty)
        token = api.inspector
        reply = api.request("GET", "/api/v2/clients", token=token)
        assert reply.status == 429
        assert reply.body["statusCode"] == 429
        assert int(reply.headers["X-RateLimit-Reset"]) >= int(time.time())
        assert reply.headers["X-RateLimit-Remaining"] == "0"
        faults = [e["fault"] for e in api.admin("GET", "/__sandbox/requests").body["requests"]]
        assert faults == [None, "429"]


def test_rate_limit_refuses_past_the_burst_with_auth0s_headers_and_spares_the_token_endpoint(tmp_path: Path) -> None:
    with start_tenant(tmp_path, rate_limit=RateLimit(rps=0.01, burst=3), faults=FaultPlan.parse("503=1")) as limited:
        api = Api(limited)
        token = api.inspector  # the token endpoint is the Authentication API: not in the bucket
        replies = [api.request("GET", "/api/v2/clients", token=token) for _ in range(4)]
        assert [reply.status for reply in replies] == [503, 503, 503, 429], "faults draw only for admitted requests"
        assert [reply.headers["X-RateLimit-Remaining"] for reply in replies] == ["2", "1", "0", "0"]
        assert {reply.headers["X-RateLimit-Limit"] for reply in replies} == {"3"}
        assert int(replies[-1].headers["X-RateLimit-Reset"]) >= int(time.time()) + 299  # 3 requests at 0.01/s
        assert replies[-1].body == {
            "statusCode": 429,
            "error": "Too Many Requests",
            "message": "Global limit has been reached",
            "errorCode": "too_many_requests",
        }
        assert api.token_request({"grant_type": "client_credentials"}).status != 429
        listed = [e for e in api.admin("GET", "/__sandbox/requests").body["requests"] if e["path"] == "/api/v2/clients"]
        assert [e["rate_limited"] for e in listed] == [False] * 3 + [True]
        assert [e["fault"] for e in listed] == ["503"] * 3 + [None]
        assert listed[-1]["client_id"] == limited.info.inspector_client_id, "a refused request is still attributed"
        for spec, status in (("rps=1,burst=1", 503), (None, 503)):
            control = api.request(
                "PUT",
                "/__sandbox/rate-limit",
                body={"rate_limit": spec},
                headers={"X-Sandbox-Admin": limited.info.admin_token},
            )
            assert control.status == 204
            after = api.request("GET", "/api/v2/clients", token=token)
            assert after.status == status, "a new bucket starts full; none lets everything through"
            assert ("X-RateLimit-Limit" in after.headers) == (spec is not None)
        refused = api.request(
            "PUT",
            "/__sandbox/rate-limit",
            body={"rate_limit": "rps=x"},
            headers={"X-Sandbox-Admin": limited.info.admin_token},
        )
        assert refused.status == 400
        assert "rate limit key 'rps'" in refused.body["message"]


def test_certificates_suit_go_and_can_be_made_expired(tenant: RunningTenant, tmp_path: Path) -> None:
    leaf = x509.load_pem_x509_certificate((Path(tenant.info.ca_file).parent / "server.pem").read_bytes())
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.IPv4Address("127.0.0.1")]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    now = datetime.datetime.now(datetime.UTC)
    assert leaf.not_valid_before_utc < now < leaf.not_valid_after_utc

    with start_tenant(tmp_path, expired_cert=True) as expired, pytest.raises(urllib.error.URLError, match="expired"):
        Api(expired).request("GET", "/api/v2/clients")


def test_tenant_json_describes_the_running_tenant(tenant: RunningTenant) -> None:
    state = json.loads(tenant.state_file.read_text())
    assert state["domain"] == tenant.domain
    assert state["domain"].startswith("127.0.0.1:")
    assert state["pid"] == os.getpid()
    assert Path(state["ca_file"]).is_absolute()
    assert state["bootstrap_client_id"] == tenant.info.bootstrap_client_id
    assert set(state) >= {"inspector_client_secret", "admin_token", "log_file", "bootstrap_client_secret"}


def test_cli_writes_state_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox.auth0_tenant",
            "--state-dir",
            str(tmp_path),
            "--bootstrap-scopes",
            "read:clients",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        state_file = tmp_path / "tenant.json"
        deadline = time.monotonic() + 8
        while not state_file.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        state = json.loads(state_file.read_text())
        assert state["pid"] == process.pid
        context = ssl.create_default_context(cafile=state["ca_file"])
        form = urlencode(
            {
                "grant_type": "client_credentials",
                "audience": f"https://{state['domain']}/api/v2/",
                "client_id": state["bootstrap_client_id"],
                "client_secret": state["bootstrap_client_secret"],
            }
        ).encode()
        url = f"https://{state['domain']}/oauth/token"
        with urllib.request.urlopen(urllib.request.Request(url, data=form), context=context, timeout=5) as reply:
            assert json.loads(reply.read())["scope"] == "read:clients"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0


def test_path_segments_are_unescaped_like_go_escapes_them(api: Api) -> None:
    reply = api.request("GET", "/api/v2/clients/" + quote("a/b", safe=""), token=api.inspector)
    assert_auth0_error(reply, 404, "The client does not exist")
