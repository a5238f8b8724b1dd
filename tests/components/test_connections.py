"""The connections users log in with: enabled for the Pomerium application alone, one resource each."""

from __future__ import annotations

import json

import pytest
from pomerium_auth0 import InputError, InputErrors

from tests.conftest import build_identity_provider, stack_config
from tests.harness import Engine, fake_token, new_engine

CONNECTION_CLIENT = "auth0:index/connectionClient:ConnectionClient"
DATABASE = "con_a1B2c3D4e5F6g7H8"
GOOGLE = "con_Z9y8X7w6V5u4T3s2"


def enabled(engine: Engine) -> dict[str, dict[str, object]]:
    return {r.name: r.inputs for r in engine.monitor.of_type(CONNECTION_CLIENT)}


def test_each_named_connection_is_enabled_for_the_web_application_only(engine: Engine) -> None:
    idp = build_identity_provider(engine, connections=[DATABASE, GOOGLE])
    web = engine.monitor.named("idp-web")
    web_client_id = fake_token("cid", "idp-web")
    assert enabled(engine) == {
        f"idp-connection-{DATABASE}": {"connectionId": DATABASE, "clientId": web_client_id},
        f"idp-connection-{GOOGLE}": {"connectionId": GOOGLE, "clientId": web_client_id},
    }
    for registration in engine.monitor.of_type(CONNECTION_CLIENT):
        assert registration.parent == engine.monitor.named("idp").urn
        assert web.urn in registration.dependencies
    assert len(idp.connection_clients) == 2
    # The one-client resource, never ConnectionClients, which would take over every application's binding.
    assert engine.monitor.of_type("auth0:index/connectionClients:ConnectionClients") == []


def test_reordering_the_list_keeps_every_resource(engine: Engine) -> None:
    build_identity_provider(engine, connections=[GOOGLE, DATABASE])
    reordered = set(enabled(engine))
    other = new_engine(config=stack_config())
    build_identity_provider(other, connections=[DATABASE, GOOGLE])
    assert reordered == set(enabled(other))


def test_without_connections_nothing_is_managed(engine: Engine) -> None:
    build_identity_provider(engine)
    assert enabled(engine) == {}


@pytest.mark.parametrize(
    ("connections", "key", "words"),
    [
        (["Username-Password-Authentication"], "connections[0]", "not an Auth0 connection ID"),
        ([DATABASE, "con_"], "connections[1]", "not an Auth0 connection ID"),
        ([DATABASE, DATABASE], "connections", "more than once"),
        (DATABASE, "connections", "list of connection IDs"),
    ],
)
def test_a_bad_connection_is_named_before_anything_is_registered(
    engine: Engine, connections: object, key: str, words: str
) -> None:
    with pytest.raises(InputError, match=words) as raised:
        build_identity_provider(engine, connections=connections)
    assert raised.value.key == f"Auth0IdentityProviderArgs.{key}"
    assert engine.registrations == []


def test_the_stack_file_list_reaches_the_component() -> None:
    engine = new_engine(config=stack_config(connections=json.dumps([DATABASE])))
    engine.run_stack_program()
    assert list(enabled(engine)) == [f"pomerium-idp-connection-{DATABASE}"]


def test_a_bad_stack_file_list_names_the_config_key() -> None:
    engine = new_engine(config=stack_config(connections=json.dumps(["google-oauth2"])))
    with pytest.raises(InputErrors) as raised:
        engine.run_stack_program()
    (error,) = raised.value.errors
    assert error.key == "pomerium-auth0:connections[0]"
    assert engine.registrations == []
