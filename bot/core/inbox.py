"""The inbox: incoming events stored durably before they count as received."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.events import Event
from bot.core.faults import fault_point
from bot.storage.models import InboxEvent


def store_event(engine: Engine, event: Event, external_id: str) -> int | None:
    """Insert the event; None when (platform, external_id) was already stored.

    The unique constraint, not a read-then-write check, is what makes this safe
    when two processes receive the same update.
    """
    with Session(engine) as session:
        row = InboxEvent(platform=event.platform, external_id=external_id, payload=event.to_dict())
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        fault_point("inbox.stored")
        return row.id


def pending_ids(engine: Engine, limit: int = 100) -> list[int]:
    with Session(engine) as session:
        rows = session.exec(
            select(InboxEvent.id)
            .where(InboxEvent.status == "pending")
            .order_by(InboxEvent.id)  # type: ignore[arg-type]
            .limit(limit)
        ).all()
        return [r for r in rows if r is not None]
