"""The components as a package: installable wheel, and a schema other Pulumi languages consume."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pomerium_auth0
import pytest
import yaml
from pomerium_auth0.provider import package_schema

from tests.harness import ROOT

SCHEMA_FILE = ROOT / "provider" / "schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return package_schema()


def test_checked_in_schema_is_current(schema: dict[str, Any]) -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == schema, "run scripts/generate-schema.sh and commit the result"


def test_schema_names_both_components_under_the_package(schema: dict[str, Any]) -> None:
    assert schema["name"] == "pomerium-auth0"
    assert schema["version"] == pomerium_auth0.__version__
    assert set(schema["resources"]) == {
        "pomerium-auth0:index:Auth0IdentityProvider",
        "pomerium-auth0:index:Pomerium",
    }
    assert all(resource["isComponent"] for resource in schema["resources"].values())


def test_identity_provider_interface(schema: dict[str, Any]) -> None:
    idp = schema["resources"]["pomerium-auth0:index:Auth0IdentityProvider"]
    assert set(idp["inputProperties"]) == {
        "authenticateServiceUrl",
        "auth0Domain",
        "appName",
        "idpProviderUrl",
        "namespace",
        "secretName",
        "directorySync",
        "groupsClaim",
        "groupsClaimName",
        "groupsClaimAction",
        "connections",
        "protect",
    }
    assert sorted(idp["requiredInputs"]) == ["appName", "auth0Domain", "authenticateServiceUrl"]
    assert set(idp["properties"]) == {
        "webClientId",
        "directorySyncClientId",
        "idpProviderUrl",
        "secretName",
        "secretNamespace",
        "secretChecksum",
    }
    assert "directorySyncClientId" not in idp["required"]
    assert all(prop.get("description") for prop in idp["inputProperties"].values())


def test_pomerium_interface(schema: dict[str, Any]) -> None:
    pomerium = schema["resources"]["pomerium-auth0:index:Pomerium"]
    assert sorted(pomerium["requiredInputs"]) == [
        "authenticateServiceUrl",
        "idpSecretChecksum",
        "idpSecretName",
        "namespace",
    ]
    assert {
        "routes",
        "tlsMode",
        "tlsSecretName",
        "cookieSecret",
        "sharedSecret",
        "signingKey",
        "replicas",
        "protect",
    } <= set(pomerium["inputProperties"])
    assert set(pomerium["properties"]) == {"serviceName", "servicePort", "deploymentName", "configChecksum"}


def test_plugin_manifest_matches_the_package() -> None:
    manifest = yaml.safe_load((ROOT / "PulumiPlugin.yaml").read_text())
    assert manifest["runtime"] == "python"
    assert manifest["version"] == pomerium_auth0.__version__
    assert (ROOT / manifest["main"]).is_file()


def test_wheel_installs_the_components_with_type_information_and_action_code(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("pomerium_auth0-*.whl")
    assert wheel.name.startswith(f"pomerium_auth0-{pomerium_auth0.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"pomerium_auth0/py.typed", "pomerium_auth0/groups_claim.js", "pomerium_auth0/__init__.py"} <= names
    assert not any(name.startswith(("tests/", "components/", "policy/")) for name in names)


def test_yaml_example_uses_only_what_the_schema_declares(schema: dict[str, Any]) -> None:
    program = yaml.safe_load((ROOT / "examples" / "yaml" / "Pulumi.yaml").read_text())
    assert program["packages"] == {"pomerium-auth0": "../.."}
    for name, resource in program["resources"].items():
        package, component = resource["type"].split(":")
        declared = schema["resources"][f"{package}:index:{component}"]
        assert set(resource["properties"]) <= set(declared["inputProperties"]), name
        assert set(declared["requiredInputs"]) <= set(resource["properties"]), name
    for reference in program["outputs"].values():
        resource_name, output = reference.strip("${}").split(".")
        component = program["resources"][resource_name]["type"].split(":")[1]
        assert output in schema["resources"][f"pomerium-auth0:index:{component}"]["properties"]
