"""One declaration per setting: the README's table, the package schema and the components agree with it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pomerium_auth0 import InputErrors, Pomerium, PomeriumArgs, PomeriumIngressController
from pomerium_auth0.components import identity_provider, ingress_controller, pomerium
from pomerium_auth0.inputs.settings import Arguments, camel_case
from pomerium_auth0.stack.stack_config import ALL_ARGUMENTS, KEYS

from tests.harness import ROOT, new_engine

COMPONENTS = {
    "Auth0IdentityProvider": identity_provider.ARGUMENTS,
    "Pomerium": pomerium.ARGUMENTS,
    "PomeriumIngressController": ingress_controller.ARGUMENTS,
}


STACK_DEFAULTS = {"appName": "`pomerium-<stack>`", "auth0Domain": "`auth0:domain`"}
"""Required arguments of the IdP component that the stack program supplies itself (stack_config)."""


def readme_configuration_rows() -> dict[str, str]:
    """Key -> Default cell of the README's configuration table."""
    section = (ROOT / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            for key in re.findall(r"`([A-Za-z0-9]+)`", cells[0]):
                rows[key] = cells[1]
    return rows


def declaration(key: str) -> tuple[Arguments, str]:
    """The first declaration of a config key, in the order the stack reads them."""
    return next((arguments, arguments.config_keys[key]) for arguments in ALL_ARGUMENTS if key in arguments.config_keys)


def rendered(default: object) -> str | None:
    """A declared default as the README and the schema write it."""
    if isinstance(default, bool):
        return str(default).lower()
    if default == []:
        return "none"
    return None if default is None else str(default)


def test_the_readme_table_lists_every_config_key_and_its_declared_default() -> None:
    rows = readme_configuration_rows()
    assert sorted(rows) == sorted(KEYS)
    for key, cell in rows.items():
        arguments, argument = declaration(key)
        default = rendered(arguments.settings[argument].default_for({}))
        if default is not None:
            assert cell.startswith((f"`{default}`", default)), (key, cell, default)
        elif key in STACK_DEFAULTS:
            assert cell == STACK_DEFAULTS[key], key
        elif argument in arguments.required:
            assert "required" in cell, (key, cell)


def test_the_package_schema_has_exactly_the_declared_arguments_and_defaults() -> None:
    schema = json.loads((ROOT / "provider" / "schema.json").read_text())
    for component, arguments in COMPONENTS.items():
        resource = schema["resources"][f"pomerium-auth0:index:{component}"]
        properties = resource["inputProperties"]
        assert sorted(properties) == sorted(camel_case(argument) for argument in arguments.settings)
        assert sorted(resource.get("requiredInputs", [])) == sorted(camel_case(name) for name in arguments.required)
        for argument, setting in arguments.settings.items():
            said = re.search(r"Default: ([^ ]+?)\.?$", properties[camel_case(argument)].get("description", ""))
            default = rendered(setting.default_for({}))
            if said and default is not None:
                assert said.group(1) == default, (component, argument)


def pomerium_args(**overrides: Any) -> PomeriumArgs:
    args: dict[str, Any] = {
        "authenticate_service_url": "https://authenticate.example.com",
        "namespace": "pomerium",
        "idp_secret_name": "pomerium-idp",
        "idp_secret_checksum": "0" * 64,
    }
    return PomeriumArgs(**{**args, **overrides})  # type: ignore[typeddict-item]


def test_a_component_reports_every_bad_argument_at_once_before_registering_anything() -> None:
    engine = new_engine()
    with pytest.raises(InputErrors) as raised:
        Pomerium("pomerium", pomerium_args(replicas=0, tls_mode="mtls", namespace="Bad_Namespace", image="no image"))
    assert [error.key for error in raised.value.errors] == [
        "PomeriumArgs.namespace",
        "PomeriumArgs.image",
        "PomeriumArgs.replicas",
        "PomeriumArgs.tls_mode",
    ]
    assert engine.registrations == []


def test_a_rule_across_arguments_names_them_as_the_caller_wrote_them() -> None:
    new_engine()
    with pytest.raises(InputErrors) as raised:
        PomeriumIngressController(
            "controller",
            {
                "authenticate_service_url": "https://authenticate.example.com",
                "idp_provider_url": "https://example.us.auth0.com",
                "idp_secret_namespace": "pomerium",
                "idp_secret_name": "pomerium-idp",
                "namespace": "pomerium",
                "ingress_class_name": "Not A Class",
            },
        )
    keys = [error.key.removeprefix("PomeriumIngressControllerArgs.") for error in raised.value.errors]
    assert keys == ["ingress_class_name", "bootstrap_secret"]
    assert "set create_pomerium so" in raised.value.errors[1].fix


def test_the_plugin_host_carries_no_code_only_the_stack_program_or_the_tools_use() -> None:
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, pomerium_auth0.provider_host; print(' '.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert "pomerium_auth0.components.pomerium" in loaded
    assert [module for module in loaded if module.startswith(("pomerium_auth0.stack", "pomerium_auth0.tools"))] == []
