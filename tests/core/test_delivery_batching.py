"""The delivery worker's batching: shared transactions, a bounded in-flight window,
and stops that still hold back rows claimed in the same breath."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from bot.app import BotApp
from bot.core.delivery import DeliveryWorker, SendResult
from bot.core.events import OutgoingMessage
from bot.storage.models import OutboxMessage
from tests.core.test_delivery import ScriptedSender, drain, queue, statuses


@dataclass
class GatedSender:
    """Every send waits until `gate` opens, like a slow network."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)
    platform: str = "fake"
    started: list[str] = field(default_factory=list)

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        self.started.append(message.text)
        await self.gate.wait()
        return SendResult("sent", message_id="m")


def rows(app: BotApp) -> list[OutboxMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_a_burst_to_many_chats_shares_transactions(app: BotApp) -> None:
    for n in range(60):
        queue(app, f"c{n}", f"hello {n}")
    commits: list[int] = []
    event.listen(app.engine, "commit", lambda _conn: commits.append(1))
    sender = ScriptedSender()
    drain(DeliveryWorker(app.engine, {"fake": sender}))
    assert statuses(app) == ["sent"] * 60
    assert sorted(sender.calls) == sorted((f"c{n}", f"hello {n}") for n in range(60))
    # Claim, marks and successes are batched: far fewer commits than rows.
    assert len(commits) <= 30, len(commits)


def test_at_most_max_in_flight_are_sending_and_a_crash_leaves_only_those_unknown(
    app: BotApp,
) -> None:
    for n in range(20):
        queue(app, f"c{n}", f"m{n}")
    gated = GatedSender()
    worker = DeliveryWorker(app.engine, {"fake": gated}, max_in_flight=4)

    async def crash_mid_send() -> list[str]:
        task = asyncio.create_task(worker.run_once())
        for _ in range(200):
            if len(gated.started) >= 4:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # nobody else may start while four are in flight
        seen = list(gated.started)
        task.cancel()  # the process dies here
        await asyncio.gather(task, return_exceptions=True)
        return seen

    in_flight = asyncio.run(crash_mid_send())
    assert len(in_flight) == 4
    assert sorted(r.status for r in rows(app)).count("sending") == 4
    assert worker.recover_in_flight() == 4
    sender = ScriptedSender()
    drain(DeliveryWorker(app.engine, {"fake": sender}))
    resent = {text for _, text in sender.calls}
    assert resent.isdisjoint(in_flight), "an unknown send is never repeated"
    assert len(resent) == 16 and len(sender.calls) == 16
    final = rows(app)
    assert {r.payload["text"] for r in final if r.status == "unknown"} == set(in_flight)
    assert sum(r.status == "sent" for r in final) == 16


def test_a_row_cancelled_while_queued_is_not_sent(app: BotApp) -> None:
    queue(app, "a", "first", "stopped before its turn")

    class StopsTheRest(ScriptedSender):
        async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
            with Session(app.engine) as s:  # the member says STOP while "first" goes out
                later = s.exec(select(OutboxMessage).where(
                    OutboxMessage.status == "claimed")).all()
                for row in later:
                    row.status = "cancelled"
                    s.add(row)
                s.commit()
            return await super().send(chat_id, message)

    sender = StopsTheRest()
    drain(DeliveryWorker(app.engine, {"fake": sender}))
    assert sender.calls == [("a", "first")]
    assert statuses(app) == ["sent", "cancelled"]


def test_a_row_claimed_while_its_chat_is_stopping_is_held_too(app: BotApp) -> None:
    """batch_size=1: a2 is claimed while a1 is in flight; a1's 429 must hold a2 as well."""
    queue(app, "a", "a1", "a2")

    class SlowRetry(ScriptedSender):
        async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
            self.calls.append((chat_id, message.text))
            await asyncio.sleep(0.3)  # long enough for the next claim to take a2
            return SendResult("retry", retry_after=30, error="retry_after")

    sender = SlowRetry()
    worker = DeliveryWorker(app.engine, {"fake": sender}, batch_size=1)

    async def scenario() -> None:
        stop = asyncio.Event()
        runner = asyncio.create_task(worker.run_forever(stop, idle=0.02))
        await asyncio.sleep(1.0)
        stop.set()
        await runner

    asyncio.run(scenario())
    assert sender.calls == [("a", "a1")], "a2 never overtakes a1, nor goes during the hold"
    a1, a2 = rows(app)
    assert (a1.status, a2.status) == ("pending", "pending")
    assert a2.not_before >= a1.not_before > a1.created_at + timedelta(seconds=25)


@dataclass
class CuttingSender:
    """Sends fine, but once, mid-run, the database drops the connections opened
    since `before` was taken (as a PostgreSQL restart or an idle timeout does)."""

    app: BotApp
    before: list[int]
    platform: str = "fake"
    calls: list[str] = field(default_factory=list)

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        self.calls.append(message.text)
        if len(self.calls) == 3:
            with self.app.engine.connect() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                    "current_database() AND pid <> pg_backend_pid() AND NOT pid = ANY(%s)",
                    (self.before,))
            self.app.engine.dispose()
        return SendResult("sent", message_id="m")


def test_a_dropped_database_connection_between_writes_loses_and_repeats_nothing(
        app: BotApp) -> None:
    """The journal keeps one connection (no checkout and ping per write); when the
    server drops it, the next write runs on a new one instead of failing its chats."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("needs a server that can drop connections")
    for n in range(12):
        queue(app, f"c{n % 4}", f"m{n}")
    app.engine.dispose()
    with app.engine.connect() as conn:  # the test's own connections stay up
        before = list(conn.exec_driver_sql("SELECT pid FROM pg_stat_activity").scalars())
    app.engine.dispose()
    sender = CuttingSender(app, before)
    drain(DeliveryWorker(app.engine, {"fake": sender}, max_in_flight=2))
    assert statuses(app) == ["sent"] * 12
    assert sorted(sender.calls) == sorted(f"m{n}" for n in range(12))
