"""Writing payment messages to the outbox, in the same transaction as the change.

Payment messages are not urgent, so each one waits for the end of the
recipient's quiet hours or pause (`next_allowed`). A member who said STOP gets
nothing; the payment still moves on and shows in /payments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot.core.easyread import member_translator
from bot.core.reach import queue_when_allowed
from bot.i18n import I18n
from bot.payments.ledger import PaymentState
from bot.payments.messages import finance_alert, paid_message, recorded_message
from bot.storage.models import Member, MemberRole

log = logging.getLogger(__name__)


def finance_members(session: Session, exclude: Iterable[int | None] = ()) -> list[Member]:
    """Everyone with the finance role; admins when nobody has it, so alerts never vanish."""
    skip = {m for m in exclude if m is not None}
    for role in ("finance", "admin"):
        ids = session.exec(select(MemberRole.member_id).where(MemberRole.role == role)).all()
        members = [m for m in (session.get(Member, i) for i in sorted(set(ids)) if i not in skip)
                   if m is not None and m.status == "active"]
        if members:
            return members
    return []


def member_label(session: Session, member_id: int | None) -> str:
    """How staff messages name a member: their chosen name and number."""
    if member_id is None:
        return "-"
    member = session.get(Member, member_id)
    name = member.display_name if member is not None else None
    return f"{name} (#{member_id})" if name else f"#{member_id}"


def alert_finance(session: Session, i18n: I18n, state: PaymentState, what: str, now: datetime,
                  *, note: str | None = None, exclude: Iterable[int | None] = (),
                  source_event_id: int | None = None) -> int:
    """Tell every finance person, each in their own language; returns how many."""
    label = member_label(session, state.payment.member_id)
    sent = 0
    for staff in finance_members(session, exclude):
        message = finance_alert(member_translator(i18n, session, staff), state, label, what, note)
        if queue_when_allowed(session, staff, message, now, source_event_id=source_event_id):
            sent += 1
    if sent == 0 and what != "new":
        log.warning("payment %s: no finance contact could be told (%s)", state.id, what)
    return sent


def after_recorded(session: Session, i18n: I18n, state: PaymentState, now: datetime, *,
                   recorder_id: int | None, source_event_id: int | None = None) -> None:
    """The member hears it is on its way; finance gets it to approve."""
    member = session.get(Member, state.payment.member_id) if state.payment.member_id else None
    if member is not None:
        t = member_translator(i18n, session, member)
        queue_when_allowed(session, member, recorded_message(t, state), now,
                           source_event_id=source_event_id)
    alert_finance(session, i18n, state, "new", now, exclude=[recorder_id],
                  source_event_id=source_event_id)


def after_paid(session: Session, i18n: I18n, settings: Any, state: PaymentState,
               now: datetime, *, source_event_id: int | None = None) -> bool:
    """The confirmation with the breakdown and the three buttons; none for £0."""
    member = session.get(Member, state.payment.member_id) if state.payment.member_id else None
    if member is None or state.total_owed <= 0:
        return False
    message = paid_message(member_translator(i18n, session, member), state, settings)
    return queue_when_allowed(session, member, message, now,
                         source_event_id=source_event_id) is not None
