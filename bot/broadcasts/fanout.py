"""Turning a confirmed broadcast into one outbox row per recipient, exactly once.

Each batch writes its recipient rows and their outbox rows in one
transaction, so a crash leaves both or neither. Each batch skips members
who already have a recipient row, so running the fan-out again (a second
`send`, or a resume after a crash) only does what is left, and the unique
(broadcast_id, member_id) constraint stops any race from doubling up.
Sending is not done here: the delivery worker sends the rows at the
platform's rate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.broadcasts.audience import already_recipients, members_batch
from bot.broadcasts.plan import aware, plan_recipient, start_time
from bot.broadcasts.render import Renderer
from bot.broadcasts.spec import BroadcastError
from bot.core.events import OutgoingMessage
from bot.core.reach import pick_identities
from bot.i18n import I18n
from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
from bot.storage.db import is_postgres, transaction
from bot.storage.models import Member, OutboxMessage, utcnow

log = logging.getLogger(__name__)

BATCH_SIZE = 500
RACE_RETRIES = 3


@dataclass
class FanOutResult:
    """What this run wrote (a resumed or repeated run writes only what was left)."""

    broadcast_id: int
    recipients: int = 0
    queued: int = 0
    batches: int = 0


def batch_size_from(settings: object) -> int:
    return max(int(getattr(settings, "broadcast_batch_size", BATCH_SIZE) or BATCH_SIZE), 1)


def start_sending(broadcast: Broadcast, now: datetime) -> bool:
    """Move a confirmed draft on; False when there is nothing to write now.

    A draft whose send time is still ahead becomes `scheduled` instead: it
    fans out when due (see `bot.broadcasts.schedule`), so whoever joins,
    pauses or says STOP before then is treated as they are at send time.
    """
    if broadcast.status == "cancelled":
        raise BroadcastError(f"broadcast {broadcast.id} was cancelled, so it cannot be sent")
    if broadcast.status in ("queued", "scheduled"):
        return False
    if broadcast.status == "draft":
        send_at = aware(broadcast.send_at)
        if send_at is not None and send_at > now:
            broadcast.status, broadcast.confirmed_at = "scheduled", now
            return False
        broadcast.status, broadcast.confirmed_at = "sending", now
    return True


def write_batch(
    session: Session, broadcast: Broadcast, members: list[Member], renderer: Renderer,
    now: datetime,
) -> tuple[int, int]:
    """Recipient and outbox rows for `members`; returns (recipients, queued)."""
    assert broadcast.id is not None
    picked = pick_identities(session, [m.id for m in members if m.id is not None])
    start = start_time(broadcast.send_at, now)
    plans = [
        plan_recipient(m, picked.get(m.id or 0), urgent=broadcast.kind == "urgent",
                       text_language=renderer.language_of(m.language), start=start)
        for m in members
    ]
    queued = [p for p in plans if p.queued]
    payloads: dict[str, dict[str, Any]] = {}
    outbox_ids: dict[int, int] = {}
    if queued:
        rows = []
        for p in queued:
            assert p.identity is not None
            if p.language not in payloads:
                payloads[p.language] = OutgoingMessage(renderer(p.language)).to_dict()
            rows.append({"member_id": p.member_id, "platform": p.identity.platform,
                         "chat_id": p.identity.chat_id, "payload": payloads[p.language],
                         "status": "pending", "attempts": 0, "not_before": p.not_before,
                         "created_at": now})
        stmt = insert(OutboxMessage).returning(col(OutboxMessage.id),
                                               sort_by_parameter_order=True)
        ids = session.execute(stmt, rows).scalars().all()
        outbox_ids = {p.member_id: int(i) for p, i in zip(queued, ids, strict=True)}
    session.execute(insert(BroadcastRecipient), [
        {"broadcast_id": broadcast.id, "member_id": p.member_id, "language": p.language,
         "text_language": p.text_language, "platform": p.platform,
         "outbox_id": outbox_ids.get(p.member_id), "status": "queued" if p.queued else "skipped",
         "reason": p.reason, "created_at": now}
        for p in plans
    ])
    return len(plans), len(queued)


def fan_out_in(
    session: Session, broadcast: Broadcast, i18n: I18n, *, now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> FanOutResult:
    """The whole fan-out inside the caller's transaction (the chat flow's confirm,
    which must commit with its reply). Idempotent like `fan_out`."""
    assert broadcast.id is not None
    now = now or utcnow()
    result = FanOutResult(broadcast.id)
    if not start_sending(broadcast, now):
        session.add(broadcast)
        return result
    renderer = Renderer(broadcast.texts, broadcast.default_language, i18n)
    after = 0
    while batch := members_batch(session, broadcast.audience, after_id=after, limit=batch_size):
        after = batch[-1].id or after
        members = todo(session, broadcast.id, batch)
        if members:
            recipients, queued = write_batch(session, broadcast, members, renderer, now)
            result.recipients += recipients
            result.queued += queued
            result.batches += 1
    broadcast.status, broadcast.queued_at = "queued", now
    session.add(broadcast)
    return result


def fan_out(
    engine: Engine, broadcast_id: int, i18n: I18n, *, batch_size: int = BATCH_SIZE,
    clock: Callable[[], datetime] = utcnow,
    after_batch: Callable[[FanOutResult], None] | None = None,
) -> FanOutResult:
    """Fan out in committed batches; safe to run again, or to resume after a crash."""
    result = FanOutResult(broadcast_id)
    with transaction(engine) as session:
        if not start_sending(_locked(session, engine, broadcast_id), clock()):
            return result
    after, races = 0, 0
    while True:
        try:
            with transaction(engine) as session:
                broadcast = _locked(session, engine, broadcast_id)
                if broadcast.status != "sending":  # cancelled, or finished elsewhere
                    return result
                batch = members_batch(session, broadcast.audience, after_id=after,
                                      limit=batch_size)
                if not batch:
                    broadcast.status, broadcast.queued_at = "queued", clock()
                    session.add(broadcast)
                    log.info("broadcast %s queued in %s batches", broadcast_id, result.batches)
                    return result
                members = todo(session, broadcast_id, batch)
                renderer = Renderer(broadcast.texts, broadcast.default_language, i18n)
                recipients, queued = (write_batch(session, broadcast, members, renderer, clock())
                                      if members else (0, 0))
        except IntegrityError:
            # Another process wrote some of these rows first; redo the batch without them.
            races += 1
            if races > RACE_RETRIES:
                raise
            continue
        after = batch[-1].id or after
        if not members:
            continue
        result.recipients += recipients
        result.queued += queued
        result.batches += 1
        if after_batch is not None:
            after_batch(result)


def todo(session: Session, broadcast_id: int, batch: list[Member]) -> list[Member]:
    """The members of `batch` that have no recipient row yet."""
    done = already_recipients(session, broadcast_id, [m.id for m in batch if m.id is not None])
    return [m for m in batch if m.id not in done]


def _locked(session: Session, engine: Engine, broadcast_id: int) -> Broadcast:
    """The broadcast row, locked on PostgreSQL so two fan-outs take turns per batch."""
    query = select(Broadcast).where(col(Broadcast.id) == broadcast_id)
    if is_postgres(engine):
        query = query.with_for_update()
    broadcast = session.exec(query).first()
    if broadcast is None:
        raise LookupError(f"there is no broadcast {broadcast_id}")
    return broadcast


def resume_unfinished(engine: Engine, i18n: I18n, *, batch_size: int = BATCH_SIZE) -> list[int]:
    """Finish every fan-out a crash left half done; run once at start-up (leader only)."""
    with Session(engine) as session:
        ids = [b.id for b in session.exec(
            select(Broadcast).where(col(Broadcast.status) == "sending")) if b.id is not None]
    for broadcast_id in ids:
        fan_out(engine, broadcast_id, i18n, batch_size=batch_size)
    return ids
