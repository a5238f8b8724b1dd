"""The Pomerium Ingress Controller as consumer: its IdP Secret, bootstrap Secret, Pomerium fields and Ingresses."""

from __future__ import annotations

import base64
import json
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pomerium_auth0 import (
    Auth0IdentityProvider,
    Auth0IdentityProviderArgs,
    InputError,
    InputErrors,
    PomeriumIngressController,
)
from pomerium_auth0.components.ingress_controller import FIELD_MANAGER

from tests.conftest import AUTHENTICATE_URL, TENANT, stack_config
from tests.harness import Engine, fake_token, is_secret_value, new_engine, unwrap

PATCH = "kubernetes:ingress.pomerium.io/v1:PomeriumPatch"
CREATED = "kubernetes:ingress.pomerium.io/v1:Pomerium"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
GRAFANA = {
    "from": "https://grafana.example.com",
    "to": "http://grafana.monitoring.svc.cluster.local:3000",
    "policy": [{"allow": {"or": [{"claim/pomerium.io/groups": "observability"}]}}],
    "pass_identity_headers": True,
}
HTTPBIN = {"from": "https://httpbin.example.com", "to": "https://httpbin:8443", "prefix": "/api", "timeout": "30s"}
CONTROLLER = {"consumer": "ingress-controller", "bootstrapSecret": "pomerium/bootstrap"}
CREATING = {"consumer": "ingress-controller", "createPomeriumResource": "true"}
"""A stack that creates the Pomerium resource, and with it the bootstrap Secret."""
SECRET_CONFIG = ["pomerium-auth0:cookieSecret", "pomerium-auth0:sharedSecret", "pomerium-auth0:signingKey"]


def deployed(secret_keys: list[str] | None = None, base: dict[str, str] = CONTROLLER, **config: Any) -> Engine:
    values = {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}
    engine = new_engine(config=stack_config(**{**base, **values}), secret_keys=secret_keys)
    engine.run_stack_program()
    return engine


def failure(**config: str) -> list[InputError]:
    engine = new_engine(config=stack_config(**config), secret_keys=SECRET_CONFIG)
    with pytest.raises(InputErrors) as raised:
        engine.run_stack_program()
    assert engine.registrations == [], "bad input must stop before anything is registered"
    return raised.value.errors


def ingresses(engine: Engine) -> dict[str, dict[str, Any]]:
    return {r.name: unwrap(r.inputs) for r in engine.monitor.of_type(INGRESS)}


def test_the_idp_secret_holds_exactly_the_web_clients_id_and_secret_as_secrets() -> None:
    engine = deployed()
    wire = engine.monitor.named("pomerium-idp-secret").inputs["stringData"]
    assert is_secret_value(wire), "the client secret must reach the Secret as a secret"
    assert unwrap(wire) == {
        "client_id": fake_token("cid", "pomerium-idp-web"),
        "client_secret": fake_token("SECRETVALUE", "pomerium-idp-web-credentials", 64),
    }
    assert engine.monitor.of_type("auth0:index/client:Client") == [engine.monitor.named("pomerium-idp-web")]
    assert not engine.monitor.of_type("kubernetes:apps/v1:Deployment")


@pytest.mark.parametrize("sync", ["legacy", "enterprise"])
def test_directory_sync_is_refused_because_the_controller_has_none(sync: str) -> None:
    (error,) = failure(**CONTROLLER, directorySync=sync)
    assert error.key == "pomerium-auth0:directorySync"
    assert "v0.33.1" in error.problem
    assert "off" in error.fix


def test_the_component_refuses_directory_sync_for_the_controller_too() -> None:
    args = Auth0IdentityProviderArgs(
        authenticate_service_url=AUTHENTICATE_URL,
        auth0_domain=TENANT,
        app_name="pomerium-test",
        consumer="ingress-controller",
        directory_sync="legacy",
    )
    engine = new_engine()
    with pytest.raises(InputError) as raised:
        engine.run(lambda: Auth0IdentityProvider("idp", args))
    assert raised.value.key == "Auth0IdentityProviderArgs.directory_sync"
    assert engine.registrations == []


def test_the_bootstrap_secret_holds_the_raw_bytes_the_controller_checks() -> None:
    engine = deployed(base=CREATING)
    secret = engine.monitor.named("pomerium-ingress-controller-bootstrap").inputs
    assert "stringData" not in secret
    assert is_secret_value(secret["data"])
    data = {key: base64.b64decode(value) for key, value in unwrap(secret["data"]).items()}
    assert set(data) == {"shared_secret", "cookie_secret", "signing_key"}
    assert len(data["shared_secret"]) == len(data["cookie_secret"]) == 32  # what applySecrets requires
    key = serialization.load_pem_private_key(data["signing_key"], password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(key.curve, ec.SECP256R1)
    assert unwrap(secret["metadata"])["namespace"] == "pomerium"
    kubernetes_validate.validate({"apiVersion": "v1", "kind": "Secret", **unwrap(secret)}, "1.34.0", strict=True)


def test_supplied_secrets_land_in_the_bootstrap_secret() -> None:
    key = base64.b64encode(b"k" * 32).decode()
    engine = deployed(secret_keys=SECRET_CONFIG, base=CREATING, cookieSecret=key)
    data = unwrap(engine.monitor.named("pomerium-ingress-controller-bootstrap").inputs["data"])
    assert data["cookie_secret"] == key


def test_the_pomerium_resource_gets_exactly_our_three_fields_under_our_field_manager() -> None:
    engine = deployed()
    patch = engine.monitor.one(PATCH)
    inputs = unwrap(patch.inputs)
    assert inputs["metadata"] == {"name": "global", "annotations": {"pulumi.com/patchFieldManager": FIELD_MANAGER}}
    assert inputs["spec"] == {
        "identityProvider": {"provider": "auth0", "url": f"https://{TENANT}", "secret": "pomerium/pomerium-idp"},
        "authenticate": {"url": AUTHENTICATE_URL},
        "secrets": "pomerium/bootstrap",
    }
    assert not engine.monitor.of_type(CREATED), "an existing resource is patched, never created"
    # The patch waits for a read of the existing resource: a missing one fails that read, in preview too,
    # instead of the server-side apply creating it.
    assert [urn for urn in patch.dependencies if urn.endswith("::pomerium-ingress-controller-existing-pomerium")]


def test_a_missing_pomerium_resource_is_created_only_when_asked() -> None:
    engine = deployed(base=CREATING, pomeriumResourceName="team-a")
    assert not engine.monitor.of_type(PATCH)
    created = unwrap(engine.monitor.one(CREATED).inputs)
    assert created["metadata"]["name"] == "team-a"
    assert created["spec"]["secrets"] == "pomerium/pomerium-bootstrap"


def test_a_referenced_bootstrap_secret_is_named_and_not_created() -> None:
    engine = deployed()
    assert not [r for r in engine.monitor.of_type("kubernetes:core/v1:Secret") if "bootstrap" in r.name]
    assert not engine.monitor.of_type("random:index/randomPassword:RandomPassword")
    assert unwrap(engine.monitor.one(PATCH).inputs)["spec"]["secrets"] == "pomerium/bootstrap"


def test_a_referenced_bootstrap_secret_takes_no_supplied_values() -> None:
    key = base64.b64encode(b"k" * 32).decode()
    engine = new_engine(
        config=stack_config(**CONTROLLER, cookieSecret=key),
        secret_keys=SECRET_CONFIG,
    )
    with pytest.raises(InputErrors) as raised:
        engine.run_stack_program()
    assert [error.key for error in raised.value.errors] == ["pomerium-auth0:cookieSecret"]


def test_patching_an_existing_resource_needs_its_bootstrap_secret_named() -> None:
    (error,) = failure(consumer="ingress-controller")
    assert error.key == "pomerium-auth0:bootstrapSecret"
    assert "pomerium/bootstrap" in error.fix
    assert "pomerium-auth0:createPomeriumResource" in error.fix


@pytest.mark.parametrize("reference", ["bootstrap", "pomerium/", "Pomerium/bootstrap", "a/b/c"])
def test_a_reference_the_crd_refuses_names_the_key(reference: str) -> None:
    (error,) = failure(**{**CONTROLLER, "bootstrapSecret": reference})
    assert error.key == "pomerium-auth0:bootstrapSecret"
    assert "pomerium/bootstrap" in error.fix


def test_each_route_is_its_own_ingress_with_host_backend_class_and_annotations() -> None:
    engine = deployed(routes=[GRAFANA, HTTPBIN])
    found = ingresses(engine)
    assert set(found) == {
        "pomerium-ingress-controller-route-monitoring-grafana.example.com",
        "pomerium-ingress-controller-route-httpbin.example.com-api",
    }
    grafana = found["pomerium-ingress-controller-route-monitoring-grafana.example.com"]
    assert grafana["metadata"]["namespace"] == "monitoring"
    assert grafana["spec"]["ingressClassName"] == "pomerium"
    (rule,) = grafana["spec"]["rules"]
    assert rule["host"] == "grafana.example.com"
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"] == {"service": {"name": "grafana", "port": {"number": 3000}}}
    annotations = grafana["metadata"]["annotations"]
    assert annotations.pop("pulumi.com/skipAwait") == "true", "no controller status to wait for"
    assert set(annotations) == {"ingress.pomerium.io/policy", "ingress.pomerium.io/pass_identity_headers"}
    assert yaml.safe_load(annotations["ingress.pomerium.io/policy"]) == GRAFANA["policy"]
    assert annotations["ingress.pomerium.io/pass_identity_headers"] == "true"
    httpbin = found["pomerium-ingress-controller-route-httpbin.example.com-api"]
    assert httpbin["metadata"]["namespace"] == "pomerium"
    (path,) = httpbin["spec"]["rules"][0]["http"]["paths"]
    assert (path["path"], path["pathType"], path["backend"]["service"]["port"]["number"]) == ("/api", "Prefix", 8443)
    assert httpbin["metadata"]["annotations"] == {
        "pulumi.com/skipAwait": "true",
        "ingress.pomerium.io/secure_upstream": "true",
        "ingress.pomerium.io/timeout": "30s",
    }
    for ingress in found.values():
        document = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", **ingress}
        kubernetes_validate.validate(document, "1.34.0", strict=True)


def test_adding_a_route_leaves_the_other_routes_ingress_untouched() -> None:
    alone = ingresses(deployed(routes=[GRAFANA]))
    both = ingresses(deployed(routes=[HTTPBIN, GRAFANA]))
    assert {name: both[name] for name in alone} == alone


def test_a_custom_ingress_class_is_used() -> None:
    (ingress,) = ingresses(deployed(routes=[GRAFANA], ingressClassName="pomerium-team-a")).values()
    assert ingress["spec"]["ingressClassName"] == "pomerium-team-a"


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ({**GRAFANA, "to": "http://api.example.com:8080"}, "ExternalName"),
        ({**GRAFANA, "to": "h2c://grafana.monitoring:3000"}, "h2c"),
        ({**GRAFANA, "to": ["http://a.monitoring", "http://b.monitoring"]}, "one Service"),
        ({**GRAFANA, "to": "http://grafana.monitoring:3000/app"}, "prefix_rewrite"),
        ({**GRAFANA, "allowed_groups": ["admins"]}, "allowed_groups"),
        ({**GRAFANA, "tls_client_cert": "LS0t"}, "Secret-backed"),
        ({**GRAFANA, "prefix": "/a", "path": "/a"}, "keep one"),
    ],
)
def test_a_route_the_controller_cannot_carry_is_named_with_the_fix(route: dict[str, Any], words: str) -> None:
    (error,) = failure(**CONTROLLER, routes=json.dumps([route]))
    assert error.key.startswith("pomerium-auth0:routes[0]")
    assert words in str(error)


def test_two_routes_on_one_host_and_path_are_refused() -> None:
    (error,) = failure(**CONTROLLER, routes=json.dumps([GRAFANA, {**GRAFANA, "policy": []}]))
    assert error.key == "pomerium-auth0:routes[1]"
    assert "route 0" in error.problem


def test_deploy_pomerium_keeps_working_and_cannot_be_combined_with_consumer() -> None:
    (error,) = failure(**CONTROLLER, deployPomerium="true")
    assert error.key == "pomerium-auth0:deployPomerium"
    assert "config rm" in error.fix
    engine = new_engine(config=stack_config(deployPomerium="false"))
    engine.run_stack_program()
    assert not engine.monitor.of_type("kubernetes:apps/v1:Deployment")
    assert not engine.monitor.of_type(PATCH)


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({**CONTROLLER, "replicas": "2"}, "replicas"),
        ({**CONTROLLER, "tlsMode": "secret"}, "tlsMode"),
        ({**CONTROLLER, "rolloutTimeoutSeconds": "20"}, "rolloutTimeoutSeconds"),
        ({"consumer": "deployment", "bootstrapSecret": "pomerium/bootstrap"}, "bootstrapSecret"),
        ({"consumer": "none", "createPomeriumResource": "true"}, "createPomeriumResource"),
    ],
)
def test_a_setting_the_chosen_consumer_ignores_is_refused(config: dict[str, str], key: str) -> None:
    (error,) = failure(**config)
    assert error.key == f"pomerium-auth0:{key}"
    assert "has no effect" in error.problem


@pytest.mark.parametrize(
    ("field", "value"), [("routes", [{**GRAFANA, "to": "http://api.example.com"}]), ("pomerium_name", "Global")]
)
def test_component_arguments_are_checked_before_registration(field: str, value: object) -> None:
    args = {
        "authenticate_service_url": AUTHENTICATE_URL,
        "idp_provider_url": f"https://{TENANT}",
        "idp_secret_namespace": "pomerium",
        "idp_secret_name": "pomerium-idp",
        "namespace": "pomerium",
        "bootstrap_secret": "pomerium/bootstrap",
    }
    engine = new_engine()
    with pytest.raises(InputError) as raised:
        engine.run(lambda: PomeriumIngressController("c", {**args, field: value}))  # type: ignore[typeddict-item]
    assert raised.value.key.startswith(f"PomeriumIngressControllerArgs.{field}")
    assert engine.registrations == []
