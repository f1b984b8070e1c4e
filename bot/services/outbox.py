"""Queueing messages to members from scheduled work, outside any handler.

The scheduler has no `ctx`, so it writes outbox rows itself: in the same
transaction as marking the item fired, with `not_before` set by quiet hours.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.events import OutgoingMessage
from bot.core.faults import fault_point
from bot.storage.models import Identity, Member, OutboxMessage


def reachable_identity(session: Session, member: Member) -> Identity | None:
    """The member's preferred platform when reachable, else their first reachable one."""
    rows = session.exec(
        select(Identity)
        .where(Identity.member_id == member.id, Identity.unreachable == False)  # noqa: E712
        .order_by(col(Identity.id))
    ).all()
    for identity in rows:
        if identity.platform == member.preferred_platform:
            return identity
    return rows[0] if rows else None


def queue_to_member(
    session: Session, member: Member, message: OutgoingMessage, not_before: datetime
) -> OutboxMessage | None:
    """Add an outbox row for `member`; None when they have no reachable platform."""
    identity = reachable_identity(session, member)
    if identity is None:
        return None
    row = OutboxMessage(
        member_id=member.id,
        platform=identity.platform,
        chat_id=identity.chat_id,
        payload=message.to_dict(),
        not_before=not_before,
    )
    session.add(row)
    return row


def commit_fired(session: Session) -> None:
    """Commit one fired item together with its messages.

    The crash points let tests kill the process just before this commit
    (nothing happened: it fires again after restart) and just after it
    (fired and queued: delivery sends it once after restart).
    """
    session.flush()
    fault_point("scheduler.before_commit")
    session.commit()
    fault_point("scheduler.fired")
