"""`__main__.py` as `pulumi up` runs it: stack files, config contract, outputs and determinism."""

from __future__ import annotations

import base64
import json
import os
import socket
from pathlib import Path
from typing import NoReturn

import pytest
from pomerium_auth0.stack import bootstrap_scopes

from sandbox import control
from tests.conftest import TENANT, is_cleared, stack_config
from tests.harness import ROOT, idp_secret_data, new_engine, resolve, stack_file_config

STACK_FILES = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


def test_dev_staging_prod_and_sandbox_stack_files_are_shipped() -> None:
    names = [path.name for path in STACK_FILES]
    assert names == ["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.sandbox.yaml", "Pulumi.staging.yaml"]


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda path: path.name)
def test_every_shipped_stack_file_deploys_under_mocks(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = path.name.split(".")[1]
    # The sandbox stack takes its tenant from the environment `scripts/sandbox.sh env` prints.
    monkeypatch.setenv("AUTH0_DOMAIN", "127.0.0.1:18443")
    engine = new_engine(stack=stack, config=stack_file_config(stack))
    outputs = engine.run_stack_program()
    assert resolve(outputs["secretName"]).value == "pomerium-idp"
    assert engine.monitor.named("pomerium-idp-web").inputs["name"] == f"pomerium-{stack}"


def test_stack_outputs_are_exported_and_only_the_checksum_is_secret() -> None:
    engine = new_engine(config=stack_config(namespace="identity"))
    outputs = {name: resolve(output) for name, output in engine.run_stack_program().items()}
    assert set(outputs) == {
        "webClientId",
        "directorySyncClientId",
        "idpProviderUrl",
        "secretName",
        "secretNamespace",
        "secretChecksum",
        "pomeriumServiceName",
        "pomeriumServicePort",
    }
    assert outputs["secretNamespace"].value == "identity"
    assert outputs["idpProviderUrl"].value == f"https://{TENANT}"
    assert {name for name, output in outputs.items() if output.secret} == {"secretChecksum"}
    plain = json.dumps({name: output.value for name, output in outputs.items() if not output.secret})
    data = idp_secret_data(engine)
    for key in ("IDP_CLIENT_SECRET", "IDP_SERVICE_ACCOUNT"):
        assert data[key] not in plain


def test_default_app_names_include_the_stack_so_stacks_can_share_a_tenant() -> None:
    names = {}
    for stack in ("dev", "staging"):
        engine = new_engine(stack=stack, config=stack_config())
        engine.run_stack_program()
        names[stack] = {
            registration.inputs["name"]
            for registration in engine.registrations
            if registration.type in ("auth0:index/client:Client", "auth0:index/action:Action")
        }
    assert names["dev"] == {"pomerium-dev", "pomerium-dev-directory-sync", "pomerium-dev-groups-claim"}
    assert names["dev"].isdisjoint(names["staging"])


def test_running_twice_with_the_same_config_registers_identical_inputs() -> None:
    runs = []
    for _ in range(2):
        engine = new_engine(config=stack_config())
        engine.run_stack_program()
        runs.append(
            [(registration.type, registration.name, registration.inputs) for registration in engine.registrations]
        )
    assert sorted(runs[0], key=repr) == sorted(runs[1], key=repr)
    assert len(runs[0]) == 18


def test_custom_login_domain_keeps_the_management_api_on_the_tenant_domain() -> None:
    engine = new_engine(config=stack_config(idpProviderUrl="https://login.example.com"))
    engine.run_stack_program()
    data = idp_secret_data(engine)
    assert data["IDP_PROVIDER_URL"] == "https://login.example.com"
    grant = engine.monitor.one("auth0:index/clientGrant:ClientGrant")
    assert grant.inputs["audience"] == f"https://{TENANT}/api/v2/"
    account = json.loads(base64.b64decode(data["IDP_SERVICE_ACCOUNT"]))
    assert account["domain"] == TENANT


def test_a_loopback_login_url_is_accepted_as_the_sandboxs_custom_domain() -> None:
    engine = new_engine(config=stack_config(idpProviderUrl="https://localhost:18443"))
    engine.run_stack_program()
    assert idp_secret_data(engine)["IDP_PROVIDER_URL"] == "https://localhost:18443"


def test_auth0_domain_overrides_the_provider_domain_for_the_audience() -> None:
    engine = new_engine(config=stack_config(auth0Domain="acme.eu.auth0.com"))
    engine.run_stack_program()
    assert (
        engine.monitor.one("auth0:index/clientGrant:ClientGrant").inputs["audience"]
        == "https://acme.eu.auth0.com/api/v2/"
    )


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda path: path.name)
def test_every_shipped_stack_updates_configmaps_and_secrets_in_place(path: Path) -> None:
    """Without these, a route change or secret rotation replaces the ConfigMap or Secret and, through it,
    the Deployment (delete before create): the real-engine suite saw exactly that."""
    config = stack_file_config(path.name.split(".")[1])
    assert config["kubernetes:enableConfigMapMutable"] == "true"
    assert config["kubernetes:enableSecretMutable"] == "true"


@pytest.mark.parametrize("preview", [True, False])
def test_the_bootstrap_scope_check_runs_before_an_update_and_never_in_a_preview(
    preview: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[tuple[object, ...]] = []
    monkeypatch.setattr(bootstrap_scopes, "check_bootstrap_scopes", lambda *args: checked.append(args))
    credentials = {"auth0:clientId": "bootstrap-client", "auth0:clientSecret": "bootstrap-secret-value"}
    engine = new_engine(config=stack_config(**credentials), secret_keys=["auth0:clientSecret"], preview=preview)
    engine.run_stack_program()
    assert [args[:3] for args in checked] == (
        [] if preview else [(TENANT, "bootstrap-client", "bootstrap-secret-value")]
    )
    assert len(engine.registrations) >= 16, "the preview must still register the whole program"


def blocked_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every name lookup and connection fail, and record the hosts tried."""
    tried: list[str] = []

    def refuse(host: object, *args: object, **kwargs: object) -> NoReturn:
        tried.append(str(host[0] if isinstance(host, tuple) else host))
        raise OSError("the mock suite makes no network call")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return tried


def test_the_suite_runs_without_any_variable_the_sandbox_exports(tmp_path: Path) -> None:
    (tmp_path / control.TENANT_DIR).mkdir()
    info = {"domain": "127.0.0.1:18443", "bootstrap_client_id": "bootstrap", "ca_file": str(tmp_path / "ca.pem")}
    (tmp_path / control.TENANT_DIR / "tenant.json").write_text(json.dumps(info))
    (tmp_path / control.ENGINE_FILE).write_text(str(tmp_path / "bin"))
    exported = {line.removeprefix("export ").split("=", 1)[0] for line in control.env_lines(tmp_path)}
    assert {"AUTH0_DOMAIN", "AUTH0_CLIENT_SECRET", "PULUMI_BACKEND_URL", "SSL_CERT_FILE"} <= exported
    assert [name for name in sorted(exported - {"PATH"}) if not is_cleared(name)] == []
    assert [name for name in os.environ if is_cleared(name)] == []


def test_with_the_variables_cleared_the_program_calls_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    tried = blocked_network(monkeypatch)
    new_engine(config=stack_config()).run_stack_program()
    assert tried == []


def test_with_the_sandboxs_credentials_in_the_environment_the_program_would_call_the_tenant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The negative control: what clearing prevents (the bootstrap-scope check signs in with AUTH0_*)."""
    tried = blocked_network(monkeypatch)
    monkeypatch.setenv("AUTH0_CLIENT_ID", "bootstrap")
    monkeypatch.setenv("AUTH0_CLIENT_SECRET", "bootstrap-secret-value")
    with pytest.raises(Exception, match=TENANT):
        new_engine(config=stack_config()).run_stack_program()
    assert tried == [TENANT]
