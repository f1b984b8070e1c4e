"""Named crash points for fault-injection tests.

Setting `COPRO_CRASH_AT=<point>` makes the process SIGKILL itself when it
reaches that point, so tests can prove a crash anywhere loses nothing and
repeats nothing. Unset (always, in production) it costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "COPRO_CRASH_AT"


def fault_point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
