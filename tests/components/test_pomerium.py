"""Pomerium on Kubernetes: schema-valid objects, hardened pods, and pods that roll on every change."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pomerium_auth0 import InputErrors
from pomerium_auth0.components.pomerium import DEFAULT_IMAGE, RUN_AS
from pomerium_auth0.domain.k8s_metadata import CHECKSUM_ANNOTATION

from tests.conftest import AUTHENTICATE_URL, run_program, stack_config
from tests.harness import ROOT, Engine, Registration, is_secret_value, new_engine, resolve, unwrap

KUBERNETES_VERSIONS = ("1.34.0", "1.37.0")
SECRET_CONFIG = ["pomerium-auth0:cookieSecret", "pomerium-auth0:sharedSecret", "pomerium-auth0:signingKey"]
ROUTES = [
    {
        "from": "https://grafana.example.com",
        "to": "http://grafana.monitoring.svc.cluster.local:3000",
        "policy": [{"allow": {"or": [{"claim/pomerium.io/groups": "observability"}]}}],
    }
]


V032_PIN = "pomerium/pomerium:nonroot-v0.32.9"
"""The newest v0.32 release: users who pin it keep a working pod with the same settings."""
IMAGES = pytest.mark.parametrize("image", [{}, {"pomeriumImage": V032_PIN}], ids=["default-v0.33.1", "pinned-v0.32.9"])
"""The Pomerium-facing settings hold for the default image and for a v0.32.x pin alike."""


def kubernetes_objects(engine: Engine) -> list[dict[str, Any]]:
    return [unwrap(r.inputs) for r in engine.registrations if r.type.startswith("kubernetes:")]


def pod_spec(engine: Engine) -> dict[str, Any]:
    return unwrap(engine.monitor.named("pomerium-deployment").inputs)["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def deployment_of(engine: Engine) -> Registration:
    return engine.monitor.named("pomerium-deployment")


def container(engine: Engine) -> dict[str, Any]:
    (pomerium,) = pod_spec(engine)["containers"]
    return pomerium  # type: ignore[no-any-return]


def env(engine: Engine) -> dict[str, str]:
    """The container's plain environment values (not those it takes from a Secret's key)."""
    return {variable["name"]: variable["value"] for variable in container(engine)["env"] if "value" in variable}


def secret_keys_in_env(engine: Engine) -> dict[str, tuple[str, str]]:
    """Variable -> (Secret, key) for each variable the container takes from one key of a Secret."""
    return {
        variable["name"]: (variable["valueFrom"]["secretKeyRef"]["name"], variable["valueFrom"]["secretKeyRef"]["key"])
        for variable in container(engine)["env"]
        if "valueFrom" in variable
    }


def pomerium_secrets(engine: Engine) -> dict[str, str]:
    return unwrap(engine.monitor.named("pomerium-secrets").inputs["stringData"])  # type: ignore[no-any-return]


def signing_key_pem(curve: ec.EllipticCurve, private_format: serialization.PrivateFormat) -> str:
    """A fresh EC key, as base64 of its PEM: what a user would set as signingKey."""
    pem = ec.generate_private_key(curve).private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    )
    return base64.b64encode(pem).decode()


def load_signing_key(value: str) -> ec.EllipticCurvePrivateKey:
    """Parse SIGNING_KEY the way Pomerium does: base64, then a PEM private key."""
    key = serialization.load_pem_private_key(base64.b64decode(value, validate=True), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def checksum(engine: Engine) -> str:
    spec = unwrap(engine.monitor.named("pomerium-deployment").inputs["spec"])
    return spec["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION]  # type: ignore[no-any-return]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    "config",
    [
        {},
        {"tlsMode": "secret", "tlsSecretName": "pomerium-tls", "createNamespace": "true"},
        {"replicas": "3", "databrokerStorageSecret": "pomerium-databroker", "routes": json.dumps(ROUTES)},
    ],
    ids=["ingress", "tls-secret", "replicated-with-routes"],
)
def test_every_kubernetes_object_is_valid_against_the_official_schema(version: str, config: dict[str, str]) -> None:
    objects = kubernetes_objects(run_program("dev", None, **config))
    assert {obj["kind"] for obj in objects} >= {"Secret", "ConfigMap", "Deployment", "Service"}
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("image", ["pomerium/pomerium:v0.19.1", f"pomerium/pomerium@sha256:{'0' * 64}"])
def test_a_pomerium_that_may_sync_directories_reads_the_whole_idp_secret_service_account_included(image: str) -> None:
    engine = run_program("dev", None, secretName="pomerium-idp-dev", pomeriumImage=image)
    assert container(engine)["envFrom"] == [
        {"secretRef": {"name": "pomerium-idp-dev"}},
        {"secretRef": {"name": "pomerium-secrets"}},
    ]
    assert secret_keys_in_env(engine) == {}


def test_schema_validation_rejects_a_broken_object() -> None:
    broken = kubernetes_objects(run_program())
    deployment = next(obj for obj in broken if obj["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[-1], strict=True)


@IMAGES
def test_pomerium_reads_the_idp_secret_by_its_exact_name_and_its_own_secrets(image: dict[str, str]) -> None:
    engine = run_program("dev", None, secretName="pomerium-idp-dev", **image)
    # v0.20 and later never read IDP_SERVICE_ACCOUNT: the pod takes the login keys one by one.
    assert container(engine)["envFrom"] == [{"secretRef": {"name": "pomerium-secrets"}}]
    login_keys = ("IDP_PROVIDER", "IDP_PROVIDER_URL", "IDP_CLIENT_ID", "IDP_CLIENT_SECRET")
    assert secret_keys_in_env(engine) == {key: ("pomerium-idp-dev", key) for key in login_keys}
    assert env(engine)["AUTHENTICATE_SERVICE_URL"] == AUTHENTICATE_URL
    idp_secret = engine.monitor.named("pomerium-idp-secret").urn
    assert idp_secret in engine.monitor.named("pomerium-deployment").dependencies


def test_checksum_is_a_hash_that_changes_with_a_client_secret_and_only_then() -> None:
    first, second = run_program(), run_program()
    rotated = new_engine(config=stack_config())
    rotated.mocks.secret_overrides["pomerium-idp-directory-sync-credentials"] = "rotated-m2m-secret"
    rotated.run_stack_program()
    assert len(checksum(first)) == 64
    assert checksum(first) == checksum(second)
    assert checksum(first) != checksum(rotated)
    assert checksum(first) not in json.dumps(unwrap(first.monitor.named("pomerium-idp-secret").inputs))


def test_the_checksum_is_plain_so_previews_show_the_deployment_spec_while_its_inputs_stay_secret() -> None:
    # A secret annotation would make Pulumi mark the Deployment's whole top-level `spec` secret,
    # and every preview would show it as [secret].
    engine = run_program()
    spec = engine.monitor.named("pomerium-deployment").inputs["spec"]
    assert not is_secret_value(spec)
    assert spec["template"]["metadata"]["annotations"][CHECKSUM_ANNOTATION] == checksum(engine)
    component = engine.monitor.one("pomerium-auth0:index:Pomerium")
    assert engine.monitor.registered_outputs[component.urn]["config_checksum"] == checksum(engine)
    assert is_secret_value(engine.monitor.named("pomerium-secrets").inputs["stringData"])
    assert is_secret_value(engine.monitor.named("pomerium-idp-secret").inputs["stringData"])
    assert resolve(engine.stack_outputs()["secretChecksum"]).secret


def test_checksum_changes_when_routes_change() -> None:
    assert checksum(run_program()) != checksum(run_program(routes=json.dumps(ROUTES)))


def test_generated_cookie_and_shared_secrets_are_secret_and_decode_to_32_bytes() -> None:
    engine = run_program()
    data = engine.monitor.named("pomerium-secrets").inputs["stringData"]
    assert is_secret_value(data)
    values = unwrap(data)
    assert set(values) == {"COOKIE_SECRET", "SHARED_SECRET", "SIGNING_KEY"}
    assert values["COOKIE_SECRET"] != values["SHARED_SECRET"]
    for key in ("COOKIE_SECRET", "SHARED_SECRET"):
        assert len(base64.b64decode(values[key], validate=True)) == 32
    entropy = engine.monitor.of_type("random:index/randomPassword:RandomPassword")
    # Registration order is the engine's, not ours: compare as a set.
    assert {(r.name, r.inputs["length"], r.inputs["special"]) for r in entropy} == {
        ("pomerium-cookie-secret", 64, False),
        ("pomerium-shared-secret", 64, False),
        ("pomerium-signing-key", 64, False),
    }


def test_generated_signing_key_is_a_p256_key_in_the_format_pomerium_documents() -> None:
    value = pomerium_secrets(run_program())["SIGNING_KEY"]
    pem = base64.b64decode(value, validate=True)
    assert pem.startswith(b"-----BEGIN EC PRIVATE KEY-----\n")  # SEC1, as `openssl ecparam -genkey` writes
    assert isinstance(load_signing_key(value).curve, ec.SECP256R1)


@IMAGES
def test_every_replica_reads_the_one_signing_key_and_it_survives_a_rerun(image: dict[str, str]) -> None:
    # Without SIGNING_KEY each Pomerium v0.32 pod generates its own key: upstreams that verify the
    # JWT assertion would fail on every other request, and again after every rollout. v0.33
    # derives one from SHARED_SECRET instead; the explicit key serves both (pomerium.py).
    first = run_program("dev", None, replicas="3", databrokerStorageSecret="pomerium-databroker", **image)
    again = run_program("dev", None, replicas="3", databrokerStorageSecret="pomerium-databroker", **image)
    assert {"secretRef": {"name": "pomerium-secrets"}} in container(first)["envFrom"]
    assert "SIGNING_KEY" not in env(first)
    assert pomerium_secrets(first)["SIGNING_KEY"] == pomerium_secrets(again)["SIGNING_KEY"]


def test_generated_secrets_are_stable_across_runs() -> None:
    first = unwrap(run_program().monitor.named("pomerium-secrets").inputs["stringData"])
    again = unwrap(run_program().monitor.named("pomerium-secrets").inputs["stringData"])
    assert first == again


@pytest.mark.parametrize(
    "private_format",
    [serialization.PrivateFormat.TraditionalOpenSSL, serialization.PrivateFormat.PKCS8],
    ids=["sec1", "pkcs8"],
)
def test_users_may_supply_their_own_secrets(private_format: serialization.PrivateFormat) -> None:
    cookie = base64.b64encode(b"c" * 32).decode()
    shared = base64.b64encode(b"s" * 32).decode()
    signing = signing_key_pem(ec.SECP256R1(), private_format)
    engine = run_program(secret_keys=SECRET_CONFIG, cookieSecret=cookie, sharedSecret=shared, signingKey=signing)
    data = engine.monitor.named("pomerium-secrets").inputs["stringData"]
    assert is_secret_value(data)
    assert unwrap(data) == {"COOKIE_SECRET": cookie, "SHARED_SECRET": shared, "SIGNING_KEY": signing}
    assert engine.monitor.of_type("random:index/randomPassword:RandomPassword") == []


def test_a_signing_key_wrapped_by_base64_is_accepted_without_its_line_breaks() -> None:
    signing = signing_key_pem(ec.SECP256R1(), serialization.PrivateFormat.TraditionalOpenSSL)
    wrapped = "\n".join(signing[i : i + 76] for i in range(0, len(signing), 76)) + "\n"
    engine = run_program(secret_keys=SECRET_CONFIG, signingKey=wrapped)
    assert pomerium_secrets(engine)["SIGNING_KEY"] == signing


def test_a_new_signing_key_rolls_the_pods() -> None:
    keys = [signing_key_pem(ec.SECP256R1(), serialization.PrivateFormat.PKCS8) for _ in range(2)]
    first, second = (run_program(secret_keys=SECRET_CONFIG, signingKey=key) for key in keys)
    assert checksum(first) != checksum(second)


@pytest.mark.parametrize(
    "value",
    [
        signing_key_pem(ec.SECP384R1(), serialization.PrivateFormat.PKCS8),
        base64.b64encode(b"-----BEGIN EC PRIVATE KEY-----\nnot a key\n-----END EC PRIVATE KEY-----\n").decode(),
        base64.b64decode(signing_key_pem(ec.SECP256R1(), serialization.PrivateFormat.PKCS8)).decode(),
        base64.b64encode(b"s" * 32).decode(),
    ],
    ids=["p384", "garbage-pem", "pem-not-base64", "a-32-byte-secret"],
)
def test_a_signing_key_that_pomerium_could_not_use_as_es256_is_refused_without_echoing_it(value: str) -> None:
    engine = new_engine(config=stack_config(signingKey=value), secret_keys=SECRET_CONFIG)
    with pytest.raises(InputErrors) as raised:
        engine.run_stack_program()
    (error,) = raised.value.errors
    assert error.key == "pomerium-auth0:signingKey"
    assert "PEM ECDSA P-256 private key" in error.problem
    assert "prime256v1" in error.fix
    assert value not in str(error)
    assert engine.registrations == []


@pytest.mark.parametrize("key", ["cookieSecret", "signingKey"])
def test_supplied_secrets_in_plain_text_config_are_refused(key: str) -> None:
    value = signing_key_pem(ec.SECP256R1(), serialization.PrivateFormat.PKCS8)
    if key == "cookieSecret":
        value = base64.b64encode(b"c" * 32).decode()
    engine = new_engine(config=stack_config(**{key: value}))
    with pytest.raises(InputErrors, match=f"pomerium-auth0:{key}: .*--secret"):
        engine.run_stack_program()
    assert engine.registrations == []


@IMAGES
def test_pod_is_hardened(image: dict[str, str]) -> None:
    engine = run_program("dev", None, **image)
    spec = pod_spec(engine)
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    security = container(engine)["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert spec["securityContext"]["runAsUser"] == RUN_AS == 65532
    assert container(engine)["image"].startswith("pomerium/pomerium:nonroot-")  # its own user is 65532 too
    resources = container(engine)["resources"]
    assert set(resources["requests"]) == {"cpu", "memory"}
    assert set(resources["limits"]) == {"cpu", "memory"}


def test_the_default_image_is_v0_33_1_nonroot_and_a_v0_32_pin_changes_only_the_image() -> None:
    default, pinned = run_program(), run_program(pomeriumImage=V032_PIN)
    assert container(default)["image"] == DEFAULT_IMAGE == "pomerium/pomerium:nonroot-v0.33.1"
    assert container(pinned)["image"] == V032_PIN
    # No setting we pass differs between v0.32.9 and v0.33.1 (README, Pomerium on Kubernetes):
    # the pin runs the very same pod, down to the checksum that rolls it.
    assert {**pod_spec(pinned), "containers": []} == {**pod_spec(default), "containers": []}
    assert {**container(pinned), "image": None} == {**container(default), "image": None}
    assert checksum(pinned) == checksum(default)


def test_the_readme_gives_the_default_image() -> None:
    row = re.search(r"^\| `pomeriumImage` \| `([^`]+)` \|", (ROOT / "README.md").read_text(), re.MULTILINE)
    assert row is not None
    assert row.group(1) == DEFAULT_IMAGE


@IMAGES
def test_every_directory_pomerium_writes_to_is_a_writable_empty_dir(image: dict[str, str]) -> None:
    # The root filesystem (and $HOME with it) is read-only; Pomerium writes temp files (Envoy is
    # extracted there), its cache (inline certificates for Envoy) and its data directory.
    engine = run_program("dev", None, **image)
    variables = env(engine)
    empty_dirs = {volume["name"] for volume in pod_spec(engine)["volumes"] if "emptyDir" in volume}
    writable = {
        mount["mountPath"]
        for mount in container(engine)["volumeMounts"]
        if mount["name"] in empty_dirs and not mount.get("readOnly")
    }
    assert {"/tmp", variables["XDG_CACHE_HOME"], variables["XDG_DATA_HOME"]} <= writable
    assert len({"/tmp", variables["XDG_CACHE_HOME"], variables["XDG_DATA_HOME"]}) == 3


@IMAGES
def test_probes_use_pomeriums_health_endpoints_on_a_reachable_address(image: dict[str, str]) -> None:
    engine = run_program("dev", None, **image)
    pomerium = container(engine)
    assert pomerium["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
    assert pomerium["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
    assert pomerium["startupProbe"]["httpGet"] == {"path": "/startupz", "port": "health"}
    assert {"name": "health", "containerPort": 28080} in pomerium["ports"]
    assert env(engine)["HEALTH_CHECK_ADDR"] == ":28080"


@IMAGES
def test_a_started_pod_is_seen_within_a_second_and_may_take_five_minutes_to_start(image: dict[str, str]) -> None:
    # The kubelet probes startup only on the period's ticks: the period is the delay between
    # Pomerium answering and the rollout counting the pod; period x threshold is how long it may start.
    startup = container(run_program("dev", None, **image))["startupProbe"]
    assert startup["periodSeconds"] == 1
    assert startup["periodSeconds"] * startup["failureThreshold"] == 300


@IMAGES
def test_replicas_come_from_config_and_more_than_one_needs_shared_storage(image: dict[str, str]) -> None:
    engine = run_program("dev", None, replicas="3", databrokerStorageSecret="pomerium-databroker", **image)
    deployment = unwrap(engine.monitor.named("pomerium-deployment").inputs)
    assert deployment["spec"]["replicas"] == 3
    assert env(engine)["DATABROKER_STORAGE_TYPE"] == "postgres"
    assert {"secretRef": {"name": "pomerium-databroker"}} in container(engine)["envFrom"]
    with pytest.raises(InputErrors, match="pomerium-auth0:replicas"):
        new_engine(config=stack_config(replicas="2")).run_stack_program()


def test_default_routes_expose_nothing() -> None:
    config_map = unwrap(run_program().monitor.named("pomerium-config").inputs)
    assert yaml.safe_load(config_map["data"]["config.yaml"]) == {"routes": []}


@IMAGES
def test_routes_from_config_are_rendered_into_the_mounted_config_file(image: dict[str, str]) -> None:
    engine = run_program("dev", None, routes=json.dumps(ROUTES), **image)
    config_map = unwrap(engine.monitor.named("pomerium-config").inputs)
    assert yaml.safe_load(config_map["data"]["config.yaml"]) == {"routes": ROUTES}
    assert container(engine)["args"] == ["--config", "/etc/pomerium/config.yaml"]
    assert {"name": "config", "mountPath": "/etc/pomerium", "readOnly": True} in container(engine)["volumeMounts"]


@IMAGES
def test_behind_an_ingress_pomerium_serves_plain_http_inside_the_cluster(image: dict[str, str]) -> None:
    engine = run_program("dev", None, **image)
    assert env(engine)["INSECURE_SERVER"] == "true"
    assert env(engine)["ADDRESS"] == ":8080"
    service = unwrap(engine.monitor.named("pomerium-service").inputs)["spec"]
    assert service["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}]


@IMAGES
def test_with_a_certificate_secret_pomerium_serves_tls_itself(image: dict[str, str]) -> None:
    engine = run_program("dev", None, tlsMode="secret", tlsSecretName="pomerium-tls", **image)
    variables = env(engine)
    assert "INSECURE_SERVER" not in variables
    assert variables["ADDRESS"] == ":8443"
    assert variables["CERTIFICATE_FILE"] == "/etc/pomerium/tls/tls.crt"
    assert {"name": "tls", "secret": {"secretName": "pomerium-tls"}} in pod_spec(engine)["volumes"]
    service = unwrap(engine.monitor.named("pomerium-service").inputs)["spec"]
    assert service["ports"] == [{"name": "https", "port": 443, "targetPort": "https"}]


def test_tls_secret_mode_without_a_certificate_secret_is_refused() -> None:
    with pytest.raises(InputErrors, match="pomerium-auth0:tlsSecretName"):
        new_engine(config=stack_config(tlsMode="secret")).run_stack_program()


def test_service_selects_exactly_the_pomerium_pods() -> None:
    engine = run_program()
    deployment = unwrap(engine.monitor.named("pomerium-deployment").inputs)["spec"]
    selector = unwrap(engine.monitor.named("pomerium-service").inputs)["spec"]["selector"]
    assert selector == deployment["selector"]["matchLabels"]
    assert selector.items() <= deployment["template"]["metadata"]["labels"].items()


def test_the_service_waits_for_its_cluster_ip_not_for_endpoints_to_settle() -> None:
    """pulumi-kubernetes's Service wait sleeps 10 s after each Endpoints change; the Deployment's wait
    proves the pods. The annotation replaces that await with a condition, and readiness stays real."""
    engine = run_program()
    service = unwrap(engine.monitor.named("pomerium-service").inputs)["metadata"]
    assert service["annotations"] == {"pulumi.com/waitFor": "jsonpath={.spec.clusterIP}"}
    deployment = unwrap(engine.monitor.named("pomerium-deployment").inputs)["metadata"]
    assert not {"pulumi.com/skipAwait", "pulumi.com/waitFor"} & set(deployment.get("annotations", {}))


def test_a_rollout_timeout_sets_only_the_deployments_timeout_annotation_and_unset_changes_nothing() -> None:
    """Unset, the Deployment's inputs carry no annotation (so an existing stack sees no diff); set, only
    `pulumi.com/timeoutSeconds` on the Deployment's own metadata: same URN, same pod template, no roll."""
    default = deployment_of(run_program())
    bounded = deployment_of(run_program(rolloutTimeoutSeconds="20"))
    assert "annotations" not in default.inputs["metadata"]
    assert unwrap(bounded.inputs["metadata"])["annotations"] == {"pulumi.com/timeoutSeconds": "20"}
    assert bounded.urn == default.urn
    without = {**unwrap(bounded.inputs)["metadata"]}
    del without["annotations"]
    assert {**unwrap(bounded.inputs), "metadata": without} == unwrap(default.inputs)


@pytest.mark.parametrize("value", ["0", "-5", "86401", "20s", "1.5"])
def test_a_rollout_timeout_that_is_not_1_to_86400_seconds_is_refused_before_anything_is_created(value: str) -> None:
    engine = new_engine(config=stack_config(rolloutTimeoutSeconds=value))
    with pytest.raises(InputErrors) as raised:
        engine.run_stack_program()
    assert engine.registrations == []
    (error,) = raised.value.errors
    assert error.key == "pomerium-auth0:rolloutTimeoutSeconds"
    assert "set it to a number from 1 to 86400" in str(error)


def test_without_deploy_pomerium_only_the_idp_secret_is_produced() -> None:
    engine = run_program(deployPomerium="false")
    kinds = sorted(r.type for r in engine.registrations if r.type.startswith(("kubernetes:", "random:")))
    assert kinds == ["kubernetes:core/v1:Secret"]
    assert "pomeriumServiceName" not in engine.stack_outputs()


def test_created_namespace_enforces_the_restricted_pod_security_standard() -> None:
    engine = run_program(createNamespace="true")
    namespace = engine.monitor.one("kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"]["labels"] == {"pod-security.kubernetes.io/enforce": "restricted"}
    assert namespace.urn in engine.monitor.named("pomerium-idp-secret").dependencies
    assert namespace.urn in engine.monitor.named("pomerium-deployment").dependencies


def test_pomerium_outputs_name_the_service() -> None:
    outputs = run_program().stack_outputs()
    assert resolve(outputs["pomeriumServiceName"]).value == "pomerium"
    assert resolve(outputs["pomeriumServicePort"]).value == 80
