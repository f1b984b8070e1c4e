"""The scheduler process of `benchmarks.scheduler_scale`, run on its own.

A separate process, so its peak memory is the scheduler's alone (not the
seeding's), and its start time includes nothing the parent did.

    python -m benchmarks._scheduler_child DATABASE_URL BURST LEAD_SECONDS

Prints one JSON object: start seconds, peak and settled RSS, the burst's
lateness at the sender (seconds after due, in send order) and the limiter's
global rate and period.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psutil
import sqlalchemy as sa
from sqlmodel import col

from bot.app import BotApp
from bot.config import Settings
from bot.core.delivery import DeliveryWorker, SendResult
from bot.core.events import OutgoingMessage
from bot.core.ratelimit import RateLimiter
from bot.scheduler import run_scheduler
from bot.scheduler.registry import periodics, register_periodic
from bot.storage.checkin_models import Checkin
from bot.storage.models import utcnow


@dataclass
class RecordingSender:
    """Telegram's side, minus the network: waits on the real limiter, notes the time."""

    limiter: RateLimiter
    platform: str = "telegram"
    times: list[float] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int = 0

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        await self.limiter.acquire(chat_id)
        self.times.append(time.monotonic())
        self.limiter.done(chat_id)
        if len(self.times) >= self.expected:
            self.done.set()
        return SendResult("sent", message_id=str(len(self.times)))


def watch_checkin_scans(scanned: asyncio.Event, loop: asyncio.AbstractEventLoop) -> None:
    """Re-register the check-in scanner so we learn when its first pass is done."""
    entry = next(p for p in periodics() if p.name == "checkins")

    def fire(app: BotApp, now: datetime) -> int:
        handled = entry.fn(app, now)
        loop.call_soon_threadsafe(scanned.set)
        return handled

    register_periodic("checkins", fire, entry.every_seconds, next_due=entry.next_due)


def move_burst(app: BotApp, burst: int, due: datetime) -> None:
    """Make the first `burst` members' next check-in due at `due` (the same moment)."""
    with app.engine.begin() as conn:
        ids = sa.select(col(Checkin.id)).where(col(Checkin.status) == "scheduled").order_by(
            col(Checkin.member_id)).limit(burst).scalar_subquery()
        conn.execute(sa.update(Checkin).where(col(Checkin.id).in_(ids))
                     .values(due_at=due, send_at=due))


async def main(url: str, burst: int, lead: float) -> dict[str, object]:
    app = BotApp(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    limiter = RateLimiter()  # the real default: Telegram's limits
    sender = RecordingSender(limiter, expected=burst)
    worker = DeliveryWorker(app.engine, {"telegram": sender})
    scanned = asyncio.Event()
    watch_checkin_scans(scanned, asyncio.get_running_loop())
    stop = asyncio.Event()
    started = time.monotonic()
    task = asyncio.create_task(run_scheduler(app, stop, worker=worker))
    await asyncio.wait_for(scanned.wait(), timeout=600)
    start_seconds = time.monotonic() - started
    due = utcnow() + timedelta(seconds=lead)
    due_mono = time.monotonic() + lead
    await asyncio.to_thread(move_burst, app, burst, due)
    budget = lead + burst / limiter.global_rate * limiter.global_period * 1.5 + 60
    try:
        await asyncio.wait_for(sender.done.wait(), timeout=budget)
    except TimeoutError:
        pass
    rss = psutil.Process().memory_info().rss
    stop.set()
    await task
    app.engine.dispose()
    return {
        "start_seconds": start_seconds,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "rss": rss,
        "lateness": [t - due_mono for t in sender.times],
        "global_rate": limiter.global_rate,
        "global_period": limiter.global_period,
    }


if __name__ == "__main__":
    result = asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
    print(json.dumps(result))
