"""The scheduler in-process: APScheduler jobs rebuilt from the registry, due rows
fired on time, a failing scanner isolated, and the leader lock's basic contract."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.app import BotApp
from bot.core.delivery import SendResult
from bot.core.events import OutgoingMessage
from bot.scheduler import register_periodic, run_scheduler
from bot.scheduler.leader import LeaderLock
from bot.scheduler.registry import unregister_periodic
from bot.storage.models import utcnow
from tests.harness import RecordingSender
from tests.scheduler.helpers import add_member
from tests.scheduler.processes import session_with_hour_reminder


async def until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_a_due_reminder_fires_on_time_and_a_broken_scanner_is_contained(
        app: BotApp) -> None:
    add_member(app, "u1", quiet=(None, None))
    calls: list[datetime] = []
    sent_at: list[tuple[datetime, str]] = []

    class TimedSender(RecordingSender):
        async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
            sent_at.append((utcnow(), message.text))
            return await super().send(chat_id, message)

    def probe(_app: BotApp, now: datetime) -> int:
        calls.append(now)
        return 0

    def broken(_app: BotApp, now: datetime) -> int:
        raise RuntimeError("boom")

    register_periodic("test-probe", probe, every_seconds=0.2)
    register_periodic("test-broken", broken, every_seconds=0.2)
    stop = asyncio.Event()
    try:
        # The scan interval is long: only a booked date job can fire the reminder on time.
        task = asyncio.create_task(run_scheduler(app, stop, senders={"test": TimedSender()},
                                                 scan_seconds=60))
        assert await until(lambda: len(calls) >= 1, 10), "every scanner runs at start"
        due = utcnow() + timedelta(seconds=1)
        await asyncio.to_thread(session_with_hour_reminder, app, "u1", "Art group", due)
        got = await until(lambda: any(t.startswith("Reminder") for _, t in sent_at), 15)
        assert got, "the reminder was sent without waiting for the next scan"
        assert len(calls) >= 3, "the broken scanner did not stop the others"
        stop.set()
        await asyncio.wait_for(task, 10)
    finally:
        unregister_periodic("test-probe")
        unregister_periodic("test-broken")
        stop.set()
    reminders = [(when, text) for when, text in sent_at if text.startswith("Reminder")]
    assert len(reminders) == 1 and "Art group" in reminders[0][1]
    assert due <= reminders[0][0] < due + timedelta(seconds=6), "on time, never early"


async def test_rows_due_at_start_are_fired_at_once(app: BotApp) -> None:
    add_member(app, "u1", quiet=(None, None))
    session_with_hour_reminder(app, "u1", "Choir", utcnow() - timedelta(minutes=1))
    sender = RecordingSender()
    stop = asyncio.Event()
    task = asyncio.create_task(run_scheduler(app, stop, senders={"test": sender}))
    try:
        assert await until(lambda: any(m.text.startswith("Reminder") for _, m in sender.sent),
                           10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def test_only_one_holder_of_the_leader_lock(app: BotApp) -> None:
    first, second = LeaderLock(app.engine), LeaderLock(app.engine)
    try:
        assert first.try_acquire() and first.alive()
        if first.postgres:
            assert not second.try_acquire(), "a second process stands by"
            first.release()
            assert second.try_acquire(), "and takes over once the lock is free"
        else:
            assert second.try_acquire(), "SQLite is one process: always the leader"
    finally:
        first.release()
        second.release()
