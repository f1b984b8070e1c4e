"""The delivery worker: sends outbox rows through platform senders.

A batch is first `claimed` (a lease no other worker takes). Each row is then
marked `sending` (committed) just before its network call and gets its outcome
after. After a crash, claimed rows go back to `pending` (never attempted), and
the rows still `sending` are marked `unknown`: we cannot tell whether the
platform got them, and sending again could duplicate. At most
`max_in_flight` rows of a worker are `sending` at once, and at most one per
chat, so a crash leaves at most that many `unknown` rows.

Messages to one chat go out in order, one at a time; different chats go out
concurrently. Rate-limit waits (the sender's optional `ready()` for the chat's
own limits, then `reserve()` for a slot) happen before `sending`, so a crash
while waiting loses nothing and leaves nothing unknown.

Database work is batched (`delivery_store.Journal`): a claim takes many rows
in three statements, and the marks and successes of all chats in flight share
one transaction, committed in a thread while the sends go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.core.delivery_store import MAX_ATTEMPTS, Journal, backoff, claim_rows, release, stop_chat
from bot.core.events import OutgoingMessage
from bot.core.faults import fault_point
from bot.core.logsafe import log_failure
from bot.storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

__all__ = ["MAX_ATTEMPTS", "DeliveryWorker", "SendResult", "Sender", "backoff"]

MAX_IN_FLIGHT = 16  # rows `sending` at once per worker: the most a crash leaves unknown

# "unknown": the request may or may not have arrived (a read timeout); never resent.
Outcome = Literal["sent", "retry", "unreachable", "failed", "migrated", "unknown"]
ChatKey = tuple[str, str]


@dataclass(frozen=True)
class SendResult:
    """What a platform said about one send."""

    outcome: Outcome
    retry_after: float = 0.0
    error: str | None = None  # a short code, never message text
    message_id: str | None = None
    new_chat_id: str | None = None


class Sender(Protocol):
    """Platform side of delivery; each adapter provides one.

    Optional: `async ready(chat_id)` waits for the chat's own limits, and
    `async reserve(chat_id)` takes the rate-limit slot the next send uses.
    """

    platform: str

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult: ...


@dataclass
class _Run:
    """One run of the worker: its journal, chat queues and in-flight slots."""

    journal: Journal
    slots: asyncio.Semaphore
    chats: dict[ChatKey, deque[OutboxMessage]] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    released: dict[ChatKey, int] = field(default_factory=dict)  # chat -> seq of its stop
    progress: asyncio.Event = field(default_factory=asyncio.Event)

    def backlog(self) -> int:
        return sum(len(queue) for queue in self.chats.values())


class DeliveryWorker:
    """Claims due outbox rows and sends them; safe to run in one leader process."""

    def __init__(
        self,
        engine: Engine,
        senders: dict[str, Sender],
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = 200,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.engine = engine
        self.senders = senders
        self.clock = clock
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.wake = asyncio.Event()

    def recover_in_flight(self) -> int:
        """After a crash: unsent claims go back to pending, in-flight sends become
        `unknown`. Returns the number of unknown rows. Run only in the leader."""
        with Session(self.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.status) == "claimed")
                .values(status="pending")
            )
            result = session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.status) == "sending")
                .values(status="unknown", last_error="in flight during restart")
            )
            session.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def claim(self, busy: Collection[ChatKey] = ()) -> list[OutboxMessage]:
        """Take due rows for platforms we can send on, skipping chats in `busy`."""
        with Session(self.engine, expire_on_commit=False) as session:
            rows = claim_rows(session, list(self.senders), self.clock(), self.batch_size, busy)
            session.commit()
            return rows

    async def run_once(self) -> int:
        """Send everything due now and wait for it; returns the number of rows claimed."""
        async with self._running() as run:
            claimed = await self._claim(run)
            await self._settle(run)
            return claimed

    async def run_forever(self, stop: asyncio.Event, idle: float = 0.5,
                          max_chats: int = 1000) -> None:
        """Keep sending until `stop`. Each chat gets its own task, so a chat that
        must wait (1 message a second, a 429) never holds up the others."""
        self.recover_in_flight()
        async with self._running() as run:
            while not stop.is_set():
                claimed = 0
                # Top up in whole batches: one claim per batch, not one per finished chat.
                if run.backlog() <= self.batch_size // 2 and len(run.chats) < max_chats:
                    try:
                        claimed = await self._claim(run)
                    except Exception as exc:
                        log_failure(log, "claiming the outbox failed", exc)
                if claimed:
                    continue
                run.progress.clear()
                self.wake.clear()
                waits = [asyncio.ensure_future(e.wait()) for e in (self.wake, stop)]
                if run.chats:
                    waits.append(asyncio.ensure_future(run.progress.wait()))
                await asyncio.wait(waits, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waits:
                    waiter.cancel()
            await self._settle(run)

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[_Run]:
        run = _Run(Journal(self.engine, self.clock), asyncio.Semaphore(self.max_in_flight))
        try:
            yield run
        finally:
            for task in list(run.tasks):
                task.cancel()
            run.journal.abort()

    async def _settle(self, run: _Run) -> None:
        """Wait for every chat in this run, then for their last writes."""
        while run.tasks:
            await asyncio.gather(*list(run.tasks), return_exceptions=True)
        await run.journal.close()

    async def _claim(self, run: _Run) -> int:
        seq = run.journal.next_seq()
        rows: list[OutboxMessage] = await run.journal.call(
            claim_rows, list(self.senders), self.clock(), self.batch_size)
        for row in rows:
            key = (row.platform, row.chat_id)
            if run.released.get(key, 0) > seq:
                continue  # a stop for this chat came later and released the row
            queue = run.chats.get(key)
            if queue is None:
                queue = run.chats[key] = deque()
                task = asyncio.create_task(self._chat(run, key, queue))
                run.tasks.add(task)
                task.add_done_callback(run.tasks.discard)
            queue.append(row)
        for key in [k for k, stopped in run.released.items() if stopped < seq]:
            del run.released[key]
        return len(rows)

    async def _chat(self, run: _Run, key: ChatKey, queue: deque[OutboxMessage]) -> None:
        """Send one chat's rows in order; stop at the first that is not sent."""
        sender = self.senders[key[0]]
        ready = getattr(sender, "ready", None)
        reserve = getattr(sender, "reserve", None)
        try:
            while queue:
                if ready is not None:
                    await ready(key[1])
                async with run.slots:
                    if reserve is not None:
                        await reserve(key[1])
                    row = queue[0]
                    assert row.id is not None
                    attempts = await run.journal.mark(row.id)
                    queue.popleft()
                    if attempts is None:
                        continue  # cancelled by STOP or erased while queued
                    row.attempts = attempts
                    result = await self._send(sender, row)
                    if result.outcome == "sent":
                        await run.journal.sent(row.id, result.message_id,
                                               bool(row.payload.get("sensitive")))
                        continue
                    # Rows of this chat claimed before this stop are released by it.
                    run.released[key] = run.journal.next_seq()
                    queue.clear()
                    await run.journal.call(stop_chat, row.id, result, self.clock())
                    return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log_failure(log, "delivery to one chat failed", exc)
            ids = [r.id for r in queue if r.id is not None]
            queue.clear()
            with contextlib.suppress(Exception):
                await run.journal.call(release, ids)
        finally:
            if run.chats.get(key) is queue:
                del run.chats[key]
            run.progress.set()

    async def _send(self, sender: Sender, row: OutboxMessage) -> SendResult:
        fault_point("delivery.before_send")
        try:
            result = await sender.send(row.chat_id, OutgoingMessage.from_dict(row.payload))
        except Exception as exc:  # a sender bug must not lose the row
            log_failure(log, "sender raised", exc)
            result = SendResult("retry", retry_after=backoff(row.attempts),
                                error=type(exc).__name__)
        fault_point("delivery.after_send")
        return result
