"""Storing, finding and cancelling broadcasts; shared by the chat flow and the CLI."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.broadcasts.audience import check_groups_exist
from bot.broadcasts.spec import BroadcastError, BroadcastSpec
from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
from bot.storage.models import OutboxMessage

CANCELLED_REASON = "broadcast cancelled"


def create_draft(session: Session, spec: BroadcastSpec) -> Broadcast:
    """A draft: nothing is queued until someone confirms (`send`)."""
    check_groups_exist(session, spec.audience)
    broadcast = spec.to_model()
    session.add(broadcast)
    session.flush()
    return broadcast


def get_broadcast(session: Session, broadcast_id: int) -> Broadcast:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise LookupError(f"there is no broadcast {broadcast_id}")
    return broadcast


def cancel(session: Session, broadcast: Broadcast) -> int:
    """Stop whatever has not gone yet; returns how many messages were held back.

    Messages already sent stay sent: a correction after sending is a new update.
    """
    if broadcast.status == "cancelled":
        return 0
    queued = select(BroadcastRecipient.outbox_id).where(
        col(BroadcastRecipient.broadcast_id) == broadcast.id,
        col(BroadcastRecipient.outbox_id).is_not(None),
    )
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(queued),
               col(OutboxMessage.status).in_(["pending", "claimed"]))
        .values(status="cancelled", last_error=CANCELLED_REASON)
        .execution_options(synchronize_session=False)
    )
    broadcast.status = "cancelled"
    session.add(broadcast)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def recent(session: Session, limit: int = 20) -> list[Broadcast]:
    return list(session.exec(select(Broadcast).order_by(col(Broadcast.id).desc()).limit(limit)))


def require_draft(broadcast: Broadcast) -> None:
    if broadcast.status != "draft":
        raise BroadcastError(f"broadcast {broadcast.id} is {broadcast.status}, not a draft")
