"""The delivery worker's database work, done many rows per statement.

`Journal` runs these in a thread, one transaction at a time: every write the
worker asks for while the previous transaction commits goes into the next one
(group commit). So the database keeps up with the platform's rate, while each
row is still durably `sending` before its network call. The journal keeps one
connection for its transactions, so a busy broadcast does not pay a pool
checkout and ping hundreds of times a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from bot.core.reach import pick_identity
from bot.storage.broadcast_models import BroadcastRecipient
from bot.storage.db import is_postgres
from bot.storage.models import Identity, OutboxMessage

if TYPE_CHECKING:
    from bot.core.delivery import SendResult

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SCRUBBED: dict[str, Any] = {"text": "", "buttons": [], "scrubbed": True, "sensitive": True}


def backoff(attempts: int) -> float:
    """Seconds to wait before retry number `attempts` after a network error."""
    return float(min(2 ** max(attempts - 1, 0), 300))


def claim_rows(session: Session, platforms: Collection[str], now: datetime, limit: int,
               skip_chats: Collection[tuple[str, str]] = ()) -> list[OutboxMessage]:
    """Due pending rows become `claimed` (oldest first); PostgreSQL skips rows
    another transaction holds."""
    query = (
        select(OutboxMessage.id, OutboxMessage.platform, OutboxMessage.chat_id)
        .where(col(OutboxMessage.status) == "pending", col(OutboxMessage.not_before) <= now,
               col(OutboxMessage.platform).in_(list(platforms)))
        .order_by(col(OutboxMessage.id))
        .limit(limit + len(skip_chats))
    )
    if is_postgres(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    skip = set(skip_chats)
    ids = [row_id for row_id, platform, chat in session.exec(query).all()
           if (platform, chat) not in skip][:limit]
    if not ids:
        return []
    session.execute(update(OutboxMessage).where(col(OutboxMessage.id).in_(ids))
                    .values(status="claimed").execution_options(synchronize_session=False))
    return list(session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))
                             .order_by(col(OutboxMessage.id))).all())


def _outbox() -> Any:
    return OutboxMessage.__table__  # type: ignore[attr-defined]


def mark_sending(connection: Connection, ids: list[int]) -> dict[int, int]:
    """`claimed` rows become `sending`; returns {id: attempts}. A row that is no
    longer claimed (cancelled by STOP, erased) is left out: it must not go."""
    table = _outbox()
    result = connection.execute(
        table.update()
        .where(table.c.id.in_(ids), table.c.status == "claimed")
        .values(status="sending", attempts=table.c.attempts + 1)
        .returning(table.c.id, table.c.attempts)
    )
    return {int(row_id): int(attempts) for row_id, attempts in result.all()}


def record_sent(connection: Connection, sent: list[tuple[int, str | None, bool]],
                now: datetime) -> None:
    """Sent rows in one statement: (id, platform message id, scrub the payload)."""
    table = _outbox()
    connection.execute(
        table.update().where(table.c.id == bindparam("row_id"))
        .values(status="sent", sent_at=now, platform_message_id=bindparam("message_id"),
                last_error=None),
        [{"row_id": row_id, "message_id": message_id} for row_id, message_id, _ in sent],
    )
    scrub = [{"row_id": row_id} for row_id, _, secret in sent if secret]
    if scrub:
        connection.execute(table.update().where(table.c.id == bindparam("row_id"))
                           .values(payload=SCRUBBED), scrub)


def release(session: Session, ids: list[int]) -> None:
    """Claimed rows never attempted go back to `pending`."""
    if ids:
        session.execute(update(OutboxMessage)
                        .where(col(OutboxMessage.id).in_(ids),
                               col(OutboxMessage.status) == "claimed")
                        .values(status="pending").execution_options(synchronize_session=False))


def stop_chat(session: Session, row_id: int, result: SendResult, now: datetime) -> None:
    """A send that did not go: release the chat's other claimed rows first, so a
    hold, an unreachable mark or a migration covers them too, then record it."""
    fresh = session.get(OutboxMessage, row_id)
    assert fresh is not None
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.platform) == fresh.platform,
               col(OutboxMessage.chat_id) == fresh.chat_id,
               col(OutboxMessage.status) == "claimed")
        .values(status="pending").execution_options(synchronize_session=False))
    record_outcome(session, fresh, result, now)


def record_outcome(session: Session, fresh: OutboxMessage, result: SendResult,
                   now: datetime) -> None:
    """Store the outcome of one send that did not simply succeed."""
    fresh.last_error = result.error
    if result.outcome == "sent":
        fresh.status, fresh.sent_at = "sent", now
        fresh.platform_message_id = result.message_id
    elif result.outcome == "retry" and fresh.attempts < MAX_ATTEMPTS:
        until = now + timedelta(seconds=result.retry_after or backoff(fresh.attempts))
        fresh.status, fresh.not_before = "pending", until
        hold_chat(session, fresh, until)
    elif result.outcome == "migrated" and result.new_chat_id:
        migrate(session, fresh, result.new_chat_id)
    elif result.outcome == "unknown":
        fresh.status = "unknown"
    elif result.outcome == "unreachable":
        fresh.status = "unreachable"
        mark_unreachable(session, fresh, result.error or "unreachable")
    else:
        fresh.status = "failed"
    session.add(fresh)


def _same_chat_pending(row: OutboxMessage) -> list[Any]:
    return [col(OutboxMessage.platform) == row.platform,
            col(OutboxMessage.chat_id) == row.chat_id,
            col(OutboxMessage.status) == "pending"]


def hold_chat(session: Session, row: OutboxMessage, until: datetime) -> None:
    """Later messages to the same chat wait too, so they never overtake."""
    session.execute(
        update(OutboxMessage)
        .where(*_same_chat_pending(row), col(OutboxMessage.not_before) < until,
               col(OutboxMessage.id) != row.id)
        .values(not_before=until).execution_options(synchronize_session=False))


def migrate(session: Session, row: OutboxMessage, new_chat_id: str) -> None:
    """A group became a supergroup: follow it, and resend now to the new id."""
    session.execute(
        update(Identity)
        .where(col(Identity.platform) == row.platform, col(Identity.chat_id) == row.chat_id)
        .values(chat_id=new_chat_id))
    session.execute(update(OutboxMessage).where(*_same_chat_pending(row))
                    .values(chat_id=new_chat_id).execution_options(synchronize_session=False))
    row.chat_id, row.status = new_chat_id, "pending"


def mark_unreachable(session: Session, row: OutboxMessage, reason: str) -> None:
    """Blocked or gone: no retries on that account. A linked member's other working
    account gets this and the chat's queued messages instead (where anything new
    would go anyway); with none, nothing else queued for that chat goes out."""
    session.execute(
        update(Identity)
        .where(col(Identity.platform) == row.platform, col(Identity.chat_id) == row.chat_id)
        .values(unreachable=True, unreachable_reason=reason[:64]))
    other = _other_account(session, row)
    if other is not None:
        moved = session.execute(
            update(OutboxMessage).where(*_same_chat_pending(row))
            .values(platform=other.platform, chat_id=other.chat_id)
            .returning(col(OutboxMessage.id))
            .execution_options(synchronize_session=False)).scalars().all()
        session.execute(  # a broadcast's report shows the platform it really went on
            update(BroadcastRecipient)
            .where(col(BroadcastRecipient.outbox_id).in_([row.id, *moved]))
            .values(platform=other.platform))
        row.platform, row.chat_id, row.status = other.platform, other.chat_id, "pending"
        return
    session.execute(update(OutboxMessage).where(*_same_chat_pending(row))
                    .values(status="unreachable", last_error=reason[:200])
                    .execution_options(synchronize_session=False))


def _other_account(session: Session, row: OutboxMessage) -> Identity | None:
    """The member's account a message for an unreachable chat should move to, if any."""
    if row.member_id is None:
        return None
    other = pick_identity(session, row.member_id)
    if other is None or (other.platform, other.chat_id) == (row.platform, row.chat_id):
        return None
    return other


Op = Callable[..., Any]


class Journal:
    """Batches the worker's writes: one transaction at a time, in a thread.

    Marks (`sending`) and successes are merged into one statement each per
    transaction; other operations run after them in the order submitted (each
    gets a sequence number, which the worker uses to order claims and stops).
    Callers resume once their transaction has committed.
    """

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock
        self._seq = itertools.count(1)
        self._marks: list[tuple[int, asyncio.Future[Any]]] = []
        self._sent: list[tuple[tuple[int, str | None, bool], asyncio.Future[Any]]] = []
        self._ops: list[tuple[Op, tuple[Any, ...], asyncio.Future[Any]]] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._conn: Connection | None = None  # kept between flushes, used by one at a time
        self._conn_lock = threading.Lock()
        self._closing = False
        self._committing = False  # the flush in progress has reached its commit

    def next_seq(self) -> int:
        return next(self._seq)

    async def mark(self, row_id: int) -> int | None:
        """Attempts so far once the row is `sending`; None if it must not be sent."""
        return await self._submit(self._marks, row_id)  # type: ignore[no-any-return]

    async def sent(self, row_id: int, message_id: str | None, scrub: bool) -> None:
        await self._submit(self._sent, (row_id, message_id, scrub))

    async def call(self, op: Op, *args: Any) -> Any:
        """Run `op(session, *args)` in the next transaction, after marks and successes."""
        return await self._submit(self._ops, (op, args))

    async def _submit(self, queue: list[Any], item: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if isinstance(item, tuple) and queue is self._ops:
            queue.append((*item, future))
        else:
            queue.append((item, future))
        self._idle.clear()
        self._wake.set()
        if self._task is None:
            self._closing = False
            self._task = asyncio.create_task(self._loop())
        return await future

    async def close(self) -> None:
        """Wait for everything submitted to commit, then stop the flusher."""
        await self._idle.wait()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._release()

    def abort(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._release()

    def _release(self) -> None:
        """Give the connection back, now if no flush holds it, else when that one ends
        (a cancelled flush still runs on in its thread)."""
        self._closing = True
        if self._conn_lock.acquire(blocking=False):
            try:
                self._drop_connection()
            finally:
                self._conn_lock.release()

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            marks, sent, ops = self._marks, self._sent, self._ops
            self._marks, self._sent, self._ops = [], [], []
            futures = [f for _, f in marks] + [f for _, f in sent] + [op[2] for op in ops]
            if futures:
                try:
                    marked, results = await asyncio.to_thread(
                        self._flush, [i for i, _ in marks], [s for s, _ in sent],
                        [(op, args) for op, args, _ in ops])
                except Exception as exc:
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                else:
                    for row_id, future in marks:
                        if not future.done():
                            future.set_result(marked.get(row_id))
                    for _, future in sent:
                        if not future.done():
                            future.set_result(None)
                    for (_, _, future), result in zip(ops, results, strict=True):
                        if not future.done():
                            future.set_result(result)
            if not (self._marks or self._sent or self._ops):
                self._idle.set()

    def _flush(self, marks: list[int], sent: list[tuple[int, str | None, bool]],
               ops: list[tuple[Op, tuple[Any, ...]]]) -> tuple[dict[int, int], list[Any]]:
        """One transaction on the journal's own connection. If the database had dropped
        that connection (a restart), the transaction rolled back: run it once more on
        a new one, as a pool's pre-ping would have. A drop during the commit (which may
        have landed) is raised."""
        with self._conn_lock:
            try:
                return self._flush_on(self._connection(), marks, sent, ops)
            except DBAPIError as exc:
                self._drop_connection()
                if not exc.connection_invalidated or self._committing:
                    raise
                return self._flush_on(self._connection(), marks, sent, ops)
            finally:
                if self._closing:
                    self._drop_connection()

    def _flush_on(self, connection: Connection, marks: list[int],
                  sent: list[tuple[int, str | None, bool]],
                  ops: list[tuple[Op, tuple[Any, ...]]]) -> tuple[dict[int, int], list[Any]]:
        self._committing = False
        transaction = connection.begin()
        try:
            marked = mark_sending(connection, marks) if marks else {}
            if sent:
                record_sent(connection, sent, self.clock())
            results: list[Any] = []
            if ops:
                with Session(bind=connection, expire_on_commit=False) as session:
                    results = [op(session, *args) for op, args in ops]
                    session.flush()
        except BaseException:
            with contextlib.suppress(Exception):
                transaction.rollback()
            raise
        self._committing = True
        transaction.commit()
        return marked, results

    def _connection(self) -> Connection:
        """The journal's own connection, kept between transactions: a broadcast
        flushes hundreds of times a second, and a pool checkout pings each time."""
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
