"""The sandbox tenant's Authentication API runs an OIDC login like Auth0: a whole Pomerium-style login over
real HTTPS, verified with PyJWT against the JWKS, and each refusal with Auth0's error."""

from __future__ import annotations

import base64
import hashlib
import html
import http.client
import json
import re
import secrets
import ssl
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.auth0_tenant.server import RunningTenant, start_tenant

CALLBACK = "https://authenticate.example.test/oauth2/callback"
SIGNED_OUT = "https://authenticate.example.test/.pomerium/signed_out"
SCOPES = "openid profile email offline_access"
ROLES_CLAIM = "https://sandbox.test/roles"
ACTION = """
exports.onExecutePostLogin = async (event, api) => {
  if (event.client.metadata.behaviour === "deny") api.access.deny("no entry for " + event.user.email);
  if (event.client.metadata.behaviour === "throw") throw new Error("the Action broke");
  api.idToken.setCustomClaim("https://sandbox.test/roles", event.authorization.roles);
  api.idToken.setCustomClaim("https://sandbox.test/greeting", event.secrets.GREETING);
  api.idToken.setCustomClaim("https://sandbox.test/protocol", event.transaction.protocol);
  api.idToken.setCustomClaim("https://sandbox.test/client", event.client.name);
  api.idToken.setCustomClaim("iss", "https://forged.example/");
  api.idToken.setCustomClaim("groups", ["restricted"]);
  api.idToken.setCustomClaim("https://tenant.auth0.com/groups", ["reserved namespace"]);
  api.accessToken.setCustomClaim("https://sandbox.test/connection", event.connection.name);
};
"""


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers["Location"]

    def redirect_query(self) -> dict[str, str]:
        assert self.status == 302, (self.status, self.body)
        return {key: values[-1] for key, values in parse_qs(urlsplit(self.location).query).items()}

    def element(self, element_id: str) -> str:
        found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', self.body.decode())
        assert found, self.body.decode()
        return html.unescape(found.group(1))


class Browser:
    """HTTPS with the tenant's CA, no automatic redirects, one keep-alive connection per host."""

    def __init__(self, tenant: RunningTenant, host: str | None = None) -> None:
        self.tenant = tenant
        self.host = host or tenant.domain
        self.context = ssl.create_default_context(cafile=tenant.info.ca_file)
        self._connection: http.client.HTTPSConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        if self._connection is None:
            self._connection = http.client.HTTPSConnection(self.host, context=self.context, timeout=20)
        self._connection.request(method, path, body=body, headers=headers or {})
        response = self._connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, form: dict[str, str], headers: dict[str, str] | None = None) -> Reply:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, urlencode(form).encode(), all_headers)

    def management(self, method: str, path: str, body: Any = None, *, inspector: bool = False) -> Any:
        token = self.token_as("inspector" if inspector else "bootstrap")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        reply = self.request(method, "/api/v2" + path, None if body is None else json.dumps(body).encode(), headers)
        assert reply.status < 300, (reply.status, reply.body)
        return reply.json() if reply.body else None

    def token_as(self, role: str) -> str:
        info = vars(self.tenant.info)
        form = {
            "grant_type": "client_credentials",
            "client_id": info[f"{role}_client_id"],
            "client_secret": info[f"{role}_client_secret"],
            "audience": self.tenant.audience,
        }
        reply = self.post_form("/oauth/token", form)
        assert reply.status == 200, reply.body
        return str(reply.json()["access_token"])


class FormParser(HTMLParser):
    """The login form's action and its inputs, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form" and values.get("method") == "post":
            self.forms.append((values["action"], {}))
        elif tag == "input" and self.forms:
            self.forms[-1][1][values["name"]] = values.get("value", "")


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class App:
    client_id: str
    client_secret: str
    body: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTenant]:
    with start_tenant(tmp_path_factory.mktemp("tenant")) as running:
        browser = Browser(running)
        action = browser.management(
            "POST",
            "/actions/actions",
            {
                "name": "test-claims",
                "supported_triggers": [{"id": "post-login", "version": "v3"}],
                "code": ACTION,
                "secrets": [{"name": "GREETING", "value": "hello from a secret"}],
            },
        )
        browser.management("POST", f"/actions/actions/{action['id']}/deploy")
        # A later draft that is not deployed must not run.
        browser.management("PATCH", f"/actions/actions/{action['id']}", {"code": "throw new Error('draft')"})
        bindings = {"bindings": [{"ref": {"type": "action_id", "value": action["id"]}, "display_name": "claims"}]}
        browser.management("PATCH", "/actions/triggers/post-login/bindings", bindings)
        yield running


@pytest.fixture
def browser(tenant: RunningTenant) -> Browser:
    return Browser(tenant)


def user(tenant: RunningTenant, email: str) -> dict[str, Any]:
    return next(u for u in tenant.info.users if u["email"] == email)


def connection_id(browser: Browser, name: str) -> str:
    return str(next(c["id"] for c in browser.management("GET", "/connections") if c["name"] == name))


def make_app(
    browser: Browser, *, connections: tuple[str, ...] = ("Username-Password-Authentication",), **fields: Any
) -> App:
    body: dict[str, Any] = {
        "name": "pomerium",
        "app_type": "regular_web",
        "callbacks": [CALLBACK],
        "allowed_logout_urls": [SIGNED_OUT],
        "grant_types": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_method": "client_secret_post",
        "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000},
        **fields,
    }
    created = browser.management("POST", "/clients", body)
    for name in connections:
        change = [{"client_id": created["client_id"], "status": True}]
        browser.management("PATCH", f"/connections/{connection_id(browser, name)}/clients", change)
    return App(created["client_id"], created["client_secret"], body)


def authorize_path(app: App, **overrides: str) -> str:
    params = {
        "client_id": app.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": SCOPES,
        "state": "client-state",
        "nonce": "client-nonce",
        **overrides,
    }
    return "/authorize?" + urlencode({k: v for k, v in params.items() if v})


def sign_in(browser: Browser, authorize: str, email: str, password: str) -> Reply:
    """/authorize, the form, and the form's answer (the redirect to the callback, or the form again)."""
    started = browser.get(authorize)
    assert started.status == 302, started.body
    login = started.location
    assert login.startswith("/u/login?state=")
    page = browser.get(login)
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    parser = FormParser()
    parser.feed(page.body.decode())
    assert len(parser.forms) == 1
    action, inputs = parser.forms[0]
    assert action == login
    return browser.post_form(action, {**inputs, "username": email, "password": password})


def login_code(browser: Browser, app: App, email: str = "alice@example.com", **overrides: str) -> str:
    answer = sign_in(browser, authorize_path(app, **overrides), email, user(browser.tenant, email)["password"])
    query = answer.redirect_query()
    assert answer.location.startswith(CALLBACK + "?")
    assert query["state"] == "client-state"
    return query["code"]


def exchange(browser: Browser, app: App, code: str, **extra: str) -> Reply:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        **extra,
    }
    return browser.post_form("/oauth/token", {k: v for k, v in form.items() if v})


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def verify(browser: Browser, id_token: str, app: App, provider: tuple[str, list[Any]] | None = None) -> dict[str, Any]:
    """Verify an ID token as an OIDC client does: the issuer and JWKS (`provider`, else fetched), `kid`, aud."""
    if provider is None:
        issuer = browser.get("/.well-known/openid-configuration").json()["issuer"]
        provider = (issuer, browser.get("/.well-known/jwks.json").json()["keys"])
    issuer, keys = provider
    kid = jwt.get_unverified_header(id_token).get("kid")
    key = jwt.PyJWK(next((k for k in keys if k["kid"] == kid), keys[0]))
    claims: dict[str, Any] = jwt.decode(id_token, key, algorithms=["RS256"], audience=app.client_id, issuer=issuer)
    return claims


def oauth_error(reply: Reply, status: int, error: str, description: str) -> None:
    assert (reply.status, reply.json()) == (status, {"error": error, "error_description": description})


# The whole login


def test_a_whole_pomerium_style_login(tenant: RunningTenant, browser: Browser) -> None:
    app = make_app(browser)
    admin = {"X-Sandbox-Admin": tenant.info.admin_token}
    before = browser.request("GET", "/__sandbox/requests", headers=admin).json()["last_seq"]
    started = time.monotonic()

    discovery = browser.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == f"https://{tenant.domain}/"
    assert discovery["code_challenge_methods_supported"] == ["S256", "plain"]
    assert discovery["end_session_endpoint"] == f"https://{tenant.domain}/oidc/logout"
    jwks = browser.get("/.well-known/jwks.json").json()
    verifier, challenge = pkce()
    path = authorize_path(app, code_challenge=challenge, code_challenge_method="S256")
    alice = user(tenant, "alice@example.com")
    callback = sign_in(browser, path, alice["email"], alice["password"]).redirect_query()
    assert callback["state"] == "client-state"

    # golang.org/x/oauth2's auto-detected style: Basic first, refused for a client_secret_post app ...
    form = {"grant_type": "authorization_code", "code": callback["code"], "redirect_uri": CALLBACK}
    refused = browser.post_form(
        "/oauth/token", {**form, "code_verifier": verifier}, basic(app.client_id, app.client_secret)
    )
    oauth_error(refused, 401, "access_denied", "Unauthorized")
    # ... then the body, which still finds the code unused.
    tokens = exchange(browser, app, callback["code"], code_verifier=verifier)
    assert tokens.status == 200, tokens.body
    assert tokens.headers["Cache-Control"] == "no-store"
    answer = tokens.json()
    assert set(answer) == {"access_token", "id_token", "refresh_token", "scope", "expires_in", "token_type"}
    assert answer["scope"] == SCOPES
    header = jwt.get_unverified_header(answer["id_token"])
    assert (header["alg"], header["kid"]) == ("RS256", jwks["keys"][0]["kid"])
    provider = (discovery["issuer"], jwks["keys"])
    claims = verify(browser, answer["id_token"], app, provider)
    assert claims["iss"] == discovery["issuer"]
    assert claims["sub"] == alice["user_id"]
    assert claims["nonce"] == "client-nonce"
    assert claims["email"] == "alice@example.com"
    assert claims["email_verified"] is True
    assert claims["exp"] - claims["iat"] == 36000
    assert {"name", "nickname", "picture", "updated_at", "sid"} <= set(claims)
    assert claims[ROLES_CLAIM] == ["admins", "developers"]
    assert claims["https://sandbox.test/greeting"] == "hello from a secret"
    assert claims["https://sandbox.test/protocol"] == "oidc-basic-profile"
    # Restricted claims and Auth0's namespaces stay out, and the login goes on.
    assert "groups" not in claims
    assert not [name for name in claims if "auth0.com" in name]
    access = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert access["https://sandbox.test/connection"] == "Username-Password-Authentication"

    refreshed = browser.post_form(
        "/oauth/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": answer["refresh_token"],
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
    )
    assert refreshed.status == 200, refreshed.body
    renewed = refreshed.json()
    assert "refresh_token" not in renewed  # non-rotating: the client keeps its refresh token
    again = verify(browser, renewed["id_token"], app, provider)
    assert again["sub"] == alice["user_id"]
    assert again["sid"] == claims["sid"]
    assert again[ROLES_CLAIM] == ["admins", "developers"]
    assert again["https://sandbox.test/protocol"] == "oauth2-refresh-token"

    profile = browser.get("/userinfo", {"Authorization": f"Bearer {renewed['access_token']}"})
    assert profile.status == 200
    assert profile.json()["sub"] == alice["user_id"]
    assert profile.json()["email"] == "alice@example.com"
    assert profile.json()[ROLES_CLAIM] == ["admins", "developers"]

    signed_out = browser.get("/v2/logout?" + urlencode({"client_id": app.client_id, "returnTo": SIGNED_OUT}))
    assert (signed_out.status, signed_out.location) == (302, SIGNED_OUT)
    elapsed = time.monotonic() - started

    entries = browser.request("GET", f"/__sandbox/requests?since={before}", headers=admin).json()["requests"]
    by_endpoint = Counter(f"{e['method']} {e['path']} {e['status']}" for e in entries)
    print(f"\nrequests per login: {dict(by_endpoint)}; wall time {elapsed:.2f} s")
    assert by_endpoint == {
        "GET /.well-known/openid-configuration 200": 1,
        "GET /.well-known/jwks.json 200": 1,
        "GET /authorize 302": 1,
        "GET /u/login 200": 1,
        "POST /u/login 302": 1,
        "POST /oauth/token 401": 1,
        "POST /oauth/token 200": 2,
        "GET /userinfo 200": 1,
        "GET /v2/logout 302": 1,
    }
    assert {e["client_id"] for e in entries if e["path"] == "/oauth/token"} == {None, app.client_id}


def test_the_custom_domain_is_the_issuer_of_what_comes_in_on_it(tenant: RunningTenant) -> None:
    canonical = Browser(tenant)
    app = make_app(canonical)
    custom = Browser(tenant, tenant.info.custom_domain)
    issuer = f"https://{tenant.info.custom_domain}/"
    discovery = custom.get("/.well-known/openid-configuration").json()
    assert discovery["issuer"] == issuer
    assert discovery["token_endpoint"] == issuer + "oauth/token"
    code = login_code(custom, app)
    answer = exchange(custom, app, code).json()
    assert verify(custom, answer["id_token"], app)["iss"] == issuer
    assert canonical.get("/userinfo", {"Authorization": f"Bearer {answer['access_token']}"}).status == 401
    assert custom.get("/userinfo", {"Authorization": f"Bearer {answer['access_token']}"}).status == 200


def test_the_jwks_key_is_the_certificate_every_client_shows_in_signing_keys(browser: Browser) -> None:
    key = browser.get("/.well-known/jwks.json").json()["keys"][0]
    assert (key["kty"], key["use"], key["alg"], key["e"]) == ("RSA", "sig", "RS256", "AQAB")
    der = base64.b64decode(key["x5c"][0])
    assert key["x5t"] == base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
    certificate = x509.load_der_x509_certificate(der)
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size == 2048
    client = browser.management("GET", "/clients/" + make_app(browser).client_id)
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    assert [k["cert"] for k in client["signing_keys"]] == [pem]


# /authorize refusals


def test_authorize_shows_auth0s_error_page_for_an_unknown_client_or_callback(browser: Browser) -> None:
    app = make_app(browser)
    unknown = browser.get(authorize_path(App("no-such-client", "")))
    assert unknown.status == 400
    assert unknown.headers["Content-Type"].startswith("text/html")
    assert (unknown.element("error"), unknown.element("error_description")) == (
        "invalid_request",
        "Unknown client: no-such-client",
    )
    elsewhere = "https://authenticate.example.test/oauth2/callback/"
    mismatch = browser.get(authorize_path(app, redirect_uri=elsewhere))
    assert mismatch.status == 400
    assert mismatch.element("error") == "unauthorized_client"
    assert mismatch.element("error_description") == (
        f"Callback URL mismatch. {elsewhere} is not in the list of allowed callback URLs"
    )


@pytest.mark.parametrize(
    ("fields", "connections", "overrides", "error", "description"),
    [
        (
            {"grant_types": ["refresh_token"]},
            ("Username-Password-Authentication",),
            {},
            "unauthorized_client",
            "Grant type 'authorization_code' not allowed for the client.",
        ),
        ({}, (), {}, "invalid_request", "no connections enabled for the client"),
        (
            {},
            ("Username-Password-Authentication",),
            {"connection": "google-oauth2"},
            "invalid_request",
            "the connection is not enabled",
        ),
        (
            {},
            ("Username-Password-Authentication",),
            {"response_type": "magic"},
            "unsupported_response_type",
            "Unsupported response type: magic",
        ),
        ({}, ("Username-Password-Authentication",), {"prompt": "none"}, "login_required", "Login required"),
        (
            {},
            ("Username-Password-Authentication",),
            {"audience": "https://api.example/"},
            "access_denied",
            "Service not found: https://api.example/",
        ),
    ],
    ids=["missing-grant", "no-connection", "connection-not-enabled", "response-type", "silent", "audience"],
)
def test_authorize_sends_auth0s_errors_back_to_a_valid_callback(
    browser: Browser,
    fields: dict[str, Any],
    connections: tuple[str, ...],
    overrides: dict[str, str],
    error: str,
    description: str,
) -> None:
    app = make_app(browser, connections=connections, **fields)
    reply = browser.get(authorize_path(app, **overrides))
    assert reply.location.startswith(CALLBACK + "?")
    assert reply.redirect_query() == {"error": error, "error_description": description, "state": "client-state"}


def test_the_connection_parameter_picks_the_social_connection(tenant: RunningTenant, browser: Browser) -> None:
    app = make_app(browser, connections=("Username-Password-Authentication", "google-oauth2"))
    dave = user(tenant, "dave@gmail.example")
    # Without `connection` the database connection comes first, where dave does not exist.
    assert sign_in(browser, authorize_path(app), dave["email"], dave["password"]).status == 400
    code = login_code(browser, app, "dave@gmail.example", connection="google-oauth2")
    claims = verify(browser, exchange(browser, app, code).json()["id_token"], app)
    assert claims["sub"] == dave["user_id"]
    assert claims["sub"].startswith("google-oauth2|")
    assert claims[ROLES_CLAIM] == ["developers"]


def test_a_wrong_password_shows_the_form_again_with_auth0s_message(tenant: RunningTenant, browser: Browser) -> None:
    app = make_app(browser)
    started = browser.get(authorize_path(app))
    login = started.location
    wrong = browser.post_form(login, {"username": "bob@example.com", "password": "guess"})
    assert wrong.status == 400
    assert wrong.element("error") == "Wrong email or password."
    right = browser.post_form(
        login, {"username": "bob@example.com", "password": user(tenant, "bob@example.com")["password"]}
    )
    assert "code" in right.redirect_query()
    assert browser.get(login).status == 400  # the transaction is over


def test_a_user_without_roles_gets_an_empty_list_from_the_action(browser: Browser) -> None:
    app = make_app(browser)
    claims = verify(
        browser, exchange(browser, app, login_code(browser, app, "carol@example.com")).json()["id_token"], app
    )
    assert claims[ROLES_CLAIM] == []


@pytest.mark.parametrize(
    ("behaviour", "description"),
    [("throw", "the Action broke"), ("deny", "no entry for alice@example.com")],
)
def test_an_action_that_throws_or_denies_fails_the_login(
    tenant: RunningTenant, browser: Browser, behaviour: str, description: str
) -> None:
    app = make_app(browser, client_metadata={"behaviour": behaviour})
    alice = user(tenant, "alice@example.com")
    reply = sign_in(browser, authorize_path(app), alice["email"], alice["password"])
    assert reply.redirect_query() == {
        "error": "access_denied",
        "error_description": description,
        "state": "client-state",
    }


# /oauth/token refusals


def test_a_code_is_single_use_and_bound_to_its_client_redirect_and_verifier(browser: Browser) -> None:
    app, other = make_app(browser), make_app(browser)
    code = login_code(browser, app)
    assert exchange(browser, app, code).status == 200
    oauth_error(exchange(browser, app, code), 403, "invalid_grant", "Invalid authorization code")
    oauth_error(exchange(browser, other, login_code(browser, app)), 403, "invalid_grant", "Invalid authorization code")
    wrong_uri = exchange(browser, app, login_code(browser, app), redirect_uri="https://elsewhere.test/cb")
    oauth_error(
        wrong_uri,
        403,
        "invalid_grant",
        f"The redirect URI is wrong. You sent https://elsewhere.test/cb, and we expected {CALLBACK}",
    )
    for method in ("S256", "plain"):
        verifier, challenge = pkce()
        sent = challenge if method == "S256" else verifier
        code = login_code(browser, app, code_challenge=sent, code_challenge_method=method)
        oauth_error(
            exchange(browser, app, code, code_verifier="x" * 43), 403, "invalid_grant", "Failed to verify code verifier"
        )
        code = login_code(browser, app, code_challenge=sent, code_challenge_method=method)
        assert exchange(browser, app, code, code_verifier=verifier).status == 200


def test_the_client_must_authenticate_as_its_token_endpoint_auth_method_says(browser: Browser) -> None:
    basic_app = make_app(browser, token_endpoint_auth_method="client_secret_basic")
    code = login_code(browser, basic_app)
    oauth_error(exchange(browser, basic_app, code), 401, "access_denied", "Unauthorized")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    assert browser.post_form("/oauth/token", form, basic(basic_app.client_id, basic_app.client_secret)).status == 200

    post_app = make_app(browser)
    oauth_error(
        exchange(browser, post_app, login_code(browser, post_app), client_secret="wrong"),
        401,
        "access_denied",
        "Unauthorized",
    )
    no_secret = exchange(browser, post_app, login_code(browser, post_app), client_secret="")
    oauth_error(no_secret, 401, "access_denied", "Unauthorized")

    public = make_app(browser, token_endpoint_auth_method="none", app_type="spa")
    verifier, challenge = pkce()
    code = login_code(browser, public, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(browser, public, code, client_secret="", code_verifier=verifier).status == 200


def test_an_hs256_application_gets_id_tokens_signed_with_its_secret(browser: Browser) -> None:
    app = make_app(browser, jwt_configuration={"alg": "HS256", "lifetime_in_seconds": 600})
    id_token = exchange(browser, app, login_code(browser, app)).json()["id_token"]
    assert jwt.get_unverified_header(id_token)["alg"] == "HS256"
    with pytest.raises(jwt.InvalidTokenError):
        verify(browser, id_token, app)
    claims = jwt.decode(id_token, app.client_secret, algorithms=["HS256"], audience=app.client_id)
    assert claims["exp"] - claims["iat"] == 600


def test_a_refresh_token_needs_offline_access_and_the_grant(browser: Browser) -> None:
    app = make_app(browser)
    assert "refresh_token" not in exchange(browser, app, login_code(browser, app, scope="openid email")).json()
    no_grant = make_app(browser, grant_types=["authorization_code"])
    answer = exchange(browser, no_grant, login_code(browser, no_grant)).json()
    assert "refresh_token" not in answer
    assert "id_token" in answer
    form = {"grant_type": "refresh_token", "refresh_token": "x", "client_id": no_grant.client_id}
    refused = browser.post_form("/oauth/token", {**form, "client_secret": no_grant.client_secret})
    oauth_error(refused, 403, "unauthorized_client", "Grant type 'refresh_token' not allowed for the client.")


def _refresh(browser: Browser, app: App, token: str) -> Reply:
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": app.client_id}
    return browser.post_form("/oauth/token", {**form, "client_secret": app.client_secret})


def test_rotating_refresh_tokens_rotate_and_reuse_revokes_the_family(browser: Browser) -> None:
    settings = {
        "rotation_type": "rotating",
        "expiration_type": "expiring",
        "leeway": 0,
        "token_lifetime": 3600,
        "idle_token_lifetime": 1800,
        "infinite_token_lifetime": False,
        "infinite_idle_token_lifetime": False,
    }
    app = make_app(browser, refresh_token=settings)
    first = exchange(browser, app, login_code(browser, app)).json()["refresh_token"]
    second = _refresh(browser, app, first).json()["refresh_token"]
    assert second != first
    oauth_error(_refresh(browser, app, first), 403, "invalid_grant", "Unknown or invalid refresh token.")
    oauth_error(_refresh(browser, app, second), 403, "invalid_grant", "Unknown or invalid refresh token.")
    other = make_app(browser)
    oauth_error(_refresh(browser, other, "not-a-token"), 403, "invalid_grant", "Unknown or invalid refresh token.")


def test_an_expiring_refresh_token_ends_with_its_lifetime(browser: Browser) -> None:
    settings = {
        "rotation_type": "non-rotating",
        "expiration_type": "expiring",
        "token_lifetime": 1,
        "infinite_token_lifetime": False,
        "infinite_idle_token_lifetime": True,
    }
    app = make_app(browser, refresh_token=settings)
    token = exchange(browser, app, login_code(browser, app)).json()["refresh_token"]
    assert _refresh(browser, app, token).status == 200
    time.sleep(1.1)
    oauth_error(_refresh(browser, app, token), 403, "invalid_grant", "Unknown or invalid refresh token.")


def test_token_requests_auth0_does_not_understand(browser: Browser) -> None:
    oauth_error(
        browser.post_form("/oauth/token", {"grant_type": "password"}),
        400,
        "unsupported_grant_type",
        "Unsupported grant type: password",
    )
    app = make_app(browser)
    oauth_error(exchange(browser, app, ""), 400, "invalid_request", "Missing required parameter: code")


# /userinfo and logout


def test_userinfo_needs_a_valid_access_token(browser: Browser) -> None:
    for header in ({}, {"Authorization": "Bearer nope"}):
        reply = browser.get("/userinfo", header)
        assert (reply.status, reply.body) == (401, b"Unauthorized")
        assert reply.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_logout_returns_only_to_an_allowed_logout_url(browser: Browser) -> None:
    app = make_app(browser)
    with_query = browser.get("/v2/logout?" + urlencode({"client_id": app.client_id, "returnTo": SIGNED_OUT + "?x=1"}))
    assert (with_query.status, with_query.location) == (302, SIGNED_OUT + "?x=1")
    first = browser.get("/v2/logout?" + urlencode({"client_id": app.client_id}))
    assert (first.status, first.location) == (302, SIGNED_OUT)
    elsewhere = "https://evil.example/"
    for query in ({"client_id": app.client_id, "returnTo": elsewhere}, {"returnTo": elsewhere}):
        refused = browser.get("/v2/logout?" + urlencode(query))
        assert refused.status == 400
        assert refused.element("error") == "invalid_request"
        assert refused.element("error_description").startswith(
            f'The "returnTo" querystring parameter "{elsewhere}" is not defined as a valid URL '
            'in "Allowed Logout URLs".'
        )
    oidc = browser.get(
        "/oidc/logout?" + urlencode({"client_id": app.client_id, "post_logout_redirect_uri": SIGNED_OUT, "state": "s"})
    )
    assert (oidc.status, oidc.location) == (302, SIGNED_OUT + "?state=s")


# Seeds and the Management API's role routes


def test_tenant_json_lists_the_seeded_users_of_the_contract(tenant: RunningTenant) -> None:
    seeds = {u["email"]: (u["connection"], u["roles"]) for u in tenant.info.users}
    assert seeds == {
        "alice@example.com": ("Username-Password-Authentication", ["admins", "developers"]),
        "bob@example.com": ("Username-Password-Authentication", ["developers"]),
        "carol@example.com": ("Username-Password-Authentication", []),
        "dave@gmail.example": ("google-oauth2", ["developers"]),
    }
    assert all(len(u["password"]) >= 16 for u in tenant.info.users)
    state = json.loads(tenant.state_file.read_text())
    assert state["users"] == tenant.info.users
    assert state["custom_domain"] == tenant.info.custom_domain


def test_roles_and_members_page_like_auth0(tenant: RunningTenant, browser: Browser) -> None:
    roles = browser.management("GET", "/roles", inspector=True)
    assert [(r["name"], r["id"][:4]) for r in roles] == [("admins", "rol_"), ("developers", "rol_")]
    assert browser.management("GET", "/roles?include_totals=true&per_page=1", inspector=True) == {
        "roles": roles[:1],
        "start": 0,
        "limit": 1,
        "total": 2,
    }
    developers = roles[1]["id"]
    members = browser.management("GET", f"/roles/{developers}/users", inspector=True)
    assert [m["email"] for m in members] == ["alice@example.com", "bob@example.com", "dave@gmail.example"]
    assert set(members[0]) == {"user_id", "email", "picture", "name"}
    first = browser.management("GET", f"/roles/{developers}/users?take=2", inspector=True)
    assert (len(first["users"]), first["next"]) == (2, "2")
    rest = browser.management("GET", f"/roles/{developers}/users?take=2&from={first['next']}", inspector=True)
    assert [m["email"] for m in rest["users"]] == ["dave@gmail.example"]
    assert "next" not in rest
    paged = browser.management(
        "GET", f"/roles/{developers}/users?include_totals=true&page=1&per_page=2", inspector=True
    )
    assert (paged["total"], paged["start"], [m["email"] for m in paged["users"]]) == (3, 2, ["dave@gmail.example"])
    alice = user(tenant, "alice@example.com")["user_id"]
    assert [r["name"] for r in browser.management("GET", f"/users/{alice}/roles", inspector=True)] == [
        "admins",
        "developers",
    ]
    token = browser.token_as("inspector")
    missing = browser.get("/api/v2/roles/rol_nope/users", {"Authorization": f"Bearer {token}"})
    assert (missing.status, missing.json()["message"]) == (404, "The role does not exist.")


@pytest.mark.parametrize(
    ("overrides", "what"),
    [
        ({"response_type": "code id_token"}, "response_type=code id_token"),
        ({"response_mode": "form_post"}, "response_mode=form_post"),
    ],
)
def test_authorize_answers_501_for_what_auth0_does_and_the_sandbox_does_not(
    browser: Browser, overrides: dict[str, str], what: str
) -> None:
    reply = browser.get(authorize_path(make_app(browser), **overrides))
    assert reply.status == 501
    assert reply.element("error_description") == f"The sandbox tenant does not implement {what}"


def test_authentication_routes_outside_the_table_still_answer_501(browser: Browser) -> None:
    for method, path in (("POST", "/authorize"), ("GET", "/oauth/revoke"), ("GET", "/mfa/challenge")):
        reply = browser.request(method, path)
        assert reply.status == 501
        assert f"{method} {path}" in reply.json()["message"]
