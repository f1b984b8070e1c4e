"""Running the scheduler: leader election, APScheduler jobs and (optionally) delivery.

APScheduler only decides *when* to look; our tables say *what* is due. Jobs
live in APScheduler's memory store and are rebuilt from the registry and the
tables each time this process becomes leader, so nothing is ever pickled and
a restart loses nothing: every scanner runs at once on start and picks up
whatever fell due while we were down (sent late and marked late).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.delivery import DeliveryWorker, Sender
from bot.core.loops import pause
from bot.scheduler.leader import LeaderLock
from bot.scheduler.registry import Periodic, failure, periodics, run_periodic
from bot.storage.models import utcnow

if TYPE_CHECKING:
    from bot.app import BotApp

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
BOOK_SECONDS = 3.0  # how often the leader looks for the next due row of each feature


class _Leadership:
    """One term as leader: the APScheduler instance and its jobs."""

    def __init__(self, app: BotApp, clock: Clock, scan_seconds: float,
                 worker: DeliveryWorker | None) -> None:
        self.app = app
        self.clock = clock
        self.scan_seconds = scan_seconds
        self.worker = worker
        self.entries = {p.name: p for p in periodics()}
        self.locks = {name: asyncio.Lock() for name in self.entries}
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def start(self) -> None:
        """Rebuild the jobs: each scanner now, then on its interval.

        A light "booking" job also asks each feature for its next due row every
        few seconds, so rows written by other processes fire on time too.
        """
        now = datetime.now(UTC)
        for entry in self.entries.values():
            every = min(entry.every_seconds, self.scan_seconds)
            self.scheduler.add_job(self.run, IntervalTrigger(seconds=every, timezone=UTC),
                                   args=[entry.name], id=entry.name, next_run_time=now)
        self.scheduler.add_job(self.book_all, IntervalTrigger(
            seconds=min(BOOK_SECONDS, self.scan_seconds), timezone=UTC), id="booking")
        self.scheduler.start()

    async def book_all(self) -> None:
        for entry in self.entries.values():
            await self._book_next(entry)

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def run(self, name: str) -> None:
        """Run one scanner (never twice at once), then book its next due moment."""
        entry = self.entries[name]
        async with self.locks[name]:
            handled = await asyncio.to_thread(run_periodic, entry, self.app, self.clock())
            if handled and self.worker is not None:
                self.worker.wake.set()
            await self._book_next(entry)

    async def _book_next(self, entry: Periodic) -> None:
        """A date job at the next due row, so items fire on time, not at the next scan."""
        if entry.next_due is None or not self.scheduler.running:
            return
        try:
            due = await asyncio.to_thread(entry.next_due, self.app, self.clock())
        except Exception as exc:
            log.error("next_due for %s failed: %s", entry.name, failure(exc))
            return
        if due is None:
            return
        # The scanner's clock may be a test clock: book by the distance to it.
        wait = max((due - self.clock()).total_seconds(), 0.0)
        if wait >= self.scan_seconds:
            return  # the interval job gets there first
        run_at = datetime.now(UTC) + timedelta(seconds=wait + 0.05)
        self.scheduler.add_job(self.run, DateTrigger(run_at, timezone=UTC), args=[entry.name],
                               id=f"{entry.name}:next", replace_existing=True)


async def run_scheduler(
    app: BotApp,
    stop: asyncio.Event,
    clock: Clock = utcnow,
    *,
    senders: dict[str, Sender] | None = None,
    worker: DeliveryWorker | None = None,
    once: bool = False,
    scan_seconds: float | None = None,
    retry_seconds: float | None = None,
) -> None:
    """Stand by until this process leads, then fire due items until `stop`.

    With `senders` (or a ready-made `worker`), the leader also runs the delivery
    worker, so exactly one process delivers as well. `once` runs every scanner a single time (and
    drains delivery), for cron-style use and crash tests.
    """
    settings = app.settings
    scan = float(scan_seconds or settings.scheduler_scan_seconds)
    retry = float(retry_seconds or settings.scheduler_standby_retry_seconds)
    heartbeat = min(float(settings.scheduler_heartbeat_seconds), scan)
    lock = LeaderLock(app.engine)
    standing_by = False
    try:
        while not stop.is_set():
            if not await asyncio.to_thread(lock.try_acquire):
                if not standing_by:
                    log.info("scheduler standing by (pid %s)", os.getpid())
                    standing_by = True
                await pause(retry, stop)
                continue
            standing_by = False
            log.info("scheduler leader (pid %s)", os.getpid())
            term_worker = worker or (
                DeliveryWorker(app.engine, senders, clock=clock,
                               max_in_flight=app.settings.delivery_max_in_flight)
                if senders else None)
            if once:
                await _run_once(app, clock, term_worker)
                return
            await _lead(app, stop, clock, lock, scan, heartbeat, term_worker)
    finally:
        await asyncio.to_thread(lock.release)


async def _run_once(app: BotApp, clock: Clock, worker: DeliveryWorker | None) -> None:
    for entry in periodics():
        await asyncio.to_thread(run_periodic, entry, app, clock())
    if worker is not None:
        worker.recover_in_flight()
        while await worker.run_once():
            pass


async def _lead(app: BotApp, stop: asyncio.Event, clock: Clock, lock: LeaderLock,
                scan: float, heartbeat: float, worker: DeliveryWorker | None) -> None:
    """Lead until `stop` or until the lock connection is lost."""
    term = _Leadership(app, clock, scan, worker)
    term_over = asyncio.Event()
    delivery = asyncio.create_task(worker.run_forever(term_over)) if worker else None
    term.start()
    try:
        while not stop.is_set():
            await pause(heartbeat, stop)
            if not await asyncio.to_thread(lock.alive):
                log.warning("scheduler lost leadership (pid %s)", os.getpid())
                break
    finally:
        term.stop()
        term_over.set()
        if delivery is not None:
            await delivery
