"""The scanner that sends due session reminders.

Each reminder is claimed, checked against the member's status, quiet hours
and the session, and marked in one transaction with its outbox row. Short
reminders (1 hour) are skipped in quiet hours; long ones (24 hours) wait for
quiet hours to end. After downtime a reminder goes late, marked late, once;
one whose session has started is dropped with that reason.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bot.core.quiet import next_allowed
from bot.core.reach import queue_to_member
from bot.scheduler.registry import register_periodic
from bot.services import session_text
from bot.services.outbox import commit_fired
from bot.storage.db import is_postgres
from bot.storage.models import Member
from bot.storage.session_models import GroupSession, SessionReminder, SessionRsvp

if TYPE_CHECKING:
    from bot.app import BotApp

log = logging.getLogger(__name__)


def fire_due(app: BotApp, now: datetime) -> int:
    """Send every reminder due at `now`; returns how many were handled."""
    with Session(app.engine) as session:
        inactive = select(Member.id).where(col(Member.status) != "active")
        session.execute(
            update(SessionReminder)
            .where(col(SessionReminder.status) == "pending",
                   col(SessionReminder.member_id).in_(inactive))
            .values(status="cancelled", reason="member_stopped")
        )
        session.commit()
        ids = session.exec(
            select(SessionReminder.id)
            .where(SessionReminder.status == "pending", SessionReminder.send_at <= now)
            .order_by(col(SessionReminder.send_at)).limit(500)
        ).all()
    return sum(_fire_one(app, rid, now) for rid in ids if rid is not None)


def next_due(app: BotApp, now: datetime) -> datetime | None:
    with Session(app.engine) as session:
        return session.exec(
            select(func.min(SessionReminder.send_at)).where(SessionReminder.status == "pending")
        ).first()


def _fire_one(app: BotApp, reminder_id: int, now: datetime) -> int:
    with Session(app.engine, expire_on_commit=False) as session:
        query = select(SessionReminder).where(SessionReminder.id == reminder_id,
                                              SessionReminder.status == "pending")
        if is_postgres(app.engine):
            query = query.with_for_update(skip_locked=True)
        row = session.exec(query).first()
        if row is None:
            return 0
        sent = _decide(app, session, row, now)
        session.add(row)
        if sent:
            commit_fired(session)
        else:
            session.commit()
        return 1


def _close(row: SessionReminder, status: str, reason: str) -> bool:
    row.status, row.reason = status, reason
    return False


def _decide(app: BotApp, session: Session, row: SessionReminder, now: datetime) -> bool:
    """Send, wait for quiet hours to end, skip or drop, always with a reason. True if sent."""
    gs = session.get(GroupSession, row.session_id)
    member = session.get(Member, row.member_id)
    rsvp = session.get(SessionRsvp, (row.session_id, row.member_id))
    if gs is None or gs.status != "scheduled":
        return _close(row, "cancelled", "session_cancelled")
    if member is None or member.status != "active":
        return _close(row, "cancelled", "member_stopped")
    if rsvp is None or rsvp.answer not in ("going", "maybe"):
        return _close(row, "cancelled", "rsvp_changed")
    if now >= gs.starts_at:
        log.info("reminder %s dropped: session started", row.id)
        return _close(row, "dropped", "session_started")
    late_after = timedelta(seconds=float(app.settings.scheduler_late_after_seconds))
    if now - row.send_at > late_after:
        row.late = True
    allowed = next_allowed(member, now)
    if allowed is None:
        return _close(row, "cancelled", "member_stopped")
    if allowed > now:
        reason = "paused" if member.paused_until and member.paused_until > now else "quiet_hours"
        short = row.offset_minutes < int(app.settings.session_reminder_skip_under_minutes)
        if short or allowed >= gs.starts_at:
            return _close(row, "skipped", reason)
        row.send_at = allowed  # a day-before reminder waits for the morning
        return False
    t = app.i18n.translator(member.language, member.timezone)
    if queue_to_member(session, member, session_text.reminder(t, gs, row.late), now) is None:
        return _close(row, "dropped", "unreachable")
    row.status, row.fired_at = "sent", now
    return True


register_periodic("session_reminders", fire_due, every_seconds=60, next_due=next_due)
