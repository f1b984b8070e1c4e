"""CLI subcommands contributed by features.

Every module in this package that defines `register(subparsers)` is loaded by
`bot.cli`, in name order. `register` adds its parsers and sets
`func=callable(settings, args) -> int` on each. A module may also define
`EXPORTS = {"name": exporter}` to add or replace an `export` target.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def feature_modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]
