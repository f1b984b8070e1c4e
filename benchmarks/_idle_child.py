"""The processes measured by `benchmarks.idle_memory`.

    python -m benchmarks._idle_child bot DATABASE_URL MIN_SECONDS MAX_SECONDS
    python -m benchmarks._idle_child bare MODULES_FILE MIN_SECONDS MAX_SECONDS

`bot` runs the bot as `copro-bot run` does with no platform token: the
runner's `serve()` with its inbox loop and scheduler (no adapter to poll).
`bare` imports every module the bot process had loaded, except our own code,
and does nothing. Each prints one JSON object: its RSS once settled, the
seconds it took to settle, and (bot) the modules it had loaded.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import time
import warnings
from collections.abc import Awaitable, Callable

import psutil

OURS = ("bot", "handlers", "benchmarks", "tests", "__main__", "__mp_main__")


async def settle(min_seconds: float, max_seconds: float,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> tuple[int, float]:
    """RSS once it stops moving: after `min_seconds`, within 1% over the last 3 s."""
    process = psutil.Process()
    started = time.monotonic()
    samples: list[int] = []
    while True:
        await sleep(0.5)
        samples.append(process.memory_info().rss)
        elapsed = time.monotonic() - started
        recent = samples[-6:]
        steady = len(recent) == 6 and max(recent) - min(recent) <= 0.01 * max(recent)
        if (elapsed >= min_seconds and steady) or elapsed >= max_seconds:
            return samples[-1], elapsed


def third_party_modules() -> list[str]:
    return sorted(name for name in list(sys.modules)
                  if name.split(".")[0] not in OURS)


async def run_bot(url: str, min_seconds: float, max_seconds: float) -> dict[str, object]:
    from bot.app import BotApp
    from bot.config import Settings
    from bot.runner import serve

    app = BotApp(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, [], stop))
    rss, seconds = await settle(min_seconds, max_seconds)
    stop.set()
    await task
    return {"rss": rss, "settle_seconds": seconds, "modules": third_party_modules()}


async def run_bare(modules_file: str, min_seconds: float, max_seconds: float
                   ) -> dict[str, object]:
    with open(modules_file, encoding="utf-8") as f:
        names = json.load(f)
    failed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:  # aliases and platform-specific submodules  # noqa: BLE001
                failed += 1
    rss, seconds = await settle(min_seconds, max_seconds)
    return {"rss": rss, "settle_seconds": seconds, "imported": len(names) - failed}


if __name__ == "__main__":
    mode, arg, low, high = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    runner = run_bot if mode == "bot" else run_bare
    print(json.dumps(asyncio.run(runner(arg, low, high))))
