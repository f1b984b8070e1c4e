"""Scheduled updates fan out when they are due, not when they are confirmed.

Confirming a scheduled update only marks it `scheduled`. A periodic job
claims each due one with a conditional UPDATE (scheduled -> sending), so of
two schedulers racing, exactly one wins; the winner then runs the normal
resumable fan-out. A crash after the claim leaves it `sending`, which the
"unfinished broadcasts" job finishes; the unique (broadcast, member)
recipient rows mean nobody is queued twice either way. Fanning out late
means people who joined, changed language, paused or said STOP in between
are treated as they are at send time.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from bot.broadcasts.fanout import BATCH_SIZE, FanOutResult, fan_out, fan_out_in
from bot.broadcasts.plan import aware
from bot.i18n import I18n
from bot.storage.broadcast_models import Broadcast
from bot.storage.db import transaction
from bot.storage.models import utcnow

log = logging.getLogger(__name__)


def confirm_in(
    session: Session, broadcast: Broadcast, i18n: I18n, *, now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> FanOutResult | None:
    """Confirm inside the caller's transaction: None if it is now scheduled for later,
    else what the fan-out wrote."""
    result = fan_out_in(session, broadcast, i18n, now=now, batch_size=batch_size)
    return None if broadcast.status == "scheduled" else result


def confirm(engine: Engine, broadcast_id: int, i18n: I18n, *, now: datetime | None = None,
            batch_size: int = BATCH_SIZE) -> FanOutResult | None:
    """The CLI's `send`: schedule a future update (None), or fan it out in batches now."""
    clock = (lambda: now) if now is not None else utcnow
    result = fan_out(engine, broadcast_id, i18n, batch_size=batch_size, clock=clock)
    with Session(engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        return None if broadcast is not None and broadcast.status == "scheduled" else result


def due_ids(session: Session, now: datetime) -> list[int]:
    query = select(Broadcast.id).where(
        col(Broadcast.status) == "scheduled",
        or_(col(Broadcast.send_at).is_(None), col(Broadcast.send_at) <= now),
    ).order_by(col(Broadcast.id))
    return [i for i in session.exec(query).all() if i is not None]


def claim(engine: Engine, broadcast_id: int, now: datetime) -> bool:
    """scheduled -> sending, for exactly one caller."""
    with transaction(engine) as session:
        result = session.execute(
            update(Broadcast)
            .where(col(Broadcast.id) == broadcast_id, col(Broadcast.status) == "scheduled")
            .values(status="sending")
            .execution_options(synchronize_session=False))
        return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


def fan_out_due(engine: Engine, i18n: I18n, now: datetime, *,
                batch_size: int = BATCH_SIZE) -> list[int]:
    """Fan out every scheduled update whose time has come; returns the ids this run took."""
    with Session(engine) as session:
        ids = due_ids(session, now)
    taken = []
    for broadcast_id in ids:
        if not claim(engine, broadcast_id, now):
            continue  # another scheduler took it, or it was edited or cancelled
        taken.append(broadcast_id)
        fan_out(engine, broadcast_id, i18n, batch_size=batch_size, clock=lambda: now)
        log.info("scheduled broadcast %s fanned out", broadcast_id)
    return taken


def next_send_at(session: Session) -> datetime | None:
    """When the next scheduled update is due, so the scheduler can wake up then."""
    found = session.exec(select(func.min(Broadcast.send_at)).where(
        col(Broadcast.status) == "scheduled")).first()
    return aware(found) if isinstance(found, datetime) else None
