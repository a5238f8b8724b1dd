"""The one error type users see for bad input, so every mistake reads the same way."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi


class InputError(pulumi.RunError):
    """A config key or component argument holds a value that cannot work.

    Subclassing :class:`pulumi.RunError` makes the Pulumi CLI print only the message, not a
    Python traceback, and the error is raised before any resource is registered.
    """

    def __init__(self, key: str, problem: str, fix: str) -> None:
        self.key = key
        self.problem = problem
        self.fix = fix
        super().__init__(f"{key}: {problem}. Fix: {fix}")


class InputErrors(pulumi.RunError):
    """Several bad inputs, reported together so one `pulumi preview` shows every mistake."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        self.errors = list(errors)
        lines = "\n".join(f"  - {error}" for error in self.errors)
        super().__init__(f"{len(self.errors)} invalid setting(s):\n{lines}")


def raise_all(errors: Sequence[InputError]) -> None:
    """Raise nothing, the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)
