"""Optional feature modules, imported only when they exist.

The dashboard ships before (or without) some features. A page whose feature
is missing says "This part is not set up yet" instead of failing, and a bug
inside a feature module still fails loudly rather than being hidden.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def optional(module: str) -> ModuleType | None:
    """The module, or None when it (or a package above it) does not exist."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module == missing or module.startswith(missing + "."):
            return None
        raise


def attr(module: str, name: str) -> Any | None:
    """`module.name`, or None when either is missing (a feature still being written)."""
    found = optional(module)
    return getattr(found, name, None) if found is not None else None
