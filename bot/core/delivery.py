"""The delivery worker: sends outbox rows through platform senders.

A batch is first `claimed` (a lease no other worker takes). Each row is then
marked `sending` (committed) just before its network call and gets its outcome
after. After a crash, claimed rows go back to `pending` (never attempted), and
the rows still `sending` (at most one per chat) are marked `unknown`: we cannot
tell whether the platform got them, and sending again could duplicate.
Messages to one chat go out in order; different chats go out concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from sqlalchemy import tuple_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.events import OutgoingMessage
from bot.core.faults import fault_point
from bot.core.logsafe import log_failure
from bot.storage.db import is_postgres
from bot.storage.models import Identity, OutboxMessage, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8

# "unknown": the request may or may not have arrived (a read timeout); never resent.
Outcome = Literal["sent", "retry", "unreachable", "failed", "migrated", "unknown"]


@dataclass(frozen=True)
class SendResult:
    """What a platform said about one send."""

    outcome: Outcome
    retry_after: float = 0.0
    error: str | None = None  # a short code, never message text
    message_id: str | None = None
    new_chat_id: str | None = None


class Sender(Protocol):
    """Platform side of delivery; each adapter provides one."""

    platform: str

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult: ...


def _forget(finished: Callable[[tuple[str, str]], None], key: tuple[str, str],
            _task: asyncio.Task[None]) -> None:
    finished(key)


def _by_chat(rows: list[OutboxMessage]) -> OrderedDict[tuple[str, str], list[OutboxMessage]]:
    grouped: OrderedDict[tuple[str, str], list[OutboxMessage]] = OrderedDict()
    for row in rows:
        grouped.setdefault((row.platform, row.chat_id), []).append(row)
    return grouped


def backoff(attempts: int) -> float:
    """Seconds to wait before retry number `attempts` after a network error."""
    return float(min(2 ** max(attempts - 1, 0), 300))


class Journal:
    """Coalesces the worker's status writes into shared transactions.

    Every write submitted within `window` seconds commits in one transaction,
    and each caller resumes only after that commit. Concurrent chats thus share
    commits (the database stops being the bottleneck) while each row is still
    durably `sending` before its network call.
    """

    def __init__(self, engine: Engine, window: float = 0.002) -> None:
        self.engine = engine
        self.window = window
        self._ops: list[tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any]]] = []

    async def submit(self, op: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._ops:
            loop.call_later(self.window, self._flush)
        self._ops.append((op, args, future))
        return await future

    def _flush(self) -> None:
        ops, self._ops = self._ops, []
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                results = [op(session, *args) for op, args, _ in ops]
                session.commit()
        except Exception as exc:
            for _, _, future in ops:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), result in zip(ops, results, strict=True):
            if not future.done():
                future.set_result(result)


class DeliveryWorker:
    """Claims due outbox rows and sends them; safe to run in one leader process."""

    def __init__(
        self,
        engine: Engine,
        senders: dict[str, Sender],
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = 200,
    ) -> None:
        self.engine = engine
        self.senders = senders
        self.clock = clock
        self.batch_size = batch_size
        self.wake = asyncio.Event()
        self.journal = Journal(engine)

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

    def claim(self, busy: Collection[tuple[str, str]] = ()) -> list[OutboxMessage]:
        """Take due rows for platforms we can send on, skipping chats still being sent to."""
        now = self.clock()
        with Session(self.engine, expire_on_commit=False) as session:
            query = (
                select(OutboxMessage)
                .where(
                    col(OutboxMessage.status) == "pending",
                    col(OutboxMessage.not_before) <= now,
                    col(OutboxMessage.platform).in_(list(self.senders)),
                )
                .order_by(col(OutboxMessage.id))
                .limit(self.batch_size)
            )
            if busy:
                pair = tuple_(col(OutboxMessage.platform), col(OutboxMessage.chat_id))
                query = query.where(pair.not_in(list(busy)))
            if is_postgres(self.engine):
                query = query.with_for_update(skip_locked=True)
            rows = list(session.exec(query).all())
            for row in rows:
                row.status = "claimed"
                session.add(row)
            session.commit()
            return rows

    async def run_once(self) -> int:
        """Send everything due now and wait for it; returns the number of rows claimed."""
        rows = self.claim()
        if not rows:
            return 0
        await asyncio.gather(*(self._send_chat_safely(chat_rows)
                               for chat_rows in _by_chat(rows).values()))
        return len(rows)

    async def run_forever(self, stop: asyncio.Event, idle: float = 0.5,
                          max_chats: int = 1000) -> None:
        """Keep sending until `stop`. Each chat gets its own task, so a chat that
        must wait (1 message a second, a 429) never holds up the others."""
        self.recover_in_flight()
        busy: dict[tuple[str, str], asyncio.Task[None]] = {}

        def finished(key: tuple[str, str]) -> None:
            busy.pop(key, None)
            self.wake.set()

        while not stop.is_set():
            rows: list[OutboxMessage] = []
            if len(busy) < max_chats:
                try:
                    rows = self.claim(busy.keys())
                except Exception as exc:
                    log_failure(log, "claiming the outbox failed", exc)
            for key, chat_rows in _by_chat(rows).items():
                task = asyncio.create_task(self._send_chat_safely(chat_rows))
                busy[key] = task
                task.add_done_callback(functools.partial(_forget, finished, key))
            if rows:
                await asyncio.sleep(0)
                continue
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=idle)
        if busy:
            await asyncio.gather(*busy.values(), return_exceptions=True)

    async def _send_chat_safely(self, rows: list[OutboxMessage]) -> None:
        try:
            await self._send_chat(rows)
        except Exception as exc:
            log_failure(log, "delivery to one chat failed", exc)
        finally:
            self._unclaim([row.id for row in rows if row.id is not None])

    def _unclaim(self, ids: list[int]) -> None:
        """Rows of this round never attempted (e.g. after a database error) go back."""
        with Session(self.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.status) == "claimed")
                .values(status="pending")
            )
            session.commit()

    async def _send_chat(self, rows: list[OutboxMessage]) -> None:
        """Send one chat's rows in order; stop at the first that is not sent."""
        sender = self.senders[rows[0].platform]
        ready = getattr(sender, "ready", None)
        for index, row in enumerate(rows):
            if ready is not None:
                # Rate-limit waits happen before `sending`, so a crash while
                # waiting leaves the row pending, not unknown.
                await ready(row.chat_id)
            if not await self.journal.submit(self._op_mark, row):
                continue  # cancelled by STOP or erased while queued
            fault_point("delivery.before_send")
            try:
                result = await sender.send(row.chat_id, OutgoingMessage.from_dict(row.payload))
            except Exception as exc:  # a sender bug must not lose the row
                log_failure(log, "sender raised", exc)
                result = SendResult("retry", retry_after=backoff(row.attempts),
                                    error=type(exc).__name__)
            fault_point("delivery.after_send")
            if result.outcome != "sent":
                await self.journal.submit(self._op_stop_chat, row, result, rows[index + 1 :])
                return
            await self.journal.submit(self._record, row, result)

    def _op_mark(self, session: Session, row: OutboxMessage) -> bool:
        """`sending` is committed before the network call, so a crash is never resent."""
        fresh = session.get(OutboxMessage, row.id)
        if fresh is None or fresh.status != "claimed":
            return False
        fresh.status = "sending"
        fresh.attempts += 1
        row.attempts = fresh.attempts
        session.add(fresh)
        return True

    def _op_stop_chat(
        self, session: Session, row: OutboxMessage, result: SendResult,
        rest: list[OutboxMessage],
    ) -> None:
        """Release the chat's other rows first, so a hold or migration covers them too."""
        for other in rest:
            fresh = session.get(OutboxMessage, other.id)
            if fresh is not None and fresh.status == "claimed":
                fresh.status = "pending"
                session.add(fresh)
        session.flush()
        self._record(session, row, result)

    def _record(self, session: Session, row: OutboxMessage, result: SendResult) -> None:
        """Store the outcome of one send."""
        now = self.clock()
        fresh = session.get(OutboxMessage, row.id)
        assert fresh is not None
        fresh.last_error = result.error
        if result.outcome == "sent":
            fresh.status, fresh.sent_at = "sent", now
            fresh.platform_message_id = result.message_id
            if fresh.payload.get("sensitive"):
                fresh.payload = {"text": "", "buttons": [], "scrubbed": True, "sensitive": True}
        elif result.outcome == "retry" and fresh.attempts < MAX_ATTEMPTS:
            wait = result.retry_after or backoff(fresh.attempts)
            until = now + timedelta(seconds=wait)
            fresh.status, fresh.not_before = "pending", until
            self._hold_chat(session, fresh, until)
        elif result.outcome == "migrated" and result.new_chat_id:
            self._migrate(session, fresh, result.new_chat_id)
        elif result.outcome == "unknown":
            fresh.status = "unknown"
        elif result.outcome == "unreachable":
            fresh.status = "unreachable"
            self._mark_unreachable(session, fresh, result.error or "unreachable")
        else:
            fresh.status = "failed"
        session.add(fresh)

    @staticmethod
    def _hold_chat(session: Session, row: OutboxMessage, until: datetime) -> None:
        """Later messages to the same chat wait too, so they never overtake."""
        session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.platform) == row.platform,
                col(OutboxMessage.chat_id) == row.chat_id,
                col(OutboxMessage.status) == "pending",
                col(OutboxMessage.not_before) < until,
                col(OutboxMessage.id) != row.id,
            )
            .values(not_before=until)
        )

    @staticmethod
    def _migrate(session: Session, row: OutboxMessage, new_chat_id: str) -> None:
        """A group became a supergroup: follow it, and resend now to the new id."""
        session.execute(
            update(Identity)
            .where(col(Identity.platform) == row.platform, col(Identity.chat_id) == row.chat_id)
            .values(chat_id=new_chat_id)
        )
        session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.platform) == row.platform,
                col(OutboxMessage.chat_id) == row.chat_id,
                col(OutboxMessage.status) == "pending",
            )
            .values(chat_id=new_chat_id)
        )
        row.chat_id, row.status = new_chat_id, "pending"

    @staticmethod
    def _mark_unreachable(session: Session, row: OutboxMessage, reason: str) -> None:
        """Blocked or gone: no retries, and nothing else queued for that chat goes out."""
        session.execute(
            update(Identity)
            .where(col(Identity.platform) == row.platform, col(Identity.chat_id) == row.chat_id)
            .values(unreachable=True, unreachable_reason=reason[:64])
        )
        session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.platform) == row.platform,
                col(OutboxMessage.chat_id) == row.chat_id,
                col(OutboxMessage.status) == "pending",
            )
            .values(status="unreachable", last_error=reason[:200])
        )
