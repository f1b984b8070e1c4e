"""The broadcast benchmark's quick mode, as a test: not timed, but every count must hold.

Real fan-out, real DeliveryWorker and PTB sender in a subprocess, against the fake
Bot API refusing anything over its limits; once cleanly, once SIGKILLed 5 times.
"""

from __future__ import annotations

import os

import pytest

from benchmarks.broadcast_saturation import run
from benchmarks.results import Figure
from tests.conftest import DATABASES, DEFAULT_PG, _pg_reachable

pytestmark = pytest.mark.slow


def figure(figures: list[Figure], name: str) -> Figure:
    return next(f for f in figures if f.name == name)


@pytest.mark.parametrize("database", DATABASES)
def test_quick_broadcast_has_no_duplicates_no_losses_and_few_429s(database: str) -> None:
    if database == "postgresql":
        problem = _pg_reachable(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
        if problem:
            pytest.skip(f"PostgreSQL unreachable ({problem})")
    figures = run(database_url="sqlite" if database == "sqlite" else None, quick=True)
    for label in ("clean run", "5 SIGKILLs"):
        assert figure(figures, f"{label}: duplicates").value == 0
        assert figure(figures, f"{label}: losses").value == 0
        too_many = figure(figures, f"{label}: 429s received")
        assert too_many.ok, too_many  # under 1% of requests
    unknown = figure(figures, "5 SIGKILLs: rows recorded unknown")
    assert unknown.ok, unknown  # at most the in-flight window per kill
    assert "5 kills done" in unknown.note
    fan_out = figure(figures, f"clean run: fan-out of 700 recipients ({database})")
    assert fan_out.note == "700 outbox rows"
