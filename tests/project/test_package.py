"""The components as a package: installable wheel, and a schema other Pulumi languages consume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pomerium_auth0
import pytest
import yaml
from pomerium_auth0.provider_host import package_schema

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
        "pomerium-auth0:index:PomeriumIngressController",
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
        "consumer",
        "directorySync",
        "groupsClaim",
        "groupsClaimName",
        "groupsClaimAction",
        "connections",
        "protect",
        "clientSecretRotation",
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


def test_ingress_controller_interface(schema: dict[str, Any]) -> None:
    controller = schema["resources"]["pomerium-auth0:index:PomeriumIngressController"]
    assert sorted(controller["requiredInputs"]) == [
        "authenticateServiceUrl",
        "idpProviderUrl",
        "idpSecretName",
        "idpSecretNamespace",
        "namespace",
    ]
    assert set(controller["inputProperties"]) - set(controller["requiredInputs"]) == {
        "pomeriumName",
        "createPomerium",
        "bootstrapSecret",
        "cookieSecret",
        "sharedSecret",
        "signingKey",
        "routes",
        "ingressClassName",
        "protect",
    }
    assert set(controller["properties"]) == {"pomeriumName", "bootstrapSecret", "ingressNames"}
    assert all(prop.get("description") for prop in controller["inputProperties"].values())


PACKAGE_ROOT = ROOT / "provider"
PLUGIN_PROJECT_FIELDS = {"runtime", "packages", "requiredPulumiVersion", "template"}
"""What the CLI reads from PulumiPlugin.yaml (sdk/go/common/workspace/project.go, `PluginProject`); it
ignores any other field without a word, so none may be relied on."""


def test_the_package_root_is_beside_the_stack_program_not_at_it() -> None:
    manifest = yaml.safe_load((PACKAGE_ROOT / "PulumiPlugin.yaml").read_text())
    assert set(manifest) <= PLUGIN_PROJECT_FIELDS
    assert manifest["runtime"]["name"] == "python"
    # The Python host runs `python <package root>`: that must be the provider, never the stack program.
    assert (PACKAGE_ROOT / "__main__.py").read_text() != (ROOT / "__main__.py").read_text()
    assert not (ROOT / "PulumiPlugin.yaml").exists(), "beside Pulumi.yaml it made the host run the stack program"
    assert not (PACKAGE_ROOT / "Pulumi.yaml").exists()


def _pins(path: Path) -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return dict(line.split("==") for line in lines if "==" in line)


def test_the_package_roots_requirements_install_this_repository_with_the_stack_programs_pins() -> None:
    requirements = PACKAGE_ROOT / "requirements.txt"
    assert _pins(requirements) == _pins(ROOT / "requirements.txt")
    # pip runs in the package root, so `..` is this repository.
    assert "-e .." in requirements.read_text().splitlines()


@pytest.mark.parametrize(
    "command",
    [[sys.executable, str(PACKAGE_ROOT)], [str(PACKAGE_ROOT / "pulumi-resource-pomerium-auth0")]],
    ids=["python host", "executable"],
)
def test_the_package_root_starts_the_provider_the_way_the_cli_runs_it(command: list[str]) -> None:
    """`python <root> <engine>` is what the Python host runs; the executable is what a CLI without it runs."""
    process = subprocess.Popen(
        [*command, "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "POMERIUM_AUTH0_PYTHON": sys.executable},
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
    finally:
        process.kill()
        _, stderr = process.communicate()
    assert port.isdigit(), f"the provider printed no port: {stderr}"


def test_wheel_installs_the_components_with_type_information_and_action_code(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("pomerium_auth0-*.whl")
    assert wheel.name.startswith(f"pomerium_auth0-{pomerium_auth0.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"pomerium_auth0/py.typed", "pomerium_auth0/domain/groups_claim.js", "pomerium_auth0/__init__.py"} <= names
    assert not any(name.startswith(("tests/", "components/", "policy/")) for name in names)


def test_yaml_example_uses_only_what_the_schema_declares(schema: dict[str, Any]) -> None:
    program = yaml.safe_load((ROOT / "examples" / "yaml" / "Pulumi.yaml").read_text())
    assert program["packages"] == {"pomerium-auth0": "../../provider"}
    ours = {name: r for name, r in program["resources"].items() if r["type"].startswith("pomerium-auth0:")}
    assert {r["type"] for r in ours.values()} == {"pomerium-auth0:Auth0IdentityProvider", "pomerium-auth0:Pomerium"}
    for name, resource in ours.items():
        package, component = resource["type"].split(":")
        declared = schema["resources"][f"{package}:index:{component}"]
        assert set(resource["properties"]) <= set(declared["inputProperties"]), name
        assert set(declared["requiredInputs"]) <= set(resource["properties"]), name
    for reference in program["outputs"].values():
        resource_name, output = reference.strip("${}").split(".")
        component = ours[resource_name]["type"].split(":")[1]
        assert output in schema["resources"][f"pomerium-auth0:index:{component}"]["properties"]
