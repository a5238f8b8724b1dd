"""Every file the Pulumi CLI parses is valid YAML, and every project file follows Pulumi's schema.

The mocks never read these files, so an invalid `Pulumi.yaml` once shipped: an unquoted `: ` in
`description` that any YAML parser rejects. Pulumi publishes the project schema only inside its Go
SDK (`sdk/go/common/workspace/project.json`); `scripts/engine.sh` copies it next to the engine it
builds and `scripts/e2e.sh` points `PULUMI_PROJECT_SCHEMA` at it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.harness import ROOT

PROJECT_FILES = sorted([ROOT / "Pulumi.yaml", *ROOT.glob("examples/*/Pulumi.yaml")])
CLI_FILES = sorted([*PROJECT_FILES, ROOT / "provider" / "PulumiPlugin.yaml", *ROOT.glob("stacks/Pulumi.*.yaml")])


class _UniqueKeyLoader(yaml.SafeLoader):
    """Rejects duplicate keys, which Go's YAML decoder treats as an error and PyYAML silently merges."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key_node, deep=deep) for key_node, _ in node.value]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {sorted(duplicates)}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


def load(path: Path) -> dict[str, Any]:
    document = yaml.load(path.read_text(), Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    assert isinstance(document, dict), f"{path.relative_to(ROOT)} must be a YAML mapping"
    return document


@pytest.mark.parametrize("path", CLI_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_file_the_cli_reads_is_valid_yaml(path: Path) -> None:
    load(path)


def test_the_duplicate_key_check_is_live(tmp_path: Path) -> None:
    broken = tmp_path / "Pulumi.yaml"
    broken.write_text("name: a\nname: b\n")
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate keys"):
        load(broken)


@pytest.fixture(scope="module")
def project_schema() -> dict[str, Any]:
    location = os.environ.get("PULUMI_PROJECT_SCHEMA")
    if not location:
        pytest.skip("PULUMI_PROJECT_SCHEMA is not set: scripts/e2e.sh runs this with the engine's schema")
    schema: dict[str, Any] = json.loads(Path(location).read_text())
    return schema


@pytest.mark.parametrize("path", PROJECT_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_project_files_follow_pulumis_published_schema(path: Path, project_schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(project_schema)
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(load(path))
    ]
    assert problems == [], f"{path.relative_to(ROOT)} breaks Pulumi's project schema: {problems}"


def test_the_schema_check_rejects_a_broken_project(project_schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(project_schema)
    assert not validator.is_valid({"name": "x", "runtime": {"name": "python", "options": "not-a-map"}})
