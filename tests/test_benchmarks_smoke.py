"""Smoke tests for the benchmark runner and the inbound, scheduler and idle benchmarks.

Each benchmark runs at its quick size and we check it produced every figure
and that they are sane (consistent with each other, nothing lost, nothing sent
early). Targets are not asserted: speed belongs to the benchmark report, not
to a unit test on a shared machine. The benchmarks need PostgreSQL.
"""

from __future__ import annotations

import importlib
import math
import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine

from benchmarks._stats import percentile
from benchmarks.results import Figure
from benchmarks.scheduler_scale import beyond_allowance
from bot.config import Settings
from tests.conftest import DATABASES, DEFAULT_PG

runner = importlib.import_module("benchmarks.__main__")
pytestmark = pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")


@pytest.fixture(scope="module")
def pg_url() -> str:
    if "postgresql" not in DATABASES:
        pytest.skip("the benchmarks run on PostgreSQL only")
    url = Settings(_env_file=None,  # type: ignore[call-arg]
                   database_url=os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)).database_url
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - shown in the skip reason
        pytest.skip(f"PostgreSQL unreachable ({type(exc).__name__})")
    return url


def by_name(figures: list[Figure], benchmark: str) -> dict[str, Figure]:
    assert figures and all(f.benchmark == benchmark for f in figures)
    found = {f.name: f for f in figures}
    assert len(found) == len(figures), "figure names must be unique"
    return found


def finite(*figures: Figure) -> None:
    for f in figures:
        assert math.isfinite(f.value) and f.value >= 0, f


# ------------------------------------------------------------ pure helpers

def test_percentile_is_nearest_rank_and_nan_when_empty() -> None:
    values = [float(n) for n in range(100, 0, -1)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (
        50.0, 99.0, 100.0)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_lateness_beyond_the_limit_subtracts_each_ranks_allowance() -> None:
    rate, period = 30, 1.05
    exactly_paced = [(k // rate) * period for k in range(300)]
    assert max(abs(x) for x in beyond_allowance(exactly_paced, rate, period)) < 1e-9
    one_second_slow = [x + 1.0 for x in reversed(exactly_paced)]  # order must not matter
    assert all(abs(x - 1.0) < 1e-9 for x in beyond_allowance(one_second_slow, rate, period))


# ------------------------------------------------------------ the runner

def fake_module(monkeypatch: pytest.MonkeyPatch, name: str, run: Any) -> str:
    module = types.ModuleType(name)
    if run is not None:
        module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    return name


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Replace the database and the benchmarks with fakes; records each run's arguments."""
    seen: list[tuple[str, bool]] = []

    @contextmanager
    def scratch(url: str) -> Iterator[str]:
        yield url + "_scratch"

    def good(*, database_url: str | None = None, quick: bool = False) -> list[Figure]:
        seen.append((str(database_url), quick))
        return [Figure("good", "speed", 1.0, "x", ">= 2", False)]  # misses its target

    def crash(*, database_url: str | None = None, quick: bool = False) -> list[Figure]:
        raise ZeroDivisionError

    monkeypatch.setattr(runner, "scratch_database", scratch)
    monkeypatch.setattr(runner, "server_version", lambda url: "15.0")
    monkeypatch.setattr(runner, "BENCHMARKS", {
        "good": fake_module(monkeypatch, "fake_bench_good", good),
        "crash": fake_module(monkeypatch, "fake_bench_crash", crash),
        "missing": fake_module(monkeypatch, "fake_bench_missing", None),
    })
    return seen


def test_runner_exits_0_when_a_target_is_missed(calls: list[Any], capsys: Any) -> None:
    assert runner.main(["good", "--quick", "--database-url", "postgresql://h/db"]) == 0
    out = capsys.readouterr().out
    assert calls == [("postgresql://h/db_scratch", True)]
    assert "FAIL" in out and "good" in out and "benchmark wall time" in out
    assert "PostgreSQL 15.0" in out and f"{os.cpu_count()} CPUs" in out


def test_runner_reports_a_crash_as_a_row_runs_the_rest_and_exits_1(
        calls: list[Any], capsys: Any) -> None:
    assert runner.main(["crash", "good"]) == 1
    out = capsys.readouterr().out
    assert "crashed: ZeroDivisionError" in out
    assert len(calls) == 1 and calls[0][1] is False  # good still ran, full size


def test_runner_reports_a_benchmark_without_run(calls: list[Any], capsys: Any) -> None:
    assert runner.main(["missing"]) == 1
    assert "has no run() yet" in capsys.readouterr().out


def test_runner_refuses_unknown_names(calls: list[Any]) -> None:
    with pytest.raises(SystemExit) as exited:
        runner.main(["good", "nonsense"])
    assert exited.value.code == 2 and calls == []


def test_runner_knows_all_five_benchmarks() -> None:
    assert list(runner.BENCHMARKS) == ["inbound", "broadcast", "scheduler", "dashboard", "idle"]
    for module in ("benchmarks.inbound_throughput", "benchmarks.scheduler_scale",
                   "benchmarks.idle_memory"):
        assert callable(runner.find_runner(module))


# ------------------------------------------------------------ the benchmarks, quick

def test_inbound_quick(pg_url: str) -> None:
    from benchmarks import inbound_throughput

    f = by_name(inbound_throughput.run(database_url=pg_url, quick=True), "inbound")
    bare, full, ratio = (f["bare PTB echo bot throughput"], f["full bot throughput"],
                         f["full / bare throughput"])
    finite(bare, full, ratio)
    assert bare.value > 0 and full.value > 0
    assert ratio.value == pytest.approx(full.value / bare.value)
    assert ratio.ok is (ratio.value >= 0.5)
    for who in ("bare", "full"):
        p50, p99 = f[f"{who} bot p50 latency"], f[f"{who} bot p99 latency"]
        finite(p50, p99)
        assert 0 < p50.value <= p99.value
    assert f["full bot updates without a reply"].value == 0
    assert f["full bot updates without a reply"].ok is True
    assert f["'button has expired' replies"].value == 0  # the mix reached real handlers
    assert "unanswered" not in bare.note


def test_scheduler_quick(pg_url: str) -> None:
    from benchmarks import scheduler_scale

    members, burst = scheduler_scale.sizes(True)
    f = by_name(scheduler_scale.run(database_url=pg_url, quick=True), "scheduler")
    assert f["members with plans (bulk insert)"].value == members
    assert f["burst check-ins sent"].value == burst and f["burst check-ins sent"].ok
    finite(f["time to start"], f["peak memory (RSS)"])
    assert f["time to start"].value > 0 and f["peak memory (RSS)"].value > 10
    p50, p99, top = (f[f"lateness {p}"].value for p in ("p50", "p99", "max"))
    assert 0 <= p50 <= p99 <= top  # nothing went out before it was due
    beyond = [f[f"lateness beyond rate limit {p}"].value for p in ("p50", "p99", "max")]
    assert beyond == sorted(beyond) and beyond[-1] <= top
    assert f["lateness beyond rate limit p99"].ok is (beyond[1] <= 2.0)


def test_idle_memory_quick(pg_url: str) -> None:
    from benchmarks import idle_memory

    f = by_name(idle_memory.run(database_url=pg_url, quick=True), "idle memory")
    bare = f["bare Python + the same libraries"]
    bot = f["bot process, 1,000 members"]
    finite(bare, bot)
    assert 20 < bare.value < bot.value  # the bot adds its own code and state on top
    assert f["bot over baseline"].value == pytest.approx(bot.value - bare.value)
    assert f["bot / baseline"].value == pytest.approx(bot.value / bare.value)
    assert "of" in bare.note and not bare.note.startswith("baseline, 0 of")
