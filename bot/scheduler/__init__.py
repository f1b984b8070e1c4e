"""The scheduler: fires due check-ins, reminders and other features' due items.

- `register_periodic(name, fn, every_seconds, next_due=None)`: add a scanner.
- `run_scheduler(app, stop, clock=utcnow, senders=None)`: run it as leader or standby.
- `run_due(app, now)`: run every scanner once (tests drive time with it).
"""

from __future__ import annotations

from bot.scheduler.registry import Periodic, periodics, register_periodic, run_due
from bot.scheduler.runner import run_scheduler

__all__ = ["Periodic", "periodics", "register_periodic", "run_due", "run_scheduler"]
