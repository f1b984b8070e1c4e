"""Turns stored inbox events into handler calls, exactly once.

Each event is handled in one transaction: the handler's state changes, its
outbox rows and the inbox row's `done` mark commit together. A crash before
the commit leaves the event pending, and it is handled again from scratch; a
crash after leaves it done. Either way there is one effect and one reply.

For speed, on PostgreSQL several events share one transaction (one commit;
if any of them fails, the batch is undone and its events are handled again
one a transaction), and several workers run at once. Each worker takes whole lanes (all
pending events of one sender), so one person's events are still handled in
the order they arrived.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.core.context import Context
from bot.core.easyread import member_translator
from bot.core.events import Event, OutgoingMessage
from bot.core.faults import fault_point
from bot.core.inbox import pending_lanes
from bot.core.logsafe import log_failure
from bot.core.members import resolve_member_and_state, roles_of
from bot.core.router import Router
from bot.core.state import StateView
from bot.core.text import clean_input
from bot.i18n import I18n
from bot.storage.db import is_postgres
from bot.storage.models import InboxEvent, OutboxMessage, utcnow

log = logging.getLogger(__name__)

BUTTON_VALID_FOR = timedelta(days=30)
RECENT_MESSAGES_CHECKED = 50
BATCH_SIZE = 25  # events per transaction: one commit (one disk flush) for all of them
POSTGRES_WORKERS = 4  # SQLite has one writer, so it gets one worker


class Dispatcher:
    """Processes pending inbox rows through the router."""

    def __init__(self, engine: Engine, router: Router, settings: Settings, i18n: I18n,
                 *, workers: int | None = None, batch_size: int = BATCH_SIZE) -> None:
        self.engine = engine
        self.router = router
        self.settings = settings
        self.i18n = i18n
        self.workers = workers or (POSTGRES_WORKERS if is_postgres(engine) else 1)
        # SQLite has one writer: a long transaction would hold up the inbox, so
        # it handles one event a transaction, as it always did.
        self.batch_size = max(1, batch_size) if is_postgres(engine) else 1
        self._pool: ThreadPoolExecutor | None = None

    def process_pending(self, limit: int = 200,
                        on_commit: Callable[[int], None] | None = None) -> int:
        """Handle every pending event, oldest first; returns how many were handled.

        `on_commit(n)` is called after each commit that handled n events, so the
        delivery worker can start on the replies while the rest are handled.
        """
        handled = 0
        while True:
            lanes = pending_lanes(self.engine, limit)
            if not lanes:
                return handled
            groups = share_lanes(lanes, self.workers)
            if len(groups) == 1:
                progress = self._process_group(groups[0], on_commit)
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.workers, "dispatch")
                futures = [self._pool.submit(self._process_group, g, on_commit)
                           for g in groups]
                progress = sum(f.result() for f in futures)
            handled += progress
            if progress == 0:
                return handled

    def _process_group(self, lanes: Sequence[Sequence[int]],
                       on_commit: Callable[[int], None] | None) -> int:
        """One worker's lanes, in arrival order, `batch_size` events a transaction."""
        ids = sorted(i for lane in lanes for i in lane)
        handled = 0
        for start in range(0, len(ids), self.batch_size):
            chunk = ids[start:start + self.batch_size]
            if len(chunk) == 1:
                count = int(self.process(chunk[0]))
            else:
                try:
                    count = self.process_batch(chunk)
                except Exception as exc:  # nothing was kept: redo them one by one
                    # (a failing handler, a deadlock between workers, a busy database)
                    log_failure(log, "dispatch batch redone one by one", exc)
                    count = sum(self.process(inbox_id) for inbox_id in chunk)
            handled += count
            if count and on_commit is not None:
                on_commit(count)
        return handled

    def process_batch(self, ids: Sequence[int]) -> int:
        """Handle these events in one transaction, marked done in one statement.

        Optimistic: if any handler raises, or the database refuses anything,
        the whole transaction is rolled back (every event stays pending) and
        the caller handles them again one at a time, where a failing handler
        is marked failed and apologised for. Handlers are rarely that broken,
        so almost every batch costs one commit.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            query = select(InboxEvent).where(
                col(InboxEvent.id).in_(list(ids)), InboxEvent.status == "pending"
            ).order_by(col(InboxEvent.id))
            if is_postgres(self.engine):
                query = query.with_for_update(skip_locked=True)
            rows = session.exec(query).all()
            for row in rows:
                assert row.id is not None
                event = Event.from_dict(row.payload)
                self._dispatch(event, self._context(session, event, row.id))
            done = [row.id for row in rows]
            if done:
                session.execute(
                    sa.update(InboxEvent)
                    .where(col(InboxEvent.id).in_(done))
                    .values(status="done", processed_at=utcnow())
                )
            session.flush()
            fault_point("dispatch.before_commit")
            session.commit()
            return len(rows)

    def process(self, inbox_id: int) -> bool:
        """Handle one event; False when another worker has it or it is done."""
        with Session(self.engine, expire_on_commit=False) as session:
            query = select(InboxEvent).where(
                InboxEvent.id == inbox_id, InboxEvent.status == "pending"
            )
            if is_postgres(self.engine):
                query = query.with_for_update(skip_locked=True)
            row = session.exec(query).first()
            if row is None:
                return False
            event = Event.from_dict(row.payload)
            try:
                ctx = self._context(session, event, inbox_id)
                self._dispatch(event, ctx)
                row.status, row.processed_at = "done", utcnow()
                session.add(row)
                session.flush()
                fault_point("dispatch.before_commit")
                session.commit()
                return True
            except Exception as exc:  # one bad event must not stop the others
                session.rollback()
                log_failure(log, f"event {inbox_id} failed", exc)
        self._record_failure(inbox_id, event)
        return True

    def _context(self, session: Session, event: Event, inbox_id: int | None) -> Context:
        member, identity, state = resolve_member_and_state(
            session,
            event.platform,
            event.user_id,
            private_chat_id(event),
            default_language=self.settings.default_language,
            default_timezone=self.settings.default_timezone,
        )
        assert member.id is not None
        if identity.unreachable and event.kind != "blocked":
            # They just wrote to us, so they can be reached again (e.g. DMs reopened).
            identity.unreachable, identity.unreachable_reason = False, None
            session.add(identity)
        return Context(
            session=session,
            member=member,
            identity=identity,
            t=member_translator(self.i18n, session, member),
            state=StateView(session, member.id, state),
            settings=self.settings,
            i18n=self.i18n,
            roles=roles_of(session, member.id),
            event_id=inbox_id,
            commands=self.router.commands,
            reply_chat_id=event.chat_id or identity.chat_id,
        )

    def _dispatch(self, event: Event, ctx: Context) -> None:
        if event.kind in ("blocked", "unblocked"):
            handler = self.router.platform_handlers.get(event.kind)
            if handler:
                handler(event, ctx)
            return
        if event.text:
            event = dataclasses.replace(event, text=clean_input(event.text))
        for interceptor in self.router.interceptors:
            if interceptor(event, ctx):
                return
        if event.kind == "command":
            self._command(event, ctx)
        elif event.kind == "button":
            self._button(event, ctx)
        elif event.kind == "unsupported":
            if self.router.unsupported_handler:
                self.router.unsupported_handler(event, ctx)
        elif not event.text:
            ctx.reply(ctx._("I didn't get any words there. You can type a message, or send /help."))
        elif ctx.state.flow in self.router.flows:
            self.router.flows[ctx.state.flow](event, ctx)  # type: ignore[index]
        elif self.router.fallback_handler:
            self.router.fallback_handler(event, ctx)

    def _command(self, event: Event, ctx: Context) -> None:
        spec = self.router.commands.get(event.command or "")
        if spec is None:
            ctx.reply(ctx._("I don't know that command. Send /help to see what I can do."))
        elif spec.roles and not ctx.has_role(*spec.roles):
            ctx.reply(ctx._("Sorry, that command is only for the team. Send /help to see yours."))
        else:
            spec.handler(event, ctx)

    def _button(self, event: Event, ctx: Context) -> None:
        action = event.action or ""
        found = self.router.find_button(action)
        if found is None or not was_offered(ctx, action):
            ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))
            return
        handler, roles = found
        if roles and not ctx.has_role(*roles):
            ctx.reply(ctx._("Sorry, that button is only for the team."))
            return
        handler(event, ctx)

    def _record_failure(self, inbox_id: int, event: Event) -> None:
        """Mark the event failed (by error class only) and say sorry, once."""
        with Session(self.engine, expire_on_commit=False) as session:
            row = session.get(InboxEvent, inbox_id)
            if row is None or row.status != "pending":
                return
            self._mark_failed(session, row, event)
            session.commit()

    def _mark_failed(self, session: Session, row: InboxEvent, event: Event) -> None:
        row.status, row.processed_at, row.error = "failed", utcnow(), "handler error"
        # The member is asked to try again, so the words are not needed; and
        # they may have been meant as an anonymous answer.
        row.payload = {**row.payload, "text": "", "args": "", "scrubbed": True}
        session.add(row)
        try:
            ctx = self._context(session, event, row.id)
            if event.kind not in ("blocked", "unblocked"):
                ctx.reply(ctx._("Sorry, something went wrong on our side. Please try again."))
        except Exception as exc:
            log_failure(log, f"could not queue the apology for event {row.id}", exc)


def private_chat_id(event: Event) -> str:
    """The member's own chat. A message in a group must never redirect private
    messages (check-ins, payments) to that group; a reply still goes where they wrote."""
    if event.extra.get("chat_type", "private") == "private":
        return event.chat_id
    return str(event.extra.get("private_chat_id") or "")


def was_offered(ctx: Context, action: str) -> bool:
    """A button is valid only if we sent it to this member recently.

    Button data is client-controlled, so a forged or stale action id that we
    never offered to this member is refused before any handler runs.
    """
    since = utcnow() - BUTTON_VALID_FOR
    rows = ctx.session.exec(
        select(OutboxMessage.payload)
        .where(OutboxMessage.member_id == ctx.member.id, OutboxMessage.created_at >= since)
        .order_by(OutboxMessage.id.desc())  # type: ignore[union-attr]
        .limit(RECENT_MESSAGES_CHECKED)
    ).all()
    return any(action in OutgoingMessage.from_dict(p).actions() for p in rows)


def share_lanes(lanes: Sequence[Sequence[int]], workers: int) -> list[list[Sequence[int]]]:
    """Split lanes between at most `workers` groups of about equal size, each
    lane whole (so one sender's events stay with one worker, in order)."""
    groups: list[list[Sequence[int]]] = [[] for _ in range(max(1, min(workers, len(lanes))))]
    sizes = [0] * len(groups)
    for lane in sorted(lanes, key=len, reverse=True):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(lane)
        sizes[smallest] += len(lane)
    return groups
