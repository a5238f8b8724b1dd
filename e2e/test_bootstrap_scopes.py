"""The README's bootstrap scopes are exact: enough for every mode's whole lifecycle, and each one is needed.

The sandbox tenant checks every route against Auth0's published per-endpoint scopes, so what
passes here is what the provider really calls. Each run signs in as its own application, created
with exactly the scopes under test, so runs go side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pomerium_auth0.domain.directory_sync import MANAGEMENT_API_SCOPES, DirectorySync
from pomerium_auth0.domain.tenant_names import directory_sync_name
from pomerium_auth0.stack.bootstrap_scopes import BOOTSTRAP_SCOPES, Feature, required_scopes

from e2e.conftest import Result, Sandbox, Stack, StackFactory, side_by_side, touching_bindings

ALL_SCOPES = frozenset(scope for group in BOOTSTRAP_SCOPES for scope in group.scopes)
MODES = [
    *[(sync, {Feature.GROUPS_CLAIM_ACTION}) for sync in ("legacy", "enterprise", "off")],
    *[(sync, set()) for sync in ("legacy", "enterprise", "off")],
    ("legacy", {Feature.CONNECTIONS}),  # with groupsClaimAction: shared
    ("legacy", {Feature.SECRET_ROTATION}),  # with groupsClaimAction: shared
]
LIFECYCLE_STEPS = 5
Lifecycle = tuple[list[Result], dict[str, list[Any]] | None]
"""The runs of :func:`lifecycle`, and what the tenant held after its update."""
NO_CHANGES_EXPECTED = "no changes were expected"


def stack_config(sandbox: Sandbox, directory_sync: str, features: set[Feature]) -> dict[str, Any]:
    """Config of a stack that uses exactly these features (beside directory sync), as `StackConfig.bootstrap_features`
    derives them: the groups claim is owned with the Action, shared without it; connections and a rotation only
    with theirs."""
    config: dict[str, Any] = {"directorySync": directory_sync, "groupsClaim": "true"}
    config["groupsClaimAction"] = "own" if Feature.GROUPS_CLAIM_ACTION in features else "shared"
    if Feature.CONNECTIONS in features:
        config["connections"] = [sandbox.tenant.connections()["Username-Password-Authentication"]]
    if Feature.SECRET_ROTATION in features:
        config["clientSecretRotation"] = "1"
    return config


def needed(directory_sync: str, features: set[Feature]) -> frozenset[str]:
    return required_scopes(features | ({Feature.DIRECTORY_SYNC} if directory_sync != "off" else set()))


def signed_in_with(sandbox: Sandbox, stack: Stack, scopes: frozenset[str]) -> Stack:
    client_id, secret = sandbox.tenant.new_machine_client(stack.name, scopes)
    stack.env_overrides = {"AUTH0_CLIENT_ID": client_id, "AUTH0_CLIENT_SECRET": secret}
    return stack


def updated_mode(stack: Stack, directory_sync: str) -> dict[str, str]:
    """The lifecycle's update: rename; switch the grant's mode where there is one."""
    update = {"appName": f"renamed-{stack.name}"}
    if directory_sync != "off":
        update["directorySync"] = "enterprise" if directory_sync == "legacy" else "legacy"
    return update


def expected_after_update(stack: Stack, directory_sync: str) -> dict[str, list[Any]]:
    """The applications' names and the grant's scopes the update must leave in the tenant."""
    update = updated_mode(stack, directory_sync)
    renamed, sync = update["appName"], DirectorySync(update.get("directorySync", directory_sync))
    if sync is DirectorySync.OFF:
        return {"clients": [renamed], "grant_scopes": []}
    return {
        "clients": sorted([renamed, directory_sync_name(renamed)]),
        "grant_scopes": [sorted(MANAGEMENT_API_SCOPES[sync])],
    }


def read_back(stack: Stack) -> dict[str, list[Any]]:
    """The stack's applications' names and its grants' scopes, as the tenant has them."""
    objects = stack.objects()
    return {
        "clients": sorted(c["name"] for c in objects.clients),
        "grant_scopes": [sorted(g["scope"]) for g in objects.grants],
    }


def lifecycle(stack: Stack, directory_sync: str) -> Lifecycle:
    """First up, an update (:func:`updated_mode`), refresh, then a preview that must find nothing to
    change (a scope that hides a field on read shows up here as drift), destroy. Stops at the first
    failure; returns the runs that happened, and what the tenant held after the update (None if it failed).
    """
    update = updated_mode(stack, directory_sync)
    steps: list[tuple[tuple[str, ...], dict[str, str]]] = [
        (("up",), {}),
        (("up",), update),
        (("refresh",), {}),
        (("preview", "--expect-no-changes"), {}),
        (("destroy",), {}),
    ]
    runs = []
    after_update = None
    for command, config in steps:
        for key, value in config.items():
            stack.set_config(key, value)
        runs.append(stack.run(*command, check=False))
        if runs[-1].returncode != 0:
            break
        if len(runs) == 2:
            after_update = read_back(stack)
    return runs, after_update


def test_exactly_the_readme_scopes_run_every_modes_whole_lifecycle(sandbox: Sandbox, new_stack: StackFactory) -> None:
    expected: dict[str, dict[str, list[Any]]] = {}

    def job(mode: str, directory_sync: str, features: set[Feature]) -> Callable[[], Lifecycle]:
        stack = new_stack(**stack_config(sandbox, directory_sync, features))
        signed_in_with(sandbox, stack, needed(directory_sync, features))
        expected[mode] = expected_after_update(stack, directory_sync)
        run = lambda: lifecycle(stack, directory_sync)  # noqa: E731
        return touching_bindings(run) if stack.binds_post_login else run

    modes = {f"{sync}+{sorted(f.name for f in features)}": (sync, features) for sync, features in MODES}
    results = side_by_side({mode: job(mode, sync, features) for mode, (sync, features) in modes.items()})
    failed = {
        mode: runs[-1].describe()
        for mode, (runs, _) in results.items()
        if len(runs) < LIFECYCLE_STEPS or runs[-1].returncode
    }
    assert failed == {}
    assert {mode: after_update for mode, (_, after_update) in results.items()} == expected


def test_without_any_one_scope_the_lifecycle_fails_and_names_it(sandbox: Sandbox, new_stack: StackFactory) -> None:
    """With our pre-flight check off, the provider itself must hit each missing scope somewhere."""

    def job(scope: str) -> Callable[[], Lifecycle]:
        # The smallest mode that needs the scope: only its own feature on (only runs that own the
        # Action touch the shared binding list).
        (group,) = [group for group in BOOTSTRAP_SCOPES if scope in group.scopes]
        features: set[Feature] = set()
        if group.needed_for not in (None, Feature.DIRECTORY_SYNC):
            features.add(group.needed_for)
        stack = new_stack(checkBootstrapScopes="false", **stack_config(sandbox, "legacy", features))
        signed_in_with(sandbox, stack, needed("legacy", features) - {scope})
        run = lambda: lifecycle(stack, "legacy")  # noqa: E731
        return touching_bindings(run) if stack.binds_post_login else run

    results = {scope: runs for scope, (runs, _) in side_by_side({s: job(s) for s in sorted(ALL_SCOPES)}).items()}
    passed_anyway = [scope for scope, runs in results.items() if runs[-1].returncode == 0]
    assert passed_anyway == [], "the whole lifecycle passed without these scopes: the README asks for too much"
    drifted = sorted(scope for scope, runs in results.items() if is_drift(runs[-1]))
    assert drifted == ["read:clients"], "only a scope that hides fields on read may fail as drift instead of an error"
    unnamed = {
        scope: runs[-1].describe()
        for scope, runs in results.items()
        if scope not in drifted and scope not in runs[-1].stdout + runs[-1].stderr
    }
    assert unnamed == {}, "the failure must name the missing scope"


def is_drift(run: Result) -> bool:
    """A run that succeeded at everything but `--expect-no-changes`: the provider read back less than it wrote."""
    return "--expect-no-changes" in run.command and run.returncode != 0 and NO_CHANGES_EXPECTED in run.all_output


def test_the_readme_scopes_leave_no_drift_and_without_read_clients_refresh_or_preview_sees_some(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    """After `up`, `refresh --expect-no-changes` and `preview --expect-no-changes` both pass with the README's
    scopes; without `read:clients`, Auth0 returns the applications without their settings and one of them fails."""

    def job(scopes: frozenset[str], **config: str) -> Callable[[], tuple[Result, Result]]:
        stack = signed_in_with(sandbox, new_stack(groupsClaimAction="shared", **config), scopes)

        def run() -> tuple[Result, Result]:
            stack.run("up")
            return stack.run("refresh", "--expect-no-changes", check=False), stack.run(
                "preview", "--expect-no-changes", check=False
            )

        return run

    readme = needed("legacy", set())
    assert "read:clients" in readme
    # The pre-flight check would stop the second stack before the provider ever reads a client.
    without = job(readme - {"read:clients"}, checkBootstrapScopes="false")
    results = side_by_side({"readme": job(readme), "without": without})
    refresh, preview = results["readme"]
    assert refresh.returncode == 0, refresh.describe()
    assert preview.returncode == 0, preview.describe()
    assert any(is_drift(run) for run in results["without"]), "\n".join(run.describe() for run in results["without"])


def test_a_missing_scope_stops_up_before_anything_is_created_naming_it_and_the_readme(
    sandbox: Sandbox, new_stack: StackFactory
) -> None:
    stack = signed_in_with(sandbox, new_stack(), ALL_SCOPES - {"delete:actions"})
    before = sandbox.tenant.last_seq()
    result = stack.run("up", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "delete:actions" in output
    assert "README, First deployment, step 2" in output
    assert [entry["path"] for entry in sandbox.tenant.requests(before)] == ["/oauth/token"]
