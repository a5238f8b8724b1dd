"""The post-login Action that carries Auth0 roles to Pomerium v0.20+ as an ID-token claim."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import build_identity_provider
from tests.harness import Engine, fake_token

NODE = shutil.which("node")
RUNNER = Path(__file__).with_name("action_runner.js")
ACTION = "auth0:index/action:Action"
BINDING = "auth0:index/triggerAction:TriggerAction"
WEB_CLIENT_ID = fake_token("cid", "idp-web")


def run_action(code: str, event: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """Execute the Action's JavaScript with Node and return the ID-token claims it set."""
    if NODE is None:
        pytest.skip("node is not installed")
    source = tmp_path / "action.js"
    source.write_text(code)
    result = subprocess.run(
        [NODE, str(RUNNER), str(source)], input=json.dumps(event), capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def login(client_id: str, roles: list[str] | None) -> dict[str, Any]:
    event: dict[str, Any] = {"client": {"client_id": client_id, "name": "app"}, "user": {"user_id": "auth0|1"}}
    if roles is not None:
        event["authorization"] = {"roles": roles}
    return event


@pytest.fixture
def action_code(engine: Engine) -> str:
    build_identity_provider(engine)
    return str(engine.monitor.one(ACTION).inputs["code"])


def test_pomerium_logins_get_the_users_roles_under_the_namespaced_claim(action_code: str, tmp_path: Path) -> None:
    claims = run_action(action_code, login(WEB_CLIENT_ID, ["admins", "on-call"]), tmp_path)
    assert claims == {"pomerium.io/groups": ["admins", "on-call"]}


def test_a_user_without_roles_gets_an_empty_group_list(action_code: str, tmp_path: Path) -> None:
    assert run_action(action_code, login(WEB_CLIENT_ID, None), tmp_path) == {"pomerium.io/groups": []}


def test_logins_to_other_applications_in_the_tenant_are_untouched(action_code: str, tmp_path: Path) -> None:
    assert run_action(action_code, login("some-other-app", ["admins"]), tmp_path) == {}


def test_claim_name_is_configurable(engine: Engine, tmp_path: Path) -> None:
    build_identity_provider(engine, groups_claim_name="https://example.com/roles")
    code = str(engine.monitor.one(ACTION).inputs["code"])
    assert run_action(code, login(WEB_CLIENT_ID, ["ops"]), tmp_path) == {"https://example.com/roles": ["ops"]}


def test_action_is_deployed_on_a_supported_node_runtime_for_post_login(engine: Engine) -> None:
    build_identity_provider(engine)
    action = engine.monitor.one(ACTION).inputs
    assert action["runtime"] == "node22"
    assert action["deploy"] is True
    assert action["supportedTriggers"] == {"id": "post-login", "version": "v3"}
    assert action["name"] == "pomerium-test-groups-claim"


def test_action_is_bound_to_the_login_flow_without_replacing_other_bindings(engine: Engine) -> None:
    build_identity_provider(engine)
    (binding,) = engine.monitor.of_type(BINDING)
    assert binding.inputs["trigger"] == "post-login"
    assert binding.inputs["actionId"] == "idp-groups-claim-id"
    assert engine.monitor.of_type("auth0:index/triggerActions:TriggerActions") == []


def test_groups_claim_can_be_turned_off(engine: Engine) -> None:
    build_identity_provider(engine, groups_claim=False)
    assert engine.monitor.of_type(ACTION) == []
    assert engine.monitor.of_type(BINDING) == []
