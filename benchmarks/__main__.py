"""Run the benchmarks and print one table: `python -m benchmarks [NAME ...] [--quick]`.

Names: inbound, broadcast, scheduler, dashboard, idle (default: all, in that
order). Every run gets a throwaway PostgreSQL database on the server of
`--database-url`, dropped at the end. The exit status is 0 when every benchmark
ran, whether or not it met its target (this is a report); 1 when one crashed
or could not run.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks._db import DEFAULT_URL, scratch_database, server_version
from benchmarks.results import Figure, format_table

BENCHMARKS: dict[str, str] = {
    "inbound": "benchmarks.inbound_throughput",
    "broadcast": "benchmarks.broadcast_saturation",
    "scheduler": "benchmarks.scheduler_scale",
    "dashboard": "benchmarks.dashboard_scale",
    "idle": "benchmarks.idle_memory",
}
Runner = Callable[..., list[Figure]]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(database_url: str) -> str:
    """What the figures were measured on: the same run on another machine differs."""
    try:
        pg = server_version(database_url)
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        pg = f"unreachable ({type(exc).__name__})"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"Machine: {os.cpu_count()} CPUs ({cpu_model()}), load {load}; "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}; "
            f"PostgreSQL {pg}")


def find_runner(module_name: str) -> Runner | None:
    runner = getattr(importlib.import_module(module_name), "run", None)
    return runner if callable(runner) else None


def run_one(name: str, module_name: str, database_url: str, quick: bool
            ) -> tuple[list[Figure], bool]:
    """(figures, ran): a crash or a missing `run` becomes a FAIL row, never an abort."""
    started = time.perf_counter()
    try:
        runner = find_runner(module_name)
        if runner is None:
            return [Figure(name, "benchmark", math.nan, target="run() -> list[Figure]",
                           ok=False, note=f"{module_name} has no run() yet")], False
        figures = list(runner(database_url=database_url, quick=quick))
    except Exception as exc:  # noqa: BLE001 - one crash must not hide the other results
        traceback.print_exc(file=sys.stderr)
        return [Figure(name, "benchmark", math.nan, ok=False,
                       note=f"crashed: {type(exc).__name__}")], False
    seconds = time.perf_counter() - started
    label = figures[0].benchmark if figures else name
    return [*figures, Figure(label, "benchmark wall time", seconds, "s")], True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"any of: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, seconds each")
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="a PostgreSQL server; a throwaway database is made on it")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    chosen = args.names or list(BENCHMARKS)
    figures: list[Figure] = []
    all_ran = True
    with scratch_database(args.database_url) as url:
        for name in chosen:
            print(f"running {name}...", file=sys.stderr, flush=True)
            found, ran = run_one(name, BENCHMARKS[name], url, args.quick)
            figures += found
            all_ran = all_ran and ran
    print(format_table(figures))
    print()
    print(machine(args.database_url))
    failed = [f for f in figures if f.ok is False]
    print(f"{len(figures)} figures, {len(failed)} below target" +
          ("" if all_ran else "; a benchmark crashed or could not run"))
    return 0 if all_ran else 1


if __name__ == "__main__":
    raise SystemExit(main())
