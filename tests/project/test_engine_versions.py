"""The engine's version stamps, its Go modules and the version table of docs/real-engine.md say the same thing."""

from __future__ import annotations

import re

import pytest

from tests.harness import ROOT

VERSIONS = dict(
    line.split("=", 1)
    for line in (ROOT / "engine" / "versions.env").read_text().splitlines()
    if line and not line.startswith("#")
)


def required(module_dir: str, module: str) -> str:
    """The version `engine/<module_dir>/go.mod` requires (or replaces a staging module with)."""
    go_mod = (ROOT / "engine" / module_dir / "go.mod").read_text()
    found = re.search(rf"\s{re.escape(module)} v(\S+)", go_mod)
    assert found, f"{module} is not required by engine/{module_dir}/go.mod"
    return found.group(1)


@pytest.mark.parametrize(
    ("stamp", "module_dir", "module"),
    [
        ("PULUMI_VERSION", "cli", "github.com/pulumi/pulumi/pkg/v3"),
        ("YAML_VERSION", "yaml", "github.com/pulumi/pulumi-yaml"),
        ("AUTH0_UPSTREAM_VERSION", "auth0", "github.com/auth0/terraform-provider-auth0"),
        ("KUBERNETES_VERSION", "kube", "k8s.io/kubernetes"),
        ("ETCD_VERSION", "etcd", "go.etcd.io/etcd/server/v3"),
    ],
)
def test_each_stamp_matches_the_module_it_is_built_from(stamp: str, module_dir: str, module: str) -> None:
    assert required(module_dir, module) == VERSIONS[stamp]


def test_the_random_upstream_commit_is_the_one_the_shim_requires() -> None:
    shim = (ROOT / "engine" / "random" / "shim" / "go.mod").read_text()
    assert shim.rstrip().endswith(VERSIONS["RANDOM_UPSTREAM_COMMIT"])


def readme_engine_table() -> dict[str, str]:
    """Binary name to its "Built" cell, from the table of docs/real-engine.md, *The real engine*."""
    section = (ROOT / "docs" / "real-engine.md").read_text().split("# The real engine", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| `")]
    return {cells[0].strip(): cells[2].strip() for cells in rows}


@pytest.mark.parametrize(
    ("binary", "stamp"),
    [
        ("`pulumi` CLI", "PULUMI_VERSION"),
        ("`pulumi-language-yaml`", "YAML_VERSION"),
        ("`pulumi-resource-kubernetes`", "KUBERNETES_PROVIDER_VERSION"),
        ("`pulumi-resource-auth0`", "AUTH0_UPSTREAM_VERSION"),
        ("`pulumi-resource-random`", "RANDOM_UPSTREAM_COMMIT"),
        ("`kube-apiserver`, `kube-controller-manager`", "KUBERNETES_VERSION"),
        ("`etcd`", "ETCD_VERSION"),
    ],
)
def test_the_readme_table_names_the_versions_that_are_built(binary: str, stamp: str) -> None:
    assert VERSIONS[stamp] in readme_engine_table()[binary]


def test_the_readme_table_names_the_pulumi_sdk_the_yaml_host_is_built_with() -> None:
    # pulumi-yaml does not compile against the CLI's pkg/v3, so engine/yaml is built with an older one.
    pkg = required("yaml", "github.com/pulumi/pulumi/pkg/v3")
    assert f"`pkg/v3` {pkg}" in readme_engine_table()["`pulumi-language-yaml`"]
