"""The bootstrap scope list, the README's table of it, and the pre-flight check against a real HTTPS tenant."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pomerium_auth0 import InputError
from pomerium_auth0.stack.bootstrap_scopes import BOOTSTRAP_SCOPES, Feature, check_bootstrap_scopes, required_scopes

from sandbox.auth0_tenant.server import RunningTenant, TenantInfo, start_tenant
from tests.harness import ROOT

EVERY_SCOPE = frozenset(scope for group in BOOTSTRAP_SCOPES for scope in group.scopes)


def readme_rows() -> list[tuple[tuple[str, ...], str]]:
    """(scopes, "Needed" cell) per row of the table in *First deployment*, step 2."""
    section = (ROOT / "README.md").read_text().split("## First deployment", 1)[1].split("\n3. ", 1)[0]
    rows = [line.strip().split("|")[1:-1] for line in section.splitlines() if line.strip().startswith("| `")]
    return [(tuple(re.findall(r"`([a-z_]+:[a-z_]+)`", cells[0])), cells[2].strip()) for cells in rows]


def test_the_readme_table_is_the_scope_list() -> None:
    expected = [(group.scopes, group.needed_for.value if group.needed_for else "always") for group in BOOTSTRAP_SCOPES]
    assert readme_rows() == expected


def test_each_mode_needs_only_its_groups() -> None:
    assert required_scopes(Feature) == EVERY_SCOPE
    off = required_scopes([])
    assert off == {"create:clients", "read:clients", "update:clients", "delete:clients", "read:client_credentials"}
    assert not any(
        scope.endswith(("client_keys", "_credentials")) and scope != "read:client_credentials" for scope in off
    )


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTenant]:
    with start_tenant(
        tmp_path_factory.mktemp("tenant"), bootstrap_scopes=sorted(EVERY_SCOPE - {"delete:actions"})
    ) as running:
        yield running


@pytest.fixture
def trusted(tenant: RunningTenant, monkeypatch: pytest.MonkeyPatch) -> RunningTenant:
    monkeypatch.setenv("SSL_CERT_FILE", tenant.info.ca_file)
    return tenant


def check(tenant: RunningTenant, secret: str | None = None, domain: str | None = None, claim: bool = True) -> None:
    info = tenant.info
    check_bootstrap_scopes(
        domain or info.domain,
        info.bootstrap_client_id,
        secret or info.bootstrap_client_secret,
        {Feature.DIRECTORY_SYNC, Feature.GROUPS_CLAIM_ACTION} if claim else {Feature.DIRECTORY_SYNC},
    )


def test_a_missing_scope_is_named_with_the_readme_section(trusted: RunningTenant) -> None:
    with pytest.raises(InputError) as raised:
        check(trusted)
    assert raised.value.key == "auth0:clientId"
    assert "delete:actions" in str(raised.value)
    assert "README, First deployment, step 2" in str(raised.value)
    check(trusted, claim=False)  # without the groups-claim Action nothing is missing


def test_wrong_credentials_give_one_sentence_naming_the_secret(trusted: RunningTenant) -> None:
    with pytest.raises(InputError) as raised:
        check(trusted, secret="wrong")
    assert raised.value.key == "auth0:clientSecret"
    assert "401" in str(raised.value)


def test_the_custom_domain_as_tenant_domain_names_auth0domain_and_the_canonical_one(trusted: RunningTenant) -> None:
    """The sandbox's custom domain serves the token endpoint (its certificate is trusted) but, as on Auth0,
    `https://<custom domain>/api/v2/` is no API of the tenant."""
    custom = trusted.info.custom_domain
    with pytest.raises(InputError) as raised:
        check(trusted, domain=custom)
    assert raised.value.key == "pomerium-auth0:auth0Domain"
    assert f"https://{custom}/api/v2/" in raised.value.problem
    assert "canonical domain" in raised.value.fix
    assert "\n" not in str(raised.value)


def test_the_sandbox_refuses_a_custom_domain_audience_as_auth0_does(trusted: RunningTenant) -> None:
    """403 `access_denied` "Service not found: <audience>", on either host; the canonical audience works on both."""
    info = trusted.info
    for host in (info.domain, info.custom_domain):
        status, body = token_request(host, info, f"https://{info.custom_domain}/api/v2/")
        assert (status, body) == (
            403,
            {"error": "access_denied", "error_description": f"Service not found: https://{info.custom_domain}/api/v2/"},
        )
        assert token_request(host, info, trusted.audience)[0] == 200


def token_request(host: str, info: TenantInfo, audience: str) -> tuple[int, dict[str, str]]:
    form = {"grant_type": "client_credentials", "audience": audience}
    form |= {"client_id": info.bootstrap_client_id, "client_secret": info.bootstrap_client_secret}
    request = urllib.request.Request(f"https://{host}/oauth/token", data=urllib.parse.urlencode(form).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_unknown_tenant_names_the_domain(trusted: RunningTenant) -> None:
    with pytest.raises(InputError) as raised:
        check(trusted, domain="127.0.0.1:9")
    assert raised.value.key == "auth0:domain"
    assert "cannot reach" in str(raised.value)


def test_an_untrusted_certificate_names_the_domain(tenant: RunningTenant, tmp_path: Path) -> None:
    with start_tenant(tmp_path, expired_cert=True) as expired, pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", expired.info.ca_file)
        with pytest.raises(InputError) as raised:
            check(expired)
    assert raised.value.key == "auth0:domain"
    assert "not trusted" in str(raised.value)
