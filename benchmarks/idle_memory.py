"""Idle memory: the bot process with 10,000 members, against its bare libraries.

    python -m benchmarks.idle_memory [--database-url URL] [--quick]

10,000 members (with Telegram identities, weekly check-in plans and their next
check-ins) are bulk inserted into a fresh PostgreSQL schema. Then, each in its
own process:

* the bot: `bot.runner.serve()` with no platform token (as `copro-bot run`
  without tokens, minus the console): its inbox loop and its scheduler, which
  scans every member's check-ins at start;
* the baseline: a bare Python process importing every library module the bot
  process had loaded (our own code excluded), doing nothing.

RSS is read once it settles (within 1% over 3 s). Members live in the
database, not in memory, so the bot's extra over its libraries must stay small:
our target is at most 1.5x the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._db import scratch_schema
from benchmarks.results import Figure, format_table
from benchmarks.scheduler_scale import seed

NAME = "idle memory"
ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
MB = 1024 * 1024


def sizes(quick: bool) -> tuple[int, float, float]:
    """(members, least and most seconds to settle)."""
    return (1_000, 2.0, 8.0) if quick else (10_000, 10.0, 60.0)


def child(*args: str, timeout: float = 300) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "benchmarks._idle_child", *args],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
                          check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"{args[0]} process failed: {tail[0]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(url: str, members: int, low: float, high: float) -> tuple[dict[str, object],
                                                                          dict[str, object]]:
    seed(url, members)
    bot = child("bot", url, str(low), str(high))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(bot["modules"], f)
    try:
        bare = child("bare", f.name, str(min(low, 3.0)), str(high))
    finally:
        os.unlink(f.name)
    return bot, bare


def figures(members: int, bot: dict[str, object], bare: dict[str, object]) -> list[Figure]:
    bot_rss = int(bot["rss"]) / MB  # type: ignore[call-overload]
    bare_rss = int(bare["rss"]) / MB  # type: ignore[call-overload]
    ratio = bot_rss / bare_rss if bare_rss else float("inf")
    modules = len(bot["modules"])  # type: ignore[arg-type]
    return [
        Figure(NAME, "bare Python + the same libraries", bare_rss, "MB",
               note=f"baseline, {bare['imported']} of {modules} modules imported"),
        Figure(NAME, f"bot process, {members:,} members", bot_rss, "MB",
               note=f"settled after {float(bot['settle_seconds']):.0f} s"),  # type: ignore[arg-type]
        Figure(NAME, "bot over baseline", bot_rss - bare_rss, "MB"),
        Figure(NAME, "bot / baseline", ratio, "x", f"<= {TARGET_RATIO:g}",
               ratio <= TARGET_RATIO),
    ]


def run(*, database_url: str | None = None, quick: bool = False) -> list[Figure]:
    members, low, high = sizes(quick)
    with scratch_schema(database_url) as url:
        bot, bare = measure(url, members, low, high)
    return figures(members, bot, bare)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.idle_memory",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server URL (a scratch schema is used)")
    parser.add_argument("--quick", action="store_true", help="1,000 members, a short settle")
    args = parser.parse_args(argv)
    print(format_table(run(database_url=args.database_url, quick=args.quick)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
