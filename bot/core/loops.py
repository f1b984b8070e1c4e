"""Running a process's loops side by side, and stopping them cleanly.

Shared by the adapters, the web app and the runner, so none of them needs
another platform's library just for these helpers.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

log = logging.getLogger(__name__)
SHUTDOWN_GRACE = 5.0
Loop = Callable[[asyncio.Event], Coroutine[Any, Any, Any]]


async def pause(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def first_of(stop: asyncio.Event, other: asyncio.Event, timeout: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(other.wait())]
    await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()


async def run_together(stop: asyncio.Event, *loops: Loop) -> None:
    """Run each loop until `stop` or until one ends; a failure stops the rest and is
    raised, so a bad token or a lost database ends the process, not half of it."""
    inner = asyncio.Event()
    tasks: list[asyncio.Task[None]] = [asyncio.create_task(loop(inner)) for loop in loops]
    outer = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([*tasks, outer], return_when=asyncio.FIRST_COMPLETED)
    finally:
        inner.set()
        outer.cancel()
        _, slow = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
        for task in slow:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM ask for a clean stop."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def process_inbox(app: Any, stop: asyncio.Event, received: asyncio.Event,
                        worker: Any, idle: float = 1.0) -> None:
    """Handle stored events as soon as an adapter stores one (or every `idle`
    seconds), waking the delivery worker after each commit that queued replies,
    so sending overlaps handling. Database trouble is waited out."""
    from bot.core.logsafe import log_failure

    loop = asyncio.get_running_loop()

    def wake_worker(_handled: int) -> None:  # called from the dispatch threads
        loop.call_soon_threadsafe(worker.wake.set)

    dispatcher = getattr(app, "dispatcher", None)
    if dispatcher is not None:
        process = functools.partial(dispatcher.process_pending, on_commit=wake_worker)
    else:
        process = app.process_pending
    failures = 0
    while not stop.is_set():
        received.clear()
        try:
            handled = await asyncio.to_thread(process)
        except Exception as exc:  # the database went away: try again later
            failures += 1
            log_failure(log, "processing the inbox failed", exc)
            await pause(min(2.0**failures, 60.0), stop)
            continue
        failures = 0
        if handled:
            worker.wake.set()
            continue
        await first_of(stop, received, timeout=idle)
