"""argparse types for the tenant's plan specs (--faults, --rate-limit, --action-builds).

A plan's parser raises `ValueError` naming the bad key; argparse would print only "invalid value".
These turn it into the usage error, so a bad spec stops the command line before anything starts.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

Plan = TypeVar("Plan")


def plan_argument(parse: Callable[[str], Plan]) -> Callable[[str], Plan]:
    """The parsed plan, or the parser's error as the usage error."""

    def parsed(spec: str) -> Plan:
        try:
            return parse(spec)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from error

    return parsed


def spec_argument(parse: Callable[[str], object]) -> Callable[[str], str]:
    """For a command that hands the spec on as text (`python -m sandbox start`): checked now, kept as given."""
    check = plan_argument(parse)

    def checked(spec: str) -> str:
        check(spec)
        return spec

    return checked
