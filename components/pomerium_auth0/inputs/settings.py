"""One declaration per setting: how a component argument is checked, defaulted, and read from stack config.

A component's argument names, types and one-line docs are its `TypedDict` (the Pulumi analyzer
builds the package schema from it, and Python callers type-check against it). Everything else
about an argument is its :class:`Setting`, declared beside that `TypedDict` in the component's
:class:`Arguments`: the check, the default, the config key the stack program reads it from,
whether that config value must be stored encrypted, and whether the stack file holds it as a
YAML list. The component checks its arguments with it, the stack program checks its config with
the same declaration, and each names the value the way its caller wrote it (`PomeriumArgs.replicas`
or `pomerium-auth0:replicas`) through a :class:`Namer`, so no message is ever rewritten.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from .input_errors import InputError, InputErrors, raise_all

Check = Callable[[str, Any], Any]
"""(the name shown in errors, the value) -> the value as the component uses it, or :class:`InputError`."""


def camel_case(argument: str) -> str:
    """The config key (and schema name) of an argument: `tls_secret_name` -> `tlsSecretName`."""
    first, *rest = argument.split("_")
    return first + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Namer:
    """How errors name a setting, the way its caller wrote it.

    `key` names where the bad value is, `ref` how a fix mentions another setting, and `missing`
    is the error of a required setting nobody set.
    """

    key: Callable[[str], str]
    ref: Callable[[str], str]
    missing: Callable[[str], InputError]


def argument_namer(args_type: type) -> Namer:
    """Errors of a component called from a program: `PomeriumArgs.replicas`; fixes mention `replicas`."""

    def key(argument: str) -> str:
        return f"{args_type.__name__}.{argument}"

    return Namer(
        key=key,
        ref=lambda argument: argument,
        missing=lambda argument: InputError(key(argument), "is required but missing", f"pass {argument}"),
    )


Rule = Callable[[Mapping[str, Any], Collection[str], Namer], list[InputError]]
"""A check across settings: given the values that passed their own checks and the names of all that were
set (a set but bad value is reported by its own check, never as missing), the problems it finds."""


@dataclass(frozen=True)
class Setting:
    """Everything about one argument but its name, type and doc (those are the `TypedDict`'s)."""

    check: Check
    default: object = None
    """Applied when the argument is absent; a callable gets the values checked so far. None: no default."""
    config_key: str | None = ""
    """The stack config key: "" derives it from the argument (`camel_case`); None: the program wires it."""
    secret: bool = False
    """Stack config must hold it encrypted (`pulumi config set --secret`); its value stays a secret Output."""
    structured: bool = False
    """The stack file holds it as YAML (a list), which the CLI hands over as JSON."""

    def default_for(self, checked: Mapping[str, Any]) -> object:
        """The default, computed from the values checked so far when it depends on them."""
        return self.default(checked) if callable(self.default) else self.default


@dataclass(frozen=True)
class Arguments:
    """A component's arguments: its `TypedDict` and one :class:`Setting` per field, in checking order."""

    args_type: type
    settings: Mapping[str, Setting]
    rules: Sequence[Rule] = field(default=())

    def __post_init__(self) -> None:
        declared = set(self.args_type.__annotations__)
        if set(self.settings) != declared:
            raise TypeError(
                f"{self.args_type.__name__}: settings {sorted(set(self.settings) ^ declared)} "
                "are declared on one side only"
            )

    @property
    def required(self) -> frozenset[str]:
        """Arguments a caller must pass (the `TypedDict`'s required keys)."""
        return frozenset(getattr(self.args_type, "__required_keys__", ()))

    def config_key(self, argument: str) -> str | None:
        """The stack config key of an argument, or None when the program wires it."""
        key = self.settings[argument].config_key
        return camel_case(argument) if key == "" else key

    def accepts_output(self, argument: str) -> bool:
        """Whether the argument is a `pulumi.Input` (checked once it resolves) rather than a plain value."""
        return _accepts_output(self.args_type.__annotations__[argument])

    @property
    def config_keys(self) -> dict[str, str]:
        """config key -> argument, for every argument that stack config sets."""
        return {key: argument for argument in self.settings if (key := self.config_key(argument)) is not None}

    def check(
        self, given: Mapping[str, Any], namer: Namer, *, wired: bool = True
    ) -> tuple[dict[str, Any], list[InputError]]:
        """Every argument checked, defaults applied; every problem found, none raised.

        `wired=False` leaves out the arguments the program wires (the stack config checks its own
        keys before the objects they are wired to exist).
        """
        errors: list[InputError] = []
        checked: dict[str, Any] = {}
        for argument, setting in self.settings.items():
            if not wired and self.config_key(argument) is None:
                continue
            if argument in given:
                value = given[argument]
            else:
                value = setting.default_for(checked)
                if value is None:
                    if argument in self.required:
                        errors.append(namer.missing(argument))
                    continue
            try:
                checked[argument] = _checked(value, setting, namer.key(argument), self.accepts_output(argument))
            except InputError as error:
                errors.append(error)
            except InputErrors as several:
                errors.extend(several.errors)
        for rule in self.rules:
            errors.extend(rule(checked, given.keys(), namer))
        return checked, errors

    def checked(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """A component's arguments as given by a program, checked: raises every problem at once."""
        namer = argument_namer(self.args_type)
        errors = self.unknown_arguments(given, namer)
        checked, problems = self.check(given, namer)
        raise_all(errors + problems)
        return checked

    def unknown_arguments(self, given: Mapping[str, Any], namer: Namer) -> list[InputError]:
        """A misspelt argument would be ignored silently: a `TypedDict` is not checked at run time."""
        allowed = sorted(self.settings)
        errors = []
        for argument in sorted(set(given) - set(allowed)):
            close = difflib.get_close_matches(argument, allowed, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            errors.append(
                InputError(
                    namer.key(argument),
                    "is not an argument of this component",
                    f"{hint}valid: {', '.join(allowed)}",
                )
            )
        return errors


def _accepts_output(annotation: object) -> bool:
    """`pulumi.Input[T]` is `Union[T, Awaitable[T], Output[T]]` (Output a forward reference), maybe `NotRequired`."""
    return any(typing.get_origin(part) is Awaitable or _accepts_output(part) for part in typing.get_args(annotation))


def _checked(value: object, setting: Setting, name: str, accepts_output: bool) -> Any:
    """Check a plain value now, before anything is registered; an Output (where allowed) once it resolves."""
    if isinstance(value, (pulumi.Output, Awaitable)):
        if not accepts_output:
            raise InputError(name, "must be a plain value, not an Output", "pass the value itself")
        resolved: pulumi.Output[Any] = pulumi.Output.from_input(value)
        return resolved.apply(lambda plain: setting.check(name, plain))
    return setting.check(name, value)
