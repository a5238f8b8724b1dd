"""The worked examples in examples/ run, and compose the components the way they claim."""

from __future__ import annotations

import json
import re

import yaml

from tests.harness import ROOT, Engine, new_engine, resolve, unwrap

EXAMPLES = ROOT / "examples"
TENANT = "acme.eu.auth0.com"


def run_two_teams() -> Engine:
    engine = new_engine(
        project="pomerium-two-teams",
        config={
            "pomerium-two-teams:auth0Domain": TENANT,
            "pomerium-two-teams:auth0ClientId": "bootstrap-client",
            "pomerium-two-teams:auth0ClientSecret": "bootstrap-secret-value",
        },
        secret_keys=["pomerium-two-teams:auth0ClientSecret"],
    )
    engine.run_stack_program(EXAMPLES / "two-teams" / "__main__.py")
    return engine


def test_two_teams_get_separate_applications_secrets_and_pomeriums() -> None:
    engine = run_two_teams()
    names = {r.inputs["name"] for r in engine.monitor.of_type("auth0:index/client:Client")}
    assert names == {"pomerium-payments-dev", "pomerium-search-dev"}
    deployments = [unwrap(r.inputs)["metadata"] for r in engine.monitor.of_type("kubernetes:apps/v1:Deployment")]
    assert sorted(d["namespace"] for d in deployments) == ["pomerium-payments", "pomerium-search"]
    for team in ("payments", "search"):
        spec = unwrap(engine.monitor.named(f"{team}-pomerium-deployment").inputs["spec"])
        (container,) = spec["template"]["spec"]["containers"]
        from_secret = {v["valueFrom"]["secretKeyRef"]["name"] for v in container["env"] if "valueFrom" in v}
        assert from_secret == {"pomerium-idp"}
    outputs = engine.stack_outputs()
    assert resolve(outputs["paymentsWebClientId"]).value != resolve(outputs["searchWebClientId"]).value


def test_two_teams_share_one_groups_claim_action_so_one_writer_owns_the_binding_list() -> None:
    engine = run_two_teams()
    (binding,) = engine.monitor.of_type("auth0:index/triggerAction:TriggerAction")
    assert binding.name == "payments-idp-groups-claim-binding"
    metadata = {
        r.inputs["name"]: r.inputs["clientMetadata"] for r in engine.monitor.of_type("auth0:index/client:Client")
    }
    claim = {"pomerium_groups_claim": "pomerium.io/groups"}
    assert metadata == {"pomerium-payments-dev": claim, "pomerium-search-dev": claim}


def test_two_teams_send_every_resource_through_the_explicit_providers() -> None:
    engine = run_two_teams()
    tenant = engine.monitor.named("tenant").urn
    cluster = engine.monitor.named("cluster").urn
    for registration in engine.registrations:
        if registration.type.startswith("auth0:"):
            assert registration.provider.startswith(tenant + "::"), registration.name
        if registration.type.startswith("kubernetes:"):
            assert registration.provider.startswith(cluster + "::"), registration.name
    assert engine.monitor.of_type("auth0:index/action:Action")
    assert len(engine.monitor.of_type("kubernetes:apps/v1:Deployment")) == 2


def test_existing_pomerium_example_produces_only_the_idp_secret_and_a_rollout_patch() -> None:
    engine = new_engine(
        project="pomerium-existing",
        config={
            "pomerium-existing:authenticateServiceUrl": "https://authenticate.example.com",
            "pomerium-existing:auth0Domain": TENANT,
            "pomerium-existing:existingDeployment": "pomerium",
        },
    )
    outputs = engine.run_stack_program(EXAMPLES / "existing-pomerium" / "__main__.py")
    kubernetes = sorted(r.type for r in engine.registrations if r.type.startswith("kubernetes:"))
    assert kubernetes == ["kubernetes:apps/v1:DeploymentPatch", "kubernetes:core/v1:Secret"]
    patch = engine.monitor.one("kubernetes:apps/v1:DeploymentPatch")
    annotations = unwrap(patch.inputs["spec"])["template"]["metadata"]["annotations"]
    assert annotations["pomerium-auth0.pulumi.com/config-checksum"] == resolve(outputs["secretChecksum"]).value
    assert set(unwrap(patch.inputs["spec"])) == {"template"}
    assert resolve(outputs["secretChecksum"]).secret


def test_ingress_controller_example_deploys_its_stack_file_for_the_controller() -> None:
    example = EXAMPLES / "ingress-controller"
    stack_file = yaml.safe_load((example / "Pulumi.dev.yaml").read_text())["config"]
    config = {key: value if isinstance(value, str) else json.dumps(value) for key, value in stack_file.items()}
    engine = new_engine(project="pomerium-ingress-controller", stack="dev", config=config)
    outputs = engine.run_stack_program(example / "__main__.py")
    kubernetes = sorted(r.type for r in engine.registrations if r.type.startswith("kubernetes:"))
    assert kubernetes == [
        "kubernetes:core/v1:Secret",
        "kubernetes:ingress.pomerium.io/v1:PomeriumPatch",
        "kubernetes:networking.k8s.io/v1:Ingress",
    ]
    assert set(unwrap(engine.monitor.named("pomerium-idp-secret").inputs["stringData"])) == {
        "client_id",
        "client_secret",
    }
    spec = unwrap(engine.monitor.one("kubernetes:ingress.pomerium.io/v1:PomeriumPatch").inputs["spec"])
    assert spec["secrets"] == "pomerium/bootstrap"
    assert spec["identityProvider"]["secret"] == "pomerium/pomerium-idp"
    assert resolve(outputs["ingressNames"]).value == ["monitoring/grafana.dev.example.com"]


def test_the_documented_yaml_program_is_the_example_the_e2e_suite_runs() -> None:
    """docs/own-program.md shows examples/yaml; only the package source differs (a tagged git URL there)."""
    readme = (ROOT / "docs" / "own-program.md").read_text()
    shown = yaml.safe_load(readme.split("```yaml\nname: pomerium-yaml\n", 1)[1].split("```", 1)[0])
    example = yaml.safe_load((EXAMPLES / "yaml" / "Pulumi.yaml").read_text())
    assert shown.pop("packages") == {"pomerium-auth0": "https://github.com/<owner>/pomerium-auth0/provider@v0.1.0"}
    assert example.pop("packages") == {"pomerium-auth0": "../../provider"}
    assert {"name": "pomerium-yaml", **shown} == example


def test_every_yaml_example_uses_only_what_the_package_schema_declares() -> None:
    """The YAML programs are written against provider/schema.json, the one source of every language's API."""
    schema = json.loads((ROOT / "provider" / "schema.json").read_text())
    for path in sorted(EXAMPLES.glob("*/Pulumi.yaml")):
        program = yaml.safe_load(path.read_text())
        if program.get("runtime") != "yaml":
            continue
        components = {}
        for name, resource in program["resources"].items():
            token = resource["type"]
            if not token.startswith("pomerium-auth0:"):
                continue
            declared = schema["resources"][token.replace("pomerium-auth0:", "pomerium-auth0:index:")]
            assert set(resource["properties"]) <= set(declared["inputProperties"]), (path, name)
            assert set(declared.get("requiredInputs", [])) <= set(resource["properties"]), (path, name)
            components[name] = declared
        for name, output in re.findall(r"\$\{(\w+)\.(\w+)\}", path.read_text()):
            if name in components:
                assert output in components[name]["properties"], (path, name, output)
