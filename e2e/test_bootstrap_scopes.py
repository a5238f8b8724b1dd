"""The README's bootstrap scopes are exact: enough for every mode's whole lifecycle, and each one is needed.

The sandbox tenant checks every route against Auth0's published per-endpoint scopes, so what
passes here is what the provider really calls. The bootstrap application is re-scoped between
runs; each `pulumi` command fetches a new token, so the new scopes apply at once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pomerium_auth0.bootstrap_scopes import BOOTSTRAP_SCOPES, required_scopes

from e2e.conftest import Sandbox, Stack, StackFactory

ALL_SCOPES = sorted(scope for group in BOOTSTRAP_SCOPES for scope in group.scopes)
MODES = [(sync, claim) for sync in ("legacy", "enterprise", "off") for claim in (True, False)]


@pytest.fixture
def scoped(sandbox: Sandbox) -> Iterator[Sandbox]:
    """Restore the full README scope set after a test re-scoped the bootstrap application."""
    yield sandbox
    sandbox.tenant.set_bootstrap_scopes(ALL_SCOPES)


def lifecycle(stack: Stack, directory_sync: str) -> list[str]:
    """First up, an update (rename; switch the grant's mode where there is one), refresh, destroy.

    Returns the operations that ran; stops at the first failure, which the caller inspects.
    """
    ran = []
    steps: list[tuple[str, dict[str, str]]] = [("up", {})]
    update = {"appName": f"renamed-{stack.name}"}
    if directory_sync != "off":
        update["directorySync"] = "enterprise" if directory_sync == "legacy" else "legacy"
    steps += [("up", update), ("refresh", {}), ("destroy", {})]
    for operation, config in steps:
        for key, value in config.items():
            stack.set_config(key, value)
        ran.append(operation)
        if stack.run(operation, check=False).returncode != 0:
            break
    return ran


@pytest.mark.parametrize(("directory_sync", "groups_claim"), MODES, ids=[f"{s}-claim-{c}" for s, c in MODES])
def test_exactly_the_readme_scopes_run_the_whole_lifecycle(
    scoped: Sandbox, new_stack: StackFactory, directory_sync: str, groups_claim: bool
) -> None:
    scoped.tenant.set_bootstrap_scopes(required_scopes(directory_sync, groups_claim))
    stack = new_stack(directorySync=directory_sync, groupsClaim=str(groups_claim).lower())
    ran = lifecycle(stack, directory_sync)
    last = stack.history[-1]
    assert (ran, last.returncode) == (["up", "up", "refresh", "destroy"], 0), last.describe()


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_without_any_one_scope_the_lifecycle_fails_and_says_which(
    scoped: Sandbox, new_stack: StackFactory, scope: str
) -> None:
    """With our pre-flight check off, the provider itself must hit the missing scope somewhere."""
    scoped.tenant.set_bootstrap_scopes(set(ALL_SCOPES) - {scope})
    stack = new_stack(directorySync="legacy", groupsClaim="true", checkBootstrapScopes="false")
    lifecycle(stack, "legacy")
    failed = stack.history[-1]
    assert failed.returncode != 0, f"the whole lifecycle passed without {scope}: the README asks for too much"
    assert scope in failed.stdout + failed.stderr, failed.describe()


def test_a_missing_scope_stops_up_before_anything_is_created_naming_it_and_the_readme(
    scoped: Sandbox, new_stack: StackFactory
) -> None:
    scoped.tenant.set_bootstrap_scopes(set(ALL_SCOPES) - {"delete:actions"})
    stack = new_stack()
    scoped.tenant.reset_requests()
    result = stack.run("up", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "delete:actions" in output
    assert "README, First deployment, step 2" in output
    assert [entry["path"] for entry in scoped.tenant.requests()] == ["/oauth/token"]
