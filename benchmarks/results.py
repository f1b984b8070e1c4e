"""One shape for every benchmark's figures, so `python -m benchmarks` can print one table.

Each benchmark module exposes::

    def run(*, database_url: str | None = None, quick: bool = False) -> list[Figure]

`quick` runs a small version (seconds, for the smoke test in CI); the full size is
what the README's results record. A `Figure` with `ok=None` is information only
(a baseline, a count); otherwise `ok` says whether the target was met.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    benchmark: str
    name: str
    value: float
    unit: str = ""
    target: str = ""
    ok: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.ok is None:
            return "info"
        return "pass" if self.ok else "FAIL"


def _number(value: float) -> str:
    if not math.isfinite(value):  # a figure that could not be measured
        return "n/a"
    if value == int(value) and abs(value) >= 1:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def format_table(figures: Iterable[Figure]) -> str:
    """A plain-text table: benchmark, figure, value, target, verdict."""
    rows = [("benchmark", "figure", "value", "target", "verdict")]
    for f in figures:
        value = f"{_number(f.value)} {f.unit}".strip()
        target = f.target or "-"
        verdict = f.verdict + (f" ({f.note})" if f.note else "")
        rows.append((f.benchmark, f.name, value, target, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) for i in range(4)] + [row[4]]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  -------")
    return "\n".join(lines)
