"""The peers benchmark compares like with like: OpenTofu's HCL, the plain Pulumi program and our stack
with `consumer: none` declare the same Auth0 and Kubernetes objects, and the versions it builds are
the ones the docs quote and the engine bridges."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from benchmarks.process_tree import timed
from tests.harness import ROOT, new_engine, stack_file_config

PEERS = ROOT / "benchmarks" / "peers"
HCL_TO_PULUMI = {
    "auth0_client": "auth0:index/client:Client",
    "auth0_client_credentials": "auth0:index/clientCredentials:ClientCredentials",
    "auth0_client_grant": "auth0:index/clientGrant:ClientGrant",
    "auth0_action": "auth0:index/action:Action",
    "auth0_trigger_action": "auth0:index/triggerAction:TriggerAction",
    "kubernetes_namespace": "kubernetes:core/v1:Namespace",
    "kubernetes_secret": "kubernetes:core/v1:Secret",
}
# Ours enables the web app on the sandbox's seeded connection; the peers leave the tenant's default.
OURS_ONLY = {"auth0:index/connectionClient:ConnectionClient"}


def hcl_objects() -> Counter[str]:
    types = re.findall(r'^resource "(\w+)"', (PEERS / "tofu" / "main.tf").read_text(), flags=re.MULTILINE)
    return Counter(HCL_TO_PULUMI[kind] for kind in types)


def declared(engine_config: dict[str, str], program: Path, stack: str, project: str = "pomerium-auth0") -> Counter[str]:
    engine = new_engine(stack=stack, config=engine_config, project=project)
    engine.run_stack_program(program)
    return Counter(
        registration.type
        for registration in engine.monitor.registrations
        if registration.custom and not registration.type.startswith("pulumi:providers:")
    )


def ours_with_consumer_none(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    monkeypatch.setenv("AUTH0_DOMAIN", "127.0.0.1:18443")
    config = {
        key: value for key, value in stack_file_config("sandbox").items() if key != "pomerium-auth0:deployPomerium"
    }
    config["pomerium-auth0:consumer"] = "none"
    return declared(config, ROOT / "__main__.py", "sandbox")


def test_opentofu_and_the_plain_program_declare_the_objects_our_stack_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH0_DOMAIN", "127.0.0.1:18443")
    plain = declared(
        {
            "peers-plain:appName": "a",
            "peers-plain:namespace": "n",
            "peers-plain:authenticateUrl": "https://a.example.com",
        },
        PEERS / "plain" / "__main__.py",
        "plain",
        "peers-plain",
    )
    ours = ours_with_consumer_none(monkeypatch)
    assert hcl_objects() == plain
    assert +(ours - Counter({kind: ours[kind] for kind in OURS_ONLY})) == plain


def test_the_plain_program_is_a_project_of_its_own() -> None:
    project = yaml.safe_load((PEERS / "plain" / "Pulumi.yaml").read_text())
    assert project["name"] == "peers-plain"


def versions() -> dict[str, str]:
    lines = (PEERS / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def requires(module_dir: str, module: str) -> str:
    match = re.search(
        rf"^\s*(?:require )?{re.escape(module)} v(\S+)", (PEERS / module_dir / "go.mod").read_text(), re.M
    )
    assert match, f"{module_dir}/go.mod does not require {module}"
    return match.group(1)


def test_the_built_versions_are_the_pinned_documented_and_bridged_ones() -> None:
    pinned = versions()
    assert requires("cli", "github.com/opentofu/opentofu") == pinned["OPENTOFU_VERSION"]
    assert requires("auth0", "github.com/auth0/terraform-provider-auth0") == pinned["AUTH0_TF_PROVIDER_VERSION"]
    kubernetes = "github.com/hashicorp/terraform-provider-kubernetes"
    assert requires("kubernetes", kubernetes) == pinned["KUBERNETES_TF_PROVIDER_VERSION"]
    bridged = (ROOT / "engine" / "auth0" / "shim" / "go.mod").read_text()
    assert f"github.com/auth0/terraform-provider-auth0 v{pinned['AUTH0_TF_PROVIDER_VERSION']}" in bridged
    hcl = (PEERS / "tofu" / "main.tf").read_text()
    assert f'version = "{pinned["AUTH0_TF_PROVIDER_VERSION"]}"' in hcl
    assert f'version = "{pinned["KUBERNETES_TF_PROVIDER_VERSION"]}"' in hcl
    docs = (ROOT / "docs" / "benchmarks.md").read_text()
    for name, value in pinned.items():
        assert f"v{value}" in docs, f"docs/benchmarks.md does not quote {name} v{value}"


def test_the_benchmark_times_each_pulumi_process_by_its_subcommand(tmp_path: Path) -> None:
    """The CLI-alone table reads `/proc` for the `pulumi` processes the Automation API starts; the
    operation's own one (`up`) is told from the others by its subcommand, past the leading flags."""
    # A process whose argv reads `pulumi --non-interactive <verb> --stack dev` and that lives `seconds`.
    fake = 'cli() { seconds=$1; shift; echo sleep $seconds | (exec -a pulumi sh -s -- --non-interactive "$@"); }'
    script = f"{fake}; cli 0.2 stack select --stack dev; cli 0.6 up --stack dev --yes"

    sample = timed(["bash", "-c", script], tmp_path, {"PATH": "/usr/bin:/bin"})

    assert [verb for verb, _ in sample.cli] == ["stack select", "up"]
    assert 0.5 <= sample.cli_seconds(own=True) <= sample.seconds
    assert 0.1 <= sample.cli_seconds(own=False) < 0.5
