"""A stack deployed with the default auth0 provider moves to the explicit one without touching the tenant."""

from __future__ import annotations

import json
import shutil
from functools import partial
from typing import Any

from e2e.conftest import ROOT, Sandbox, Stack, StackFactory, tenant_objects, touching_bindings

WRITES = ("POST", "PATCH", "PUT", "DELETE")

# The stack program as it was before it had an explicit auth0 provider: the same program, with
# `provider=None`, so the engine serves every auth0 resource from its default provider.
DEFAULT_PROVIDER_PROGRAM = f"""
import runpy

from pomerium_auth0.stack import auth0_provider

auth0_provider.stack_auth0_provider = lambda: None
runpy.run_path({str(ROOT / "__main__.py")!r}, run_name="__main__")
"""


def auth0_providers(stack: Stack) -> dict[str, str]:
    """Each auth0 resource's provider reference (`<URN>::<id>`) in the stack's state, by resource name."""
    state = json.loads(stack.cli("stack", "export").stdout)
    resources: list[dict[str, Any]] = state["deployment"]["resources"]
    return {r["urn"].rsplit("::", 1)[-1]: r["provider"] for r in resources if r["type"].startswith("auth0:")}


def test_a_stack_deployed_with_the_default_provider_moves_to_the_explicit_one_without_a_change(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    stack = new_stack(deployPomerium="false")
    (stack.project_dir / "__main__.py").write_text(DEFAULT_PROVIDER_PROGRAM)
    touching_bindings(partial(stack.run, "up"))()
    before = auth0_providers(stack)
    assert len(before) == 7
    (default_provider,) = set(before.values())
    assert "::pulumi:providers:auth0::default_" in default_provider
    outputs = stack.outputs()
    objects = tenant_objects(stack)

    shutil.copy(ROOT / "__main__.py", stack.project_dir / "__main__.py")
    stack.run("preview", "--expect-no-changes")
    seq = sandbox.tenant.last_seq()
    touching_bindings(partial(stack.run, "up"))()

    after = auth0_providers(stack)
    (explicit_provider,) = set(after.values())
    assert after.keys() == before.keys()
    assert "::pulumi:providers:auth0::auth0::" in explicit_provider
    # The alias carries the provider's state over: the same provider id, a new name.
    assert explicit_provider.rsplit("::", 1)[-1] == default_provider.rsplit("::", 1)[-1]
    writes = [
        f"{r['method']} {r['path']}"
        for r in sandbox.tenant.requests(seq)
        if r["method"] in WRITES and r["path"].startswith("/api/v2/")
    ]
    assert writes == [], "moving to the explicit provider must not change the tenant"
    assert stack.outputs() == outputs
    assert tenant_objects(stack) == objects
    stack.run("preview", "--expect-no-changes")
