"""Queueing non-urgent messages to members outside a handler's reply.

Feedback requests and "the team has answered" messages are never urgent, so
they wait for the end of quiet hours and pauses (`next_allowed`), and are not
sent at all to someone who said STOP or left.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.events import OutgoingMessage
from bot.core.quiet import next_allowed
from bot.i18n import I18n, Translator
from bot.storage.models import Identity, Member, OutboxMessage


def reachable_identity(session: Session, member: Member) -> Identity | None:
    """The member's preferred platform if reachable there, else the first reachable one."""
    found = list(session.exec(
        select(Identity)
        .where(Identity.member_id == member.id, col(Identity.unreachable).is_(False))
        .order_by(col(Identity.id))
    ).all())
    for identity in found:
        if identity.platform == member.preferred_platform:
            return identity
    return found[0] if found else None


def translator_for(i18n: I18n, member: Member) -> Translator:
    return i18n.translator(member.language, member.timezone)


def queue_to_member(
    session: Session,
    member: Member,
    message: OutgoingMessage,
    now: datetime,
    source_event_id: int | None = None,
) -> OutboxMessage | None:
    """Write one outbox row for later delivery; None if we must not message them."""
    when = next_allowed(member, now)
    if when is None:
        return None
    identity = reachable_identity(session, member)
    if identity is None:
        return None
    row = OutboxMessage(
        member_id=member.id,
        platform=identity.platform,
        chat_id=identity.chat_id,
        payload=message.to_dict(),
        source_event_id=source_event_id,
        not_before=when,
        status="pending",
    )
    session.add(row)
    return row
