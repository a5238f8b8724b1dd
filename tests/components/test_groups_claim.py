"""The post-login Action that carries Auth0 roles to Pomerium v0.20+ as an ID-token claim."""

from __future__ import annotations

from typing import Any

import pytest

from tests.auth0_action import login_event, requires_node, run_post_login
from tests.conftest import build_identity_provider
from tests.harness import Engine, action_id, fake_token

ACTION = "auth0:index/action:Action"
BINDING = "auth0:index/triggerAction:TriggerAction"
CLIENT = "auth0:index/client:Client"
WEB_CLIENT_ID = fake_token("cid", "idp-web")


def web_client_metadata(engine: Engine) -> dict[str, Any]:
    (web,) = [client for client in engine.monitor.of_type(CLIENT) if client.name == "idp-web"]
    metadata: dict[str, Any] = web.inputs.get("clientMetadata") or {}
    return metadata


@pytest.fixture
def action_code(engine: Engine) -> str:
    build_identity_provider(engine)
    return str(engine.monitor.one(ACTION).inputs["code"])


@requires_node
def test_pomerium_logins_get_the_users_roles_under_the_claim_their_application_names(
    engine: Engine, action_code: str
) -> None:
    metadata = web_client_metadata(engine)
    assert metadata == {"pomerium_groups_claim": "pomerium.io/groups"}
    claims = run_post_login(action_code, login_event(WEB_CLIENT_ID, ["admins", "on-call"], metadata))
    assert claims == {"pomerium.io/groups": ["admins", "on-call"]}


@requires_node
def test_a_user_without_roles_gets_an_empty_group_list(engine: Engine, action_code: str) -> None:
    metadata = web_client_metadata(engine)
    assert run_post_login(action_code, login_event(WEB_CLIENT_ID, None, metadata)) == {"pomerium.io/groups": []}


@requires_node
def test_logins_to_other_applications_in_the_tenant_are_untouched(action_code: str) -> None:
    assert run_post_login(action_code, login_event("some-other-app", ["admins"])) == {}
    assert run_post_login(action_code, login_event("some-other-app", ["admins"], {"team": "ops"})) == {}


@requires_node
def test_claim_name_is_configurable(engine: Engine) -> None:
    build_identity_provider(engine, groups_claim_name="https://example.com/roles")
    code = str(engine.monitor.one(ACTION).inputs["code"])
    event = login_event(WEB_CLIENT_ID, ["ops"], web_client_metadata(engine))
    assert run_post_login(code, event) == {"https://example.com/roles": ["ops"]}


@requires_node
def test_one_action_serves_every_pomerium_application_of_the_tenant(engine: Engine, action_code: str) -> None:
    """A stack in `shared` mode relies on another stack's Action: that Action must honour its claim name."""
    event = login_event("staging-web", ["qa"], {"pomerium_groups_claim": "https://staging.example.com/groups"})
    assert run_post_login(action_code, event) == {"https://staging.example.com/groups": ["qa"]}


def test_a_shared_stack_marks_its_application_and_leaves_the_binding_list_alone(engine: Engine) -> None:
    build_identity_provider(engine, groups_claim_action="shared", groups_claim_name="https://example.com/roles")
    assert web_client_metadata(engine) == {"pomerium_groups_claim": "https://example.com/roles"}
    assert engine.monitor.of_type(ACTION) == []
    assert engine.monitor.of_type(BINDING) == []


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
    assert binding.inputs["actionId"] == action_id("idp-groups-claim")
    assert engine.monitor.of_type("auth0:index/triggerActions:TriggerActions") == []


def test_groups_claim_can_be_turned_off(engine: Engine) -> None:
    build_identity_provider(engine, groups_claim=False)
    assert engine.monitor.of_type(ACTION) == []
    assert engine.monitor.of_type(BINDING) == []
    assert web_client_metadata(engine) == {}
