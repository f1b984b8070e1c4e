"""Which of a member's platform accounts a message to them should go to.

A person may link Telegram and Discord to one profile. Anything we send them
unprompted (a broadcast, a reminder, a message from the team) must arrive
once, not once per platform: on the platform they prefer while it works, and
otherwise on the oldest account that still works.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from bot.core import pacing
from bot.core.events import OutgoingMessage
from bot.core.quiet import next_allowed
from bot.storage.models import Identity, Member, OutboxMessage, utcnow


def pick_identity(session: Session, member_id: int) -> Identity | None:
    """The one account to use: the preferred platform if reachable, else the oldest
    reachable one; None when every account is blocked, closed or gone."""
    return pick_identities(session, [member_id]).get(member_id)


def pick_identities(session: Session, member_ids: Iterable[int]) -> dict[int, Identity]:
    """`pick_identity` for many members in one query, for a fan-out of thousands.
    Members with no reachable account are left out of the result."""
    ids = list(member_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(Identity, Member.preferred_platform)
        .join(Member, col(Member.id) == Identity.member_id)
        .where(col(Identity.member_id).in_(ids), col(Identity.unreachable).is_(False))
        .order_by(col(Identity.id))
    ).all()
    picked: dict[int, Identity] = {}
    for identity, preferred in rows:
        current = picked.get(identity.member_id)
        if current is None or (identity.platform == preferred
                               and current.platform != preferred):
            picked[identity.member_id] = identity
    return picked


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
