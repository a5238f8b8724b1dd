"""The component package from other Pulumi languages, with the real CLI and the YAML language host.

- `pulumi package get-schema` of the package root's executable equals `provider/schema.json`.
- `examples/yaml` (this file's values injected as stack config) goes through `up`, a no-op
  `preview --expect-no-changes` and `destroy` against the sandbox, each read back from the tenant
  and the cluster; a bad argument stops `preview` with the sentence the Python component raises.
- `examples/typescript` type-checks (`tsc --noEmit`) against the Node.js SDK generated from the
  live provider's schema. The Node.js language host cannot be built from served modules, so that
  program's `pulumi up` is not run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pomerium_auth0 import Auth0IdentityProvider
from pomerium_auth0.inputs.input_errors import InputError

from e2e.conftest import BINDINGS, ROOT, Result, Sandbox, Stack, assert_all_succeeded

PACKAGE_ROOT = ROOT / "provider"
EXECUTABLE = PACKAGE_ROOT / "pulumi-resource-pomerium-auth0"
YAML_EXAMPLE = ROOT / "examples" / "yaml"
TYPESCRIPT_EXAMPLE = ROOT / "examples" / "typescript"
GOOD_URL = "https://authenticate.sandbox.example.com"
NODE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pomerium-auth0" / "node"


def run(sandbox: Sandbox, command: list[str], cwd: Path, check: bool = True) -> Result:
    """One command outside any stack (schema, SDK generation, npm, tsc), with the sandbox's engine on PATH."""
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=sandbox.env, capture_output=True, text=True, timeout=600, check=False)
    result = Result(command, done.returncode, done.stdout, done.stderr, time.monotonic() - started)
    if check and result.returncode != 0:
        pytest.fail(f"command failed:\n{result.describe()}")
    return result


@pytest.fixture(scope="module")
def live_schema(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema the running provider reports to the real CLI, started from the package root."""
    shown = run(sandbox, ["pulumi", "package", "get-schema", str(EXECUTABLE)], tmp_path_factory.mktemp("schema"))
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    path.write_text(shown.stdout)
    return path


def test_get_schema_of_the_package_root_equals_the_checked_in_schema(sandbox: Sandbox, live_schema: Path) -> None:
    # The CLI binds and re-marshals every schema it prints (it adds `config: {}`, drops empty maps and
    # nested item descriptions), so the checked-in file goes through the same command: equal output
    # means the same package. The in-process check of every field is tests/project/test_package.py.
    command = ["pulumi", "package", "get-schema", str(PACKAGE_ROOT / "schema.json")]
    checked_in = run(sandbox, command, live_schema.parent)
    live = json.loads(live_schema.read_text())
    assert live == json.loads(checked_in.stdout)
    assert set(live["resources"]) == {
        "pomerium-auth0:index:Auth0IdentityProvider",
        "pomerium-auth0:index:Pomerium",
        "pomerium-auth0:index:PomeriumIngressController",
    }


# --- YAML -------------------------------------------------------------------------------------------


def yaml_project(directory: Path) -> Path:
    """examples/yaml as it is, except its package path made absolute for the new project directory."""
    program = yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text())
    source = program["packages"]["pomerium-auth0"]
    program["packages"]["pomerium-auth0"] = str((YAML_EXAMPLE / source).resolve())
    directory.mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    return directory


@pytest.fixture(scope="module")
def yaml_stack(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    name = f"e2e-yaml-{secrets.token_hex(3)}"
    stack = Stack(name, yaml_project(tmp_path_factory.mktemp("yaml") / name), sandbox)
    stack.cli("stack", "init")
    values = {
        "authenticateServiceUrl": GOOD_URL,
        "auth0Domain": sandbox.tenant.info["domain"],
        "appName": f"pomerium-{name}",
        "namespaceName": name,
    }
    for key, value in values.items():
        stack.cli("config", "set", key, value)
    yield stack
    with BINDINGS:
        destroyed = stack.cli("destroy", "--yes", "--skip-preview", check=False)
    assert_all_succeeded([destroyed, stack.cli("stack", "rm", "--yes", check=False)])


def our_clients(stack: Stack) -> list[dict[str, Any]]:
    """The YAML program's applications in the tenant (its `appName` config is `pomerium-<stack>`)."""
    return stack.sandbox.tenant.stack_objects(f"pomerium-{stack.name}").clients


def test_yaml_bad_argument_stops_preview_with_the_python_components_sentence(
    sandbox: Sandbox, yaml_stack: Stack
) -> None:
    bad = "http://authenticate.sandbox.example.com"
    with pytest.raises(InputError) as from_python:
        Auth0IdentityProvider(
            "idp",
            {"authenticate_service_url": bad, "auth0_domain": "acme.eu.auth0.com", "app_name": "pomerium-yaml"},
        )
    yaml_stack.cli("config", "set", "authenticateServiceUrl", bad)
    before = sandbox.tenant.last_seq()
    try:
        preview = yaml_stack.cli("preview", check=False)
    finally:
        yaml_stack.cli("config", "set", "authenticateServiceUrl", GOOD_URL)
    output = preview.stdout + preview.stderr
    assert preview.returncode != 0
    assert str(from_python.value) in output
    assert f'property authenticateServiceUrl with value "{bad}" has a problem' in output
    assert "Traceback" not in output, "the user must get our sentence, not a stack trace"
    assert 'File "' not in output
    assert sandbox.tenant.requests(before) == []
    assert our_clients(yaml_stack) == []
    assert sandbox.kube.get_or_none(f"/api/v1/namespaces/{yaml_stack.name}") is None


def test_yaml_program_up_creates_the_applications_the_secret_and_pomerium(sandbox: Sandbox, yaml_stack: Stack) -> None:
    with BINDINGS:
        yaml_stack.cli("up", "--yes", "--skip-preview")
    outputs = yaml_stack.outputs()
    (web,) = our_clients(yaml_stack)
    assert web["name"] == f"pomerium-{yaml_stack.name}"
    assert web["callbacks"] == [f"{GOOD_URL}/oauth2/callback"]
    assert outputs["webClientId"] == web["client_id"]
    namespace = f"/api/v1/namespaces/{yaml_stack.name}"
    secret = sandbox.kube.get(f"{namespace}/secrets/{outputs['secretName']}")
    assert base64.b64decode(secret["data"]["IDP_CLIENT_ID"]).decode() == web["client_id"]
    deployment = sandbox.kube.get(f"/apis/apps/v1/namespaces/{yaml_stack.name}/deployments/{outputs['deploymentName']}")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    # The default image (v0.33.1) reads the IdP Secret's login keys one by one, never IDP_SERVICE_ACCOUNT.
    from_secret = {v["name"]: v["valueFrom"]["secretKeyRef"]["name"] for v in container["env"] if "valueFrom" in v}
    assert from_secret == dict.fromkeys(
        ("IDP_PROVIDER", "IDP_PROVIDER_URL", "IDP_CLIENT_ID", "IDP_CLIENT_SECRET"), outputs["secretName"]
    )
    assert sandbox.kube.get(f"{namespace}/services/{outputs['serviceName']}")


def test_yaml_program_second_preview_changes_nothing(yaml_stack: Stack) -> None:
    yaml_stack.cli("preview", "--expect-no-changes")


def test_yaml_program_destroy_removes_everything(sandbox: Sandbox, yaml_stack: Stack) -> None:
    outputs = yaml_stack.outputs()
    with BINDINGS:
        yaml_stack.cli("destroy", "--yes", "--skip-preview")
    objects = sandbox.tenant.stack_objects(f"pomerium-{yaml_stack.name}")
    assert (objects.clients, objects.actions) == ([], [])
    assert sandbox.kube.get_or_none(f"/api/v1/namespaces/{yaml_stack.name}/secrets/{outputs['secretName']}") is None
    deployment = f"/apis/apps/v1/namespaces/{yaml_stack.name}/deployments/{outputs['deploymentName']}"
    assert sandbox.kube.get_or_none(deployment) is None
    assert sandbox.kube.get_or_none(f"/api/v1/namespaces/{yaml_stack.name}") is None


# --- TypeScript -------------------------------------------------------------------------------------


def node_modules(sandbox: Sandbox) -> Path:
    """examples/typescript's pinned packages, installed once per lock file outside the clone."""
    lock = (TYPESCRIPT_EXAMPLE / "package-lock.json").read_bytes()
    cached = NODE_CACHE / hashlib.sha256(lock).hexdigest()[:16]
    if not (cached / "complete").exists():
        shutil.rmtree(cached, ignore_errors=True)
        cached.mkdir(parents=True)
        for file in ("package.json", "package-lock.json"):
            shutil.copy(TYPESCRIPT_EXAMPLE / file, cached / file)
        run(sandbox, ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cached)
        (cached / "complete").touch()
    return cached / "node_modules"


def test_typescript_program_type_checks_against_the_sdk_generated_from_the_live_schema(
    sandbox: Sandbox, live_schema: Path, tmp_path: Path
) -> None:
    for file in ("index.ts", "tsconfig.json", "package.json"):
        shutil.copy(TYPESCRIPT_EXAMPLE / file, tmp_path / file)
    (tmp_path / "node_modules").symlink_to(node_modules(sandbox))
    run(sandbox, ["pulumi-gen-nodejs-sdk", str(live_schema), str(tmp_path / "sdk")], tmp_path)
    assert (tmp_path / "sdk" / "auth0IdentityProvider.ts").is_file()
    assert (tmp_path / "sdk" / "pomeriumIngressController.ts").is_file()
    tsc = [str(tmp_path / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", "."]
    run(sandbox, tsc, tmp_path)

    # The check is live: an argument the schema does not declare fails it.
    program = (tmp_path / "index.ts").read_text()
    broken = program.replace('directorySync: "off",', 'directorySync: "off", notAnArgument: 1,')
    (tmp_path / "index.ts").write_text(broken)
    refused = run(sandbox, tsc, tmp_path, check=False)
    assert refused.returncode != 0
    assert "'notAnArgument' does not exist in type 'Auth0IdentityProviderArgs'" in refused.stdout
