"""CLI subcommands contributed by features.

Every module in this package that defines `register(subparsers)` is loaded by
`bot.cli`, in name order. `register` adds its parsers and sets
`func=callable(settings, args) -> int` on each. A module may also define
`EXPORTS = {"name": exporter}` to add or replace an `export` target.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from types import ModuleType

from bot.core.text import parse_id


def feature_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]


def row_id(text: str) -> int:
    """An argparse `type` for a row number: a too-long or odd-digit id gets a usage
    error, not a database overflow traceback."""
    return _row_number(text, 9)


def big_row_id(text: str) -> int:
    """`row_id` for BIGINT ids, such as a feedback item's random id."""
    return _row_number(text, 18)


def _row_number(text: str, max_digits: int) -> int:
    number = parse_id(text, max_digits)
    if number is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a row number; use up to "
                                         f"{max_digits} digits, like 12")
    return number
