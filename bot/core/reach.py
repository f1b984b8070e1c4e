"""Which of a member's platform accounts a message to them should go to.

A person may link Telegram and Discord to one profile. Anything we send them
unprompted (a broadcast, a reminder, a message from the team) must arrive
once, not once per platform: on the platform they prefer while it works, and
otherwise on the oldest account that still works.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core import pacing
from bot.core.events import OutgoingMessage
from bot.core.quiet import next_allowed
from bot.storage.models import Identity, Member, OutboxMessage, utcnow


def reachable_identities(session: Session, member_id: int) -> list[Identity]:
    """The member's accounts we can still reach, oldest link first."""
    return list(
        session.exec(
            select(Identity)
            .where(Identity.member_id == member_id, col(Identity.unreachable).is_(False))
            .order_by(col(Identity.id))
        ).all()
    )


def pick_identity(session: Session, member_id: int) -> Identity | None:
    """The one account to use: the preferred platform if reachable, else the first
    reachable one; None when every account is blocked, closed or gone."""
    identities = reachable_identities(session, member_id)
    if not identities:
        return None
    member = session.get(Member, member_id)
    preferred = member.preferred_platform if member is not None else None
    if preferred:
        for identity in identities:
            if identity.platform == preferred:
                return identity
    return identities[0]


def queue_to_member(
    session: Session, member: Member, message: OutgoingMessage, not_before: datetime,
    *, source_event_id: int | None = None,
) -> OutboxMessage | None:
    """One outbox row to the member's chosen account; None when none can be reached.

    Scheduled and staff-side messages (no `ctx`) come through here, so every
    feature reaches a linked member the same way, once.
    """
    assert member.id is not None
    identity = pick_identity(session, member.id)
    if identity is None:
        return None
    # Never overtake parts of a reply still waiting out a reading pause.
    waiting = pacing.waiting_cursor(session, identity.platform, identity.chat_id, utcnow())
    if waiting.last_text is not None:  # some part is still waiting
        not_before = max(not_before, waiting.at)
    row = OutboxMessage(
        member_id=member.id, platform=identity.platform, chat_id=identity.chat_id,
        payload=message.to_dict(), source_event_id=source_event_id, not_before=not_before,
    )
    session.add(row)
    return row


def queue_when_allowed(
    session: Session, member: Member, message: OutgoingMessage, now: datetime,
    *, source_event_id: int | None = None,
) -> OutboxMessage | None:
    """Queue for the first moment outside quiet hours and pauses; None after STOP."""
    when = next_allowed(member, now)
    if when is None:
        return None
    return queue_to_member(session, member, message, when, source_event_id=source_event_id)
