"""Property-based tests: malformed input always yields our clear error, valid input always deploys."""

from __future__ import annotations

import base64
import json
import string
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pomerium_auth0 import Auth0IdentityProvider, InputError, InputErrors, Pomerium
from pomerium_auth0.stack.stack_config import KEYS, SECRET_KEYS

from tests.conftest import AUTHENTICATE_URL, TENANT, stack_config
from tests.harness import new_engine, resolve, unwrap

PROFILE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?", fullmatch=True)
host = st.lists(label, min_size=2, max_size=4).map(".".join)
bad_label_text = st.sampled_from(["UPPER", "under_score", "-lead", "trail-", "dot.ted", "sp ace", "ünï", ""])
bad_host = st.one_of(
    st.sampled_from(["under_score", "-lead", "trail-", "sp ace", "ünï"]).map(lambda part: f"{part}.example.com"),
    label,  # a single label is not a fully qualified host
    st.just("a" * 64 + ".example.com"),
)
url_path = st.from_regex(r"/[a-z]{1,8}(/[a-z0-9]{1,8})?", fullmatch=True)

malformed_url = st.one_of(
    host.map(lambda h: f"http://{h}"),
    host.map(lambda h: h),
    st.tuples(host, url_path).map(lambda parts: f"https://{parts[0]}{parts[1]}"),
    host.map(lambda h: f"https://{h}/?next=/"),
    host.map(lambda h: f"https://{h}#fragment"),
    host.map(lambda h: f"https://user:pass@{h}"),
    host.map(lambda h: f"https://{h}:99999"),
    bad_host.map(lambda h: f"https://{h}"),
    st.sampled_from(["", "   ", "https://", "ftp://example.com"]),
)
malformed_domain = st.one_of(
    host.map(lambda h: f"https://{h}"),
    host.map(lambda h: f"{h}/"),
    st.tuples(host, url_path).map(lambda parts: f"{parts[0]}{parts[1]}"),
    host.map(lambda h: f"{h}:443"),
    bad_host,
    st.sampled_from(["", " "]),
)


def malformed_name(max_length: int, allow_dots: bool) -> st.SearchStrategy[str]:
    bad = [
        bad_label_text.filter(lambda text: text != "dot.ted" or not allow_dots),
        st.just("x" * (max_length + 1)),
        label.map(str.upper).filter(lambda text: text != text.lower()),
    ]
    return st.one_of(*bad)


malformed_choice = st.text(string.ascii_letters, min_size=1, max_size=12).filter(
    lambda text: text not in ("legacy", "enterprise", "off")
)
malformed_bool = st.text(string.printable, max_size=8).filter(
    lambda text: text.strip().lower() not in ("true", "false")
)
malformed_claim = st.one_of(
    st.sampled_from(["groups", "sub", "aud", "GROUPS", "roles", "permissions", "entitlements", "client_id"]),
    host.map(lambda h: f"https://{h}.auth0.com/roles"),
    st.tuples(label, label).map(lambda parts: f"{parts[0]} {parts[1]}"),
    label.map(lambda text: f'"{text}"'),
    st.just(""),
    st.integers(min_value=256, max_value=400).map(lambda length: "https://example.com/" + "g" * (length - 20)),
)

malformed_connections = st.one_of(
    st.just('"con_0123456789abcdef"'),  # a string, not a list
    st.just('["Username-Password-Authentication"]'),  # a name, not an ID
    st.just('["con_0123456789abcdef", "con_0123456789abcdef"]'),
    st.text(string.ascii_letters + "_-", min_size=1, max_size=20)
    .filter(lambda text: not text.startswith("con_"))
    .map(lambda text: json.dumps([text])),
    st.just("[con_"),
)

malformed_image = st.one_of(
    st.sampled_from(["Pomerium/Pomerium", "pomerium pomerium", "pomerium/pomerium:v1:v2", ":latest", "a@sha256:xyz"]),
    st.just(""),
)
malformed_replicas = st.one_of(
    st.integers(max_value=0).map(str), st.integers(min_value=51).map(str), st.sampled_from(["two", "1.5", ""])
)
malformed_rotation = st.one_of(
    st.integers(max_value=-1).map(str), st.integers(min_value=1_000_001).map(str), st.sampled_from(["one", "1.5", ""])
)
malformed_rollout_timeout = st.one_of(
    st.integers(max_value=0).map(str), st.integers(min_value=86_401).map(str), st.sampled_from(["20s", "1.5", ""])
)
route = st.fixed_dictionaries({"from": host.map(lambda h: f"https://{h}"), "to": host.map(lambda h: f"http://{h}")})
malformed_routes = st.one_of(
    st.sampled_from(["[", "{}", '"routes"', "[1]", "[[]]"]),
    route.map(lambda r: json.dumps([{**r, "from": r["from"].replace("https", "http")}])),
    route.map(lambda r: json.dumps([{**r, "from": r["from"] + "/app"}])),
    route.map(lambda r: json.dumps([{**r, "to": r["to"].replace("http", "ftp")}])),
    route.map(lambda r: json.dumps([{"to": r["to"]}])),
    route.map(lambda r: json.dumps([{**r, "Allowed Users": ["x"]}])),
)
malformed_key = st.one_of(
    st.sampled_from(["", "not base64!", "c2hvcnQ="]),
    st.binary(min_size=1, max_size=64)
    .filter(lambda raw: len(raw) != 32)
    .map(lambda raw: base64.b64encode(raw).decode()),
)


def _pem_key(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


_P256_PEM = _pem_key(ec.generate_private_key(ec.SECP256R1()))
malformed_signing_key = st.one_of(
    malformed_key,
    st.just(base64.b64encode(_pem_key(ec.generate_private_key(ec.SECP384R1()))).decode()),
    st.just(base64.b64encode(_pem_key(ed25519.Ed25519PrivateKey.generate())).decode()),
    st.just(_P256_PEM.decode()),  # the PEM itself, not base64 of it
    st.integers(min_value=1, max_value=len(_P256_PEM) - 1).map(
        lambda cut: base64.b64encode(_P256_PEM[:cut]).decode()  # truncated
    ),
)

MALFORMED: dict[str, st.SearchStrategy[str]] = {
    "authenticateServiceUrl": malformed_url,
    "idpProviderUrl": malformed_url,
    "auth0Domain": malformed_domain,
    "namespace": malformed_name(63, allow_dots=False),
    "secretName": malformed_name(253, allow_dots=True),
    "appName": malformed_name(48, allow_dots=False),
    "directorySync": malformed_choice,
    "groupsClaim": malformed_bool,
    "groupsClaimName": malformed_claim,
    "connections": malformed_connections,
    "groupsClaimAction": malformed_choice.filter(lambda text: text not in ("own", "shared")),
    "protect": malformed_bool,
    "checkBootstrapScopes": malformed_bool,
    "createNamespace": malformed_bool,
    "consumer": malformed_choice.filter(lambda text: text not in ("deployment", "ingress-controller", "none")),
    "deployPomerium": malformed_bool,
    "pomeriumImage": malformed_image,
    "replicas": malformed_replicas,
    "rolloutTimeoutSeconds": malformed_rollout_timeout,
    "clientSecretRotation": malformed_rotation,
    "routes": malformed_routes,
    "tlsMode": malformed_choice.filter(lambda text: text not in ("ingress", "secret")),
    "tlsSecretName": malformed_name(253, allow_dots=True),
    "databrokerStorageSecret": malformed_name(253, allow_dots=True),
    "pomeriumResourceName": malformed_name(253, allow_dots=True),
    "createPomeriumResource": malformed_bool,
    "bootstrapSecret": st.one_of(
        label, st.tuples(label, malformed_name(253, allow_dots=True)).map("/".join), st.just("a/b/c")
    ),
    "ingressClassName": malformed_name(253, allow_dots=True),
    "cookieSecret": malformed_key,
    "sharedSecret": malformed_key,
    "signingKey": malformed_signing_key,
}
SECRET_CONFIG = [f"pomerium-auth0:{key}" for key in SECRET_KEYS]


def test_every_config_key_has_a_malformed_strategy() -> None:
    assert set(MALFORMED) == set(KEYS)


def names_key(error: InputError, key: str) -> bool:
    """The error is about `key`, or one element of it (e.g. routes[2])."""
    return error.key == key or error.key.startswith(key + "[")


def config_failure(config: dict[str, str]) -> InputErrors:
    engine = new_engine(config=config, secret_keys=SECRET_CONFIG)
    with pytest.raises(InputErrors) as raised:
        engine.run_stack_program()
    assert engine.registrations == []
    return raised.value


@settings(PROFILE, max_examples=600)
@given(st.sampled_from(sorted(MALFORMED)).flatmap(lambda key: st.tuples(st.just(key), MALFORMED[key])))
def test_malformed_config_always_stops_with_an_error_naming_the_key(case: tuple[str, str]) -> None:
    key, value = case
    (error,) = config_failure(stack_config(**{key: value})).errors
    assert names_key(error, f"pomerium-auth0:{key}")
    assert "Fix:" in str(error)


@settings(PROFILE, max_examples=150)
@given(st.from_regex(r"[a-z][a-zA-Z]{2,20}", fullmatch=True).filter(lambda key: key not in KEYS))
def test_unknown_config_keys_are_rejected(key: str) -> None:
    errors = config_failure(stack_config(**{key: "value"})).errors
    assert [error.key for error in errors] == [f"pomerium-auth0:{key}"]


@settings(PROFILE, max_examples=300)
@given(st.sampled_from(sorted(MALFORMED)), st.text(max_size=40))
def test_any_text_for_any_key_either_deploys_or_names_that_key(key: str, value: str) -> None:
    engine = new_engine(config=stack_config(**{key: value}), secret_keys=SECRET_CONFIG)
    failure: InputErrors | None = None
    try:
        engine.run_stack_program()
    except InputErrors as raised:
        failure = raised
    if failure is not None:
        (error,) = failure.errors
        assert names_key(error, f"pomerium-auth0:{key}")
        assert engine.registrations == []
    else:
        assert engine.monitor.of_type("kubernetes:core/v1:Secret")


FIELD_FOR_KEY = {
    "authenticateServiceUrl": "authenticate_service_url",
    "idpProviderUrl": "idp_provider_url",
    "auth0Domain": "auth0_domain",
    "namespace": "namespace",
    "secretName": "secret_name",
    "appName": "app_name",
    "directorySync": "directory_sync",
    "groupsClaimName": "groups_claim_name",
    "clientSecretRotation": "client_secret_rotation",
}


POMERIUM_FIELD_FOR_KEY = {
    "authenticateServiceUrl": "authenticate_service_url",
    "namespace": "namespace",
    "pomeriumImage": "image",
    "replicas": "replicas",
    "rolloutTimeoutSeconds": "rollout_timeout_seconds",
    "routes": "routes",
    "tlsMode": "tls_mode",
    "tlsSecretName": "tls_secret_name",
    "databrokerStorageSecret": "databroker_storage_secret",
    "cookieSecret": "cookie_secret",
    "sharedSecret": "shared_secret",
    "signingKey": "signing_key",
}


def construct_identity_provider(field: str, value: str) -> None:
    args = {"authenticate_service_url": AUTHENTICATE_URL, "auth0_domain": TENANT, "app_name": "pomerium-test"}
    Auth0IdentityProvider("idp", {**args, field: value})  # type: ignore[typeddict-item]


def construct_pomerium(field: str, value: str) -> None:
    """Pomerium with one malformed argument, given in the argument's own type where it has one."""
    args: dict[str, Any] = {
        "authenticate_service_url": AUTHENTICATE_URL,
        "namespace": "pomerium",
        "idp_secret_name": "pomerium-idp",
        "idp_secret_checksum": "0" * 64,
    }
    if field == "tls_secret_name":
        args["tls_mode"] = "secret"
    typed: Any = value
    if field in ("replicas", "rollout_timeout_seconds") and value.lstrip("-").isdigit():
        typed = int(value)
    if field == "routes" and value.startswith(("[", "{")) and value != "[":
        typed = json.loads(value)
    Pomerium("pomerium", {**args, field: typed})  # type: ignore[typeddict-item]


COMPONENT_CASES = [
    ("Auth0IdentityProviderArgs", construct_identity_provider, key, field) for key, field in FIELD_FOR_KEY.items()
] + [("PomeriumArgs", construct_pomerium, key, field) for key, field in POMERIUM_FIELD_FOR_KEY.items()]


@settings(PROFILE, max_examples=300)
@given(st.sampled_from(COMPONENT_CASES).flatmap(lambda case: st.tuples(st.just(case), MALFORMED[case[2]])))
def test_malformed_component_arguments_fail_before_registration(case: tuple[Any, str]) -> None:
    (args_type, build, _, field), value = case
    engine = new_engine()
    with pytest.raises(InputError) as raised:
        engine.run(lambda: build(field, value))
    assert names_key(raised.value, f"{args_type}.{field}")
    if field != "idp_provider_url":  # checked once the tenant domain default is resolved
        assert engine.registrations == []


@settings(PROFILE, max_examples=120)
@given(
    authenticate_host=host,
    tenant=host,
    namespace=label,
    secret_name=st.lists(label, min_size=1, max_size=3).map(".".join),
    directory_sync=st.sampled_from(["legacy", "enterprise", "off"]),
    groups_claim=st.booleans(),
    trailing_slash=st.booleans(),
)
def test_valid_config_always_deploys_with_the_values_given(
    authenticate_host: str,
    tenant: str,
    namespace: str,
    secret_name: str,
    directory_sync: str,
    groups_claim: bool,
    trailing_slash: bool,
) -> None:
    url = f"https://{authenticate_host}" + ("/" if trailing_slash else "")
    engine = new_engine(
        config=stack_config(
            authenticateServiceUrl=url,
            auth0Domain=tenant,
            namespace=namespace,
            secretName=secret_name,
            directorySync=directory_sync,
            groupsClaim=str(groups_claim).lower(),
        )
    )
    outputs = engine.run_stack_program()
    assert resolve(outputs["secretNamespace"]).value == namespace
    assert resolve(outputs["secretName"]).value == secret_name
    web = engine.monitor.named("pomerium-idp-web").inputs
    assert web["callbacks"] == [f"https://{authenticate_host}/oauth2/callback"]
    data = unwrap(engine.monitor.named("pomerium-idp-secret").inputs["stringData"])
    assert data["IDP_PROVIDER_URL"] == f"https://{tenant}"
    assert ("IDP_SERVICE_ACCOUNT" in data) == (directory_sync != "off")
