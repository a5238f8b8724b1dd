"""Real-engine fixtures: one sandbox (tenant + cluster) per session, and ephemeral stacks of the real program.

Each stack is the repository's own `Pulumi.yaml` and `__main__.py` with a stack file derived from
`stacks/Pulumi.sandbox.yaml`, copied to a temporary project directory under a unique stack name, so
runs never collide and leftovers are attributable. Every stack is destroyed and removed at the end,
even when its test failed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from sandbox import control
from sandbox.auth0_tenant.authentication import action_runner as actions
from sandbox.auth0_tenant.management.scopes import DEFAULT_BOOTSTRAP_SCOPES
from sandbox.cluster import load_cluster
from sandbox.kube_api import KubeApi
from sandbox.tenant_client import StackObjects, TenantClient

ROOT = Path(__file__).resolve().parent.parent
OPERATION_TIMEOUT_SECONDS = 600
E2E_PREFIX = "e2e-"
"""Every stack of the suite is named `e2e-…`; so are its namespaces, and its `appName`s contain it."""
PLUGIN_PREFIXES = ("pulumi-resource-", "pulumi-language-")
PLUGIN_EXIT_SECONDS = 10
T = TypeVar("T")


@dataclass
class Sandbox:
    """The running tenant and cluster, and the environment `pulumi` needs to use them."""

    directory: Path
    env: dict[str, str] = field(repr=False)
    tenant: TenantClient = field(repr=False)
    kube: KubeApi = field(repr=False)
    bootstrap_secret: str = field(repr=False)
    engine: Path = field(repr=False)
    """The engine's bin directory (scripts/engine.sh), e.g. for `pomerium-auth0-login`."""


@dataclass
class Result:
    """One CLI or runner invocation: its exit code, both streams and how long it took."""

    command: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def all_output(self) -> str:
        return self.stdout + "\n" + self.stderr

    def describe(self) -> str:
        return (
            f"$ {' '.join(self.command)}  (exit {self.returncode}, {self.seconds:.1f} s)\n{self.stdout}\n{self.stderr}"
        )


@dataclass
class Stack:
    """An ephemeral stack of the real root program, with every command's output kept for failure messages."""

    name: str
    project_dir: Path
    sandbox: Sandbox
    history: list[Result] = field(default_factory=list)
    env_overrides: dict[str, str] = field(default_factory=dict, repr=False)
    """Environment every command of this stack gets on top of the sandbox's (e.g. other credentials)."""

    @property
    def config_file(self) -> Path:
        return self.project_dir / "stacks" / f"Pulumi.{self.name}.yaml"

    def _invoke(self, command: list[str], check: bool, env: dict[str, str] | None = None) -> Result:
        started = time.monotonic()
        completed = subprocess.run(
            command,
            cwd=self.project_dir,
            env={**self.sandbox.env, **self.env_overrides, **(env or {})},
            capture_output=True,
            text=True,
            timeout=OPERATION_TIMEOUT_SECONDS,
            check=False,
        )
        result = Result(command, completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started)
        self.history.append(result)
        if check and result.returncode != 0:
            pytest.fail(f"command failed:\n{result.describe()}")
        return result

    def run(self, operation: str, *flags: str, check: bool = True, env: dict[str, str] | None = None) -> Result:
        """preview, up, refresh or destroy, through the real CLI (see sandbox/program.py); `env` overrides."""
        command = [sys.executable, "-m", "sandbox.program", operation, "--stack", self.name, "--dir", "."]
        return self._invoke([*command, *flags], check, env)

    def python(self, *args: str, check: bool = True) -> Result:
        """A Python tool of this package, run in the project directory like a user would."""
        return self._invoke([sys.executable, *args], check)

    def cli(self, *args: str, check: bool = True) -> Result:
        return self._invoke(["pulumi", *args, "--stack", self.name], check)

    def steps(self) -> list[dict[str, Any]]:
        """The steps `pulumi preview` would take, as JSON."""
        steps: list[dict[str, Any]] = json.loads(self.run("preview", "--json").stdout)["steps"]
        return steps

    def changes(self) -> list[dict[str, Any]]:
        """The steps that change something (every op but `same`)."""
        return [step for step in self.steps() if step["op"] != "same"]

    def set_config(self, key: str, value: Any) -> None:
        """Edit the stack file as a user would (YAML values such as `routes` included)."""
        document = yaml.safe_load(self.config_file.read_text())
        document["config"][key if ":" in key else f"pomerium-auth0:{key}"] = value
        self.config_file.write_text(yaml.safe_dump(document, sort_keys=False))

    def unset_config(self, *keys: str) -> None:
        """Remove keys from the stack file, as `pulumi config rm` would."""
        document = yaml.safe_load(self.config_file.read_text())
        for key in keys:
            document["config"].pop(key if ":" in key else f"pomerium-auth0:{key}", None)
        self.config_file.write_text(yaml.safe_dump(document, sort_keys=False))

    @property
    def app_name(self) -> str:
        """The stack's `appName` as its stack file says now (default `pomerium-<stack>`)."""
        config = yaml.safe_load(self.config_file.read_text())["config"]
        return str(config.get("pomerium-auth0:appName", f"pomerium-{self.name}"))

    def objects(self) -> StackObjects:
        """This stack's objects in the tenant, read back with the inspector and matched by exact name."""
        return self.sandbox.tenant.stack_objects(self.app_name)

    @property
    def binds_post_login(self) -> bool:
        """Whether this stack's groups-claim Action is bound to post-login (see :data:`BINDINGS`)."""
        config = yaml.safe_load(self.config_file.read_text())["config"]
        claim_on = str(config.get("pomerium-auth0:groupsClaim", "true")).lower() == "true"
        return claim_on and config.get("pomerium-auth0:groupsClaimAction", "own") == "own"

    def outputs(self) -> dict[str, Any]:
        shown: dict[str, Any] = json.loads(self.cli("stack", "output", "--json").stdout)
        return shown

    def all_output(self) -> str:
        """Everything every command printed, for the secret scan."""
        return "\n".join(result.stdout + "\n" + result.stderr for result in self.history)


BINDINGS = threading.Lock()
"""Held by every job that adds or removes a post-login binding. Auth0's binding list is one object that
the provider rewrites whole, so two such runs at once can undo each other (README, "Two stacks, one
tenant"); tests that are not about that race must not trip over it."""


def side_by_side(jobs: dict[str, Callable[[], T]], workers: int = 4) -> dict[str, T]:
    """Run independent jobs (each its own `pulumi` process) at the same time; results by name."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def touching_bindings(job: Callable[[], T]) -> Callable[[], T]:
    """The job, run while holding :data:`BINDINGS`."""

    def locked() -> T:
        with BINDINGS:
            return job()

    return locked


def resources(stack: Stack) -> Counter[str]:
    """Resource types in the stack's state, counted (names differ per stack, types and counts must not)."""
    state = json.loads(stack.cli("stack", "export").stdout)
    return Counter(r["type"] for r in state["deployment"].get("resources", []))


def tenant_objects(stack: Stack) -> dict[str, int]:
    """How many of each Auth0 object belong to this stack: a retried create must not leave a duplicate."""
    return stack.objects().counts()


def _engine_bin() -> Path:
    given = os.environ.get("POMERIUM_AUTH0_ENGINE_BIN")
    if given:
        return Path(given)
    built = subprocess.run([str(ROOT / "scripts" / "engine.sh")], capture_output=True, text=True, check=True)
    return Path(built.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    if actions.NODE is None:
        pytest.fail("the real-engine suite needs Node.js on PATH (`node`): the sandbox runs deployed Actions with it")
    directory = tmp_path_factory.mktemp("sandbox")
    engine = _engine_bin()
    control.start(directory, engine, " ".join(DEFAULT_BOOTSTRAP_SCOPES), None)
    try:
        env = control.process_environment(directory)
        tenant = TenantClient(control.tenant_info(directory))
        kube = load_cluster(directory / control.CLUSTER_DIR).api
        yield Sandbox(directory, env, tenant, kube, env["AUTH0_CLIENT_SECRET"], engine)
        # Every stack of the session has been destroyed by now: whatever of theirs is left, destroy missed.
        assert leftovers(tenant, kube) == {}, "objects of destroyed e2e stacks are still in the tenant or the cluster"
    finally:
        control.stop(directory)
        # After stop, so a failed leftovers check above cannot hide it; a plugin of a run that just ended gets a moment.
        deadline = time.monotonic() + PLUGIN_EXIT_SECONDS
        while (left := plugins_left(directory)) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert left == [], "plugins started by the suite are still running"


def leftovers(tenant: TenantClient, kube: KubeApi) -> dict[str, list[str]]:
    """Auth0 objects named after an e2e stack (`pomerium-e2e-…`, or `renamed-e2e-…` after a rename test), and
    the cluster's namespaces of e2e stacks and Secrets and Deployments in them or named after one."""
    ours = ("pomerium-" + E2E_PREFIX, "renamed-" + E2E_PREFIX)

    def e2e_objects(path: str) -> list[str]:
        items = kube.get(path)["items"]
        named = (f"{item['metadata'].get('namespace', '')}/{item['metadata']['name']}" for item in items)
        return sorted(name for name in named if name.startswith(E2E_PREFIX) or f"/{E2E_PREFIX}" in name)

    found = {
        "clients": [c["name"] for c in tenant.clients() if c["name"].startswith(ours)],
        "actions": [a["name"] for a in tenant.actions() if a["name"].startswith(ours)],
        "bindings": [b["action"]["name"] for b in tenant.bindings() if b["action"]["name"].startswith(ours)],
        "namespaces": [n for n in e2e_objects("/api/v1/namespaces") if n.startswith(f"/{E2E_PREFIX}")],
        "secrets": e2e_objects("/api/v1/secrets"),
        "deployments": e2e_objects("/apis/apps/v1/deployments"),
    }
    return {kind: names for kind, names in found.items() if names}


def plugins_left(sandbox_dir: Path) -> list[str]:
    """`pulumi-resource-*` and `pulumi-language-*` processes of this session (their environment names its sandbox)."""
    marker = f"{control.SANDBOX_DIR_VARIABLE}={sandbox_dir}".encode()
    found = []
    for process in Path("/proc").glob("[0-9]*"):
        try:
            argv = (process / "cmdline").read_bytes().split(b"\0")
            environment = (process / "environ").read_bytes().split(b"\0")
        except OSError:
            continue  # gone, or not ours to read
        if Path(argv[0].decode(errors="replace")).name.startswith(PLUGIN_PREFIXES) and marker in environment:
            found.append(f"{process.name}: {b' '.join(argv).decode(errors='replace').strip()}")
    return found


@pytest.fixture(autouse=True)
def _no_unknown_route(request: pytest.FixtureRequest) -> Iterator[None]:
    """Any request the tenant does not implement (501) fails the test that caused it.

    The log numbers its entries and has no reset, so reading from this baseline sees every request
    of the test, whatever baselines the test itself takes.
    """
    if "sandbox" not in request.fixturenames:
        yield
        return
    tenant: TenantClient = request.getfixturevalue("sandbox").tenant
    before = tenant.last_seq()
    yield
    unknown = [entry for entry in tenant.requests(before, everyone=True) if entry["status"] == 501]
    assert unknown == [], f"the provider called routes the sandbox tenant does not implement: {unknown}"


class StackFactory:
    """Creates ephemeral stacks and tears every one down (destroy, then `stack rm`) at the end."""

    def __init__(self, sandbox: Sandbox, base: Path) -> None:
        self.sandbox = sandbox
        self.base = base
        self.created: list[Stack] = []

    def __call__(self, **config: Any) -> Stack:
        name = f"e2e-{secrets.token_hex(3)}"
        project_dir = self.base / name
        (project_dir / "stacks").mkdir(parents=True)
        for file in ("Pulumi.yaml", "__main__.py"):
            shutil.copy(ROOT / file, project_dir / file)
        stack_file = yaml.safe_load((ROOT / "stacks" / "Pulumi.sandbox.yaml").read_text())
        stack_file["config"]["pomerium-auth0:namespace"] = name
        # Tests enable connections themselves (and count a connection's applications).
        del stack_file["config"]["pomerium-auth0:connections"]
        # The stack file's route authorizes by the groups claim. Tests rename the claim and turn it off,
        # which preview rightly refuses for such a policy, so their route authorizes by email instead.
        for route in stack_file["config"]["pomerium-auth0:routes"]:
            route["policy"] = [{"allow": {"or": [{"email": {"is": "alice@example.com"}}]}}]
        stack = Stack(name, project_dir, self.sandbox)
        stack.config_file.write_text(yaml.safe_dump(stack_file, sort_keys=False))
        for key, value in config.items():
            stack.set_config(key, value)
        stack.cli("stack", "init")
        self.created.append(stack)
        return stack

    def tear_down(self) -> None:
        """Destroy and remove every stack, all of them even when one fails; then fail naming each that did."""

        def remove(stack: Stack) -> list[Result]:
            stack.env_overrides = {}  # clean up with the full-scope bootstrap application
            stack.cli("state", "unprotect", "--all", "--yes", check=False)  # a stack may have nothing to unprotect
            destroy = partial(stack.run, "destroy", check=False)
            # Two destroys that each remove a binding can re-bind each other's Action.
            destroyed = (touching_bindings(destroy) if stack.binds_post_login else destroy)()
            return [destroyed, stack.cli("stack", "rm", "--yes", check=False)]

        with ThreadPoolExecutor(max_workers=4) as pool:
            results = [result for results in pool.map(remove, self.created) for result in results]
        assert_all_succeeded(results)


def assert_all_succeeded(results: list[Result]) -> None:
    """Fail with every teardown command that failed (a failed destroy would otherwise leave its objects quietly)."""
    failed = [result.describe() for result in results if result.returncode != 0]
    if failed:
        pytest.fail("tearing down e2e stacks failed:\n" + "\n".join(failed))


@pytest.fixture(scope="module")
def new_stack(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackFactory]:
    factory = StackFactory(sandbox, tmp_path_factory.mktemp("projects"))
    yield factory
    factory.tear_down()
