"""The periodic-scan registry: how features tell the scheduler what may be due.

A feature keeps its own "due item" rows and registers one scanner,
`fn(app, now) -> int` (how many items it handled). The leader runs every
scanner every `every_seconds`, and, when `next_due(app, now)` is given, also
exactly at the next due moment it reports. Scanners must be idempotent: each
item is claimed and marked in one transaction with the messages it sends.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApp

log = logging.getLogger(__name__)

ScanFn = Callable[["BotApp", datetime], int]
NextDueFn = Callable[["BotApp", datetime], "datetime | None"]

# Our own scanners; other features register theirs when their module is imported
# (handlers/<feature>.py or a module it imports, which BotApp loads).
BUILTIN_MODULES = (
    "bot.services.checkins", "bot.services.reminders", "bot.services.safeguarding",
    "bot.scheduler.jobs",
)


@dataclass(frozen=True)
class Periodic:
    """One registered scanner."""

    name: str
    fn: ScanFn
    every_seconds: float
    next_due: NextDueFn | None = None


_REGISTRY: dict[str, Periodic] = {}


def register_periodic(
    name: str, fn: ScanFn, every_seconds: float, *, next_due: NextDueFn | None = None
) -> Periodic:
    """Register (or replace, so re-imports are harmless) the scanner called `name`."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    entry = Periodic(name, fn, float(every_seconds), next_due)
    _REGISTRY[name] = entry
    return entry


def unregister_periodic(name: str) -> None:
    _REGISTRY.pop(name, None)


def periodics() -> list[Periodic]:
    load_builtin()
    return list(_REGISTRY.values())


def load_builtin() -> None:
    for module in BUILTIN_MODULES:
        importlib.import_module(module)


def failure(exc: BaseException) -> str:
    """Error class and where it happened, never its message: messages (and SQL
    parameters) can carry what people wrote."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else ""
    return f"{type(exc).__name__}{where}"


def run_periodic(entry: Periodic, app: BotApp, now: datetime) -> int:
    """Run one scanner; a failing scanner is logged and skipped, the others go on."""
    try:
        return int(entry.fn(app, now))
    except Exception as exc:
        log.error("periodic %s failed: %s", entry.name, failure(exc))
        return 0


def run_due(app: BotApp, now: datetime, *, skip: Collection[str] = ()) -> dict[str, int]:
    """Run every scanner (but `skip`) once at `now`: the scheduler's tick, and the tests' clock."""
    return {entry.name: run_periodic(entry, app, now)
            for entry in periodics() if entry.name not in skip}
