"""A live progress bar for `copro-bot broadcast status ID --watch`.

The bar is redrawn on one terminal line from the delivery report, so it
shows what the delivery worker has really done. It stops when nothing is
left going out now: what is left is either done (sent, failed, unreachable)
or deferred to a later time (quiet hours, a break), which the last line says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from bot.broadcasts.report import DeliveryReport

WIDTH = 30
# (report category, label on the bar); the others are shown only when not zero.
SHOWN = (("sent", "sent"), ("going_out", "waiting"), ("waiting", "deferred"),
         ("failed", "failed"), ("unreachable", "unreachable"))
EXTRA = (("unknown", "unknown"), ("cancelled", "cancelled"), ("not_sent", "not sent"))
FINISHED = ("queued", "cancelled")
pause = time.sleep  # tests replace it to move the clock on between redraws


def bar(report: DeliveryReport, width: int = WIDTH) -> str:
    """`[#########.........]  45%  sent 45 · waiting 50 · deferred 5 · ...`"""
    totals = report.totals()
    total = report.recipients
    done = total - totals.get("going_out", 0) - totals.get("waiting", 0)
    filled = round(width * done / total) if total else 0
    share = f"{round(100 * done / total):3d}%" if total else "  -%"
    parts = [f"{label} {totals.get(key, 0)}" for key, label in SHOWN]
    parts += [f"{label} {totals[key]}" for key, label in EXTRA if totals.get(key)]
    return f"[{'#' * filled}{'.' * (width - filled)}] {share}  " + " · ".join(parts)


def finished(report: DeliveryReport) -> bool:
    """Nothing more will happen now: the fan-out is over and nothing is going out."""
    return report.status in FINISHED and report.totals().get("going_out", 0) == 0


def watch(
    load: Callable[[], DeliveryReport], out: TextIO, *, interval: float = 1.0,
    sleep: Callable[[float], None] | None = None, max_updates: int | None = None,
) -> DeliveryReport:
    """Redraw the bar every `interval` seconds until `finished`; returns the last report."""
    count = 0
    while True:
        report = load()
        line = bar(report)
        if report.status in ("draft", "scheduled"):
            line = f"{line}  ({report.status}: not going out yet)"
        out.write("\r\x1b[2K" + line)
        out.flush()
        count += 1
        if finished(report) or (max_updates is not None and count >= max_updates):
            out.write("\n")
            if report.totals().get("waiting"):
                out.write("The deferred ones go out after quiet hours or a break ends.\n")
            out.flush()
            return report
        (sleep or pause)(interval)
