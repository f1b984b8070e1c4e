"""Database models, engine and migrations.

Core tables live in `models.py`; each feature keeps its tables in
`<feature>_models.py` next to it. `load_all_models()` imports them all, so
the metadata (for migrations checks and exports) is complete.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all_models() -> None:
    importlib.import_module(f"{__name__}.models")
    for info in pkgutil.iter_modules(__path__):
        if info.name.endswith("_models"):
            importlib.import_module(f"{__name__}.{info.name}")
