"""Run the program and the components in-process under Pulumi's mocks, with engine-like secrets.

Pulumi's `MockMonitor` ignores `additional_secret_outputs`, so a provider output that is secret in
a real run (e.g. `ClientCredentials.client_secret`) would come back plain and every secrecy test
would prove nothing. `EngineLikeMonitor` applies them the way the engine does and records each
registration request: inputs (with secret markers intact), dependencies and resource options.
"""

from __future__ import annotations

import hashlib
import logging
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import pulumi
import pulumi.runtime
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "pomerium-auth0"
T = TypeVar("T")


def fake_token(kind: str, name: str, length: int = 32) -> str:
    """A deterministic, distinctive value per resource: the same name gives the same value."""
    digest = hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()
    return (kind + digest)[:length]


def action_id(name: str) -> str:
    """The mock id of the Action named `name`, shaped like Auth0's (a UUID)."""
    digest = hashlib.sha256(f"action:{name}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


class AuthZeroMocks(Mocks):
    """Returns the state the real providers would, keyed by resource type."""

    def __init__(self) -> None:
        self.calls: list[MockCallArgs] = []
        self.secret_overrides: dict[str, str] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """The state, and the id the real provider gives: code that compares ids (the orphan tool reads a Client's
        id as its client_id, a binding names its Action by id) sees the same relations as against Auth0."""
        state = dict(args.inputs)
        if args.typ == "auth0:index/client:Client":
            state["clientId"] = fake_token("cid", args.name)
            return state["clientId"], state
        if args.typ == "auth0:index/clientCredentials:ClientCredentials":
            # As the provider: a secret it was given (a rotation) is the one it sets and reads back.
            given = unwrap(args.inputs.get("clientSecret"))
            state["clientSecret"] = given or self.secret_overrides.get(
                args.name, fake_token("SECRETVALUE", args.name, 64)
            )
            return str(args.inputs.get("clientId", args.name)), state  # as pulumi-auth0: the client's id
        if args.typ == "auth0:index/action:Action":
            return action_id(args.name), state
        if args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = fake_token("PASSWORD", args.name, int(args.inputs["length"]))
            return "none", state  # as pulumi-random: the id never carries the value
        return f"{args.name}-id", state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], None]:
        self.calls.append(args)
        return {}, None


@dataclass(frozen=True)
class Registration:
    """One `RegisterResource` request as the engine received it."""

    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    provider: str
    """The provider reference (`<provider URN>::<provider id>`), empty for the default provider."""
    inputs: dict[str, Any]
    """Deserialized inputs; secret values are still wrapped (see :func:`is_secret_value`)."""
    dependencies: frozenset[str]
    protect: bool
    additional_secret_outputs: tuple[str, ...]
    replace_on_changes: tuple[str, ...]
    delete_before_replace: bool
    alias_specs: tuple[str, ...]


def is_secret_value(value: Any) -> bool:
    """Whether a deserialized wire value carries the engine's secret marker."""
    return rpc.is_rpc_secret(value)


def unwrap(value: Any) -> Any:
    """The wire value with every secret marker removed, recursively."""
    if is_secret_value(value):
        return unwrap(value["value"])
    if isinstance(value, dict):
        return {key: unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item) for item in value]
    return value


class EngineLikeMonitor(MockMonitor):
    """A `MockMonitor` that marks `additional_secret_outputs` secret and records every request."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.registered_outputs: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                parent=request.parent,
                custom=request.custom,
                provider=request.provider,
                inputs=dict(rpc.deserialize_properties(request.object)),
                dependencies=frozenset(request.dependencies),
                protect=request.protect,
                additional_secret_outputs=tuple(request.additionalSecretOutputs),
                replace_on_changes=tuple(request.replaceOnChanges),
                delete_before_replace=request.deleteBeforeReplace,
                alias_specs=tuple(str(alias) for alias in request.aliases),
            )
        )
        secret_keys = set(request.additionalSecretOutputs)
        if not secret_keys:
            return response
        state = dict(rpc.deserialize_properties(response.object))
        for key in secret_keys & state.keys():
            state[key] = rpc.wrap_rpc_secret(state[key])
        self.resources[response.urn] = MockMonitor.ResourceRegistration(response.urn, response.id, state)
        return resource_pb2.RegisterResourceResponse(urn=response.urn, id=response.id, object=_serialize(state))

    def RegisterResourceOutputs(self, request: Any) -> Any:
        self.registered_outputs[request.urn] = dict(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)

    def of_type(self, type_: str) -> list[Registration]:
        return [registration for registration in self.registrations if registration.type == type_]

    def one(self, type_: str) -> Registration:
        matches = self.of_type(type_)
        assert len(matches) == 1, f"expected one {type_}, got {[match.name for match in matches]}"
        return matches[0]

    def named(self, name: str) -> Registration:
        matches = [registration for registration in self.registrations if registration.name == name]
        assert len(matches) == 1, f"expected one resource named {name}, got {len(matches)}"
        return matches[0]


def _serialize(state: Mapping[str, Any]) -> Any:
    async def serialize() -> Any:
        return await rpc.serialize_properties(dict(state), {})

    return _run(serialize())


def _run(awaitable: Any) -> Any:
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(awaitable)


@dataclass(frozen=True)
class Resolved(Generic[T]):
    value: T
    secret: bool
    known: bool


def resolve(output: pulumi.Output[T]) -> Resolved[T]:
    """Await an Output after the program has run: its value, secretness and knownness."""

    async def gather() -> Resolved[T]:
        return Resolved(
            value=await output.future(),  # type: ignore[arg-type]
            secret=await output.is_secret(),
            known=await output.is_known(),
        )

    return _run(gather())  # type: ignore[no-any-return]


class _RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Engine:
    """One isolated mock engine: fresh root stack, mocks, monitor and config."""

    mocks: AuthZeroMocks
    monitor: EngineLikeMonitor
    stack: str
    log: _RecordingHandler
    config: dict[str, str] = field(default_factory=dict)
    secret_keys: list[str] = field(default_factory=list)

    def run(self, program: Callable[[], object]) -> None:
        """Run `program` as a Pulumi program; return once every registration has finished."""
        pulumi.runtime.set_all_config(dict(self.config), list(self.secret_keys))

        @pulumi.runtime.test
        def execute() -> None:
            program()

        execute()

    def run_stack_program(self, program: Path = ROOT / "__main__.py") -> dict[str, pulumi.Output[Any]]:
        """Run a program file exactly as `pulumi up` would; return the exported stack outputs."""
        self.run(lambda: runpy.run_path(str(program), run_name="__main__"))
        return self.stack_outputs()

    def stack_outputs(self) -> dict[str, pulumi.Output[Any]]:
        root = pulumi.runtime.get_root_resource()
        assert isinstance(root, pulumi.runtime.stack.Stack)
        return {name: pulumi.Output.from_input(value) for name, value in root.outputs.items()}

    @property
    def registrations(self) -> list[Registration]:
        return self.monitor.registrations

    @property
    def log_lines(self) -> list[str]:
        """Every message the program sent to the engine's log (pulumi.log.*)."""
        return list(self.log.lines)

    def secret_strings(self) -> set[str]:
        """Every string that is secret in this run: secret config and secret provider outputs."""
        found = {self.config[key] for key in self.secret_keys if key in self.config}
        for registered in self.monitor.resources.values():
            for value in registered.state.values():
                if is_secret_value(value) and isinstance(value["value"], str):
                    found.add(value["value"])
        return {value for value in found if len(value) >= 8}


def new_engine(
    stack: str = "dev",
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    project: str = PROJECT,
    preview: bool = False,
) -> Engine:
    """Reset Pulumi's global state and install fresh mocks: nothing leaks between engines.

    `preview=True` runs the program as `pulumi preview` does (`is_dry_run()`), for its dry-run branches;
    assertions inside `apply` of unknown values do not run then, so the default is an update.
    """
    pulumi.runtime.reset_options(project=project, stack=stack, preview=preview)
    mocks = AuthZeroMocks()
    monitor = EngineLikeMonitor(mocks)
    handler = _RecordingHandler()
    logger = logging.getLogger(f"{__name__}.engine")
    logger.handlers = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    pulumi.runtime.set_all_config({}, [])
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor, logger=logger)
    return Engine(
        mocks=mocks,
        monitor=monitor,
        stack=stack,
        log=handler,
        config=dict(config or {}),
        secret_keys=list(secret_keys or []),
    )


def idp_secret_data(engine: Engine) -> dict[str, str]:
    """The IdP Secret's stringData as Pomerium will see it: the one registered Secret that holds IDP_PROVIDER."""
    (data,) = [
        data
        for data in (
            unwrap(r.inputs.get("stringData") or {}) for r in engine.monitor.of_type("kubernetes:core/v1:Secret")
        )
        if "IDP_PROVIDER" in data
    ]
    return data  # type: ignore[no-any-return]


def stack_file_config(stack: str) -> dict[str, str]:
    """A shipped stack file's config as the engine hands it to the program: structured values as JSON."""
    import json

    import yaml

    document = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in document["config"].items()}
