"""Check-in plans and the scanner that sends due check-ins.

The plan is the source of truth; each planned check-in is a `Checkin` row
made as soon as the previous one fires (or the plan changes), so "what is
due" is always a query. Sending writes the outbox row and marks the check-in
sent in one transaction: a crash can only repeat nothing or lose nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from bot.core.easyread import member_translator
from bot.core.events import Button, OutgoingMessage
from bot.core.quiet import next_allowed, parse_hhmm, zone
from bot.core.reach import queue_to_member
from bot.i18n import N_, Translator
from bot.scheduler.registry import register_periodic
from bot.scheduler.timing import FREQUENCIES, next_slot
from bot.services.outbox import commit_fired
from bot.storage.checkin_models import Checkin, CheckinPlan
from bot.storage.db import is_postgres
from bot.storage.models import Member, utcnow

if TYPE_CHECKING:
    from bot.app import BotApp

log = logging.getLogger(__name__)

MOODS = {1: N_("Very low"), 2: N_("Low"), 3: N_("OK"), 4: N_("Good"), 5: N_("Very good")}
ANSWERED = ("sent", "answered", "skipped")


def set_plan(
    session: Session,
    member_id: int,
    frequency: str,
    weekday: int | None = None,
    at: str | time | None = None,
    *,
    now: datetime | None = None,
) -> CheckinPlan:
    """Create or change a member's plan and schedule their next check-in.

    Onboarding and `/checkins` both call this; it joins the caller's
    transaction. `at` is "HH:MM" (or a `time`) in the member's own time zone.
    """
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {', '.join(FREQUENCIES)}")
    at_text = at.strftime("%H:%M") if isinstance(at, time) else at
    if frequency != "never":
        if weekday is None or not 0 <= weekday <= 6 or parse_hhmm(at_text) is None:
            raise ValueError("a plan needs a weekday (0-6) and a time like 09:00")
    member = session.get(Member, member_id)
    if member is None:
        raise LookupError("no such member")
    now = now or utcnow()
    plan = session.get(CheckinPlan, member_id, with_for_update=True)
    if plan is None:
        plan = CheckinPlan(member_id=member_id)
    plan.frequency = frequency
    plan.weekday, plan.at_time = (weekday, at_text) if frequency != "never" else (None, None)
    plan.anchor, plan.updated_at = None, now
    session.add(plan)
    first = _slot(member, plan, now)
    if first is not None:
        plan.anchor = first.astimezone(zone(member.timezone)).date()
    _cancel_scheduled(session, member_id, "plan_changed", keep=first)
    if first is not None:
        schedule_next(session, member, plan, now)
    session.flush()
    return plan


def reschedule(session: Session, member_id: int, now: datetime | None = None) -> None:
    """Re-plan after a time zone change: call this when a member's zone changes."""
    plan = session.get(CheckinPlan, member_id)
    if plan is not None:
        set_plan(session, member_id, plan.frequency, plan.weekday, plan.at_time, now=now)


def cancel_for_member(session: Session, member_id: int, reason: str = "member_stopped") -> int:
    """Cancel every scheduled check-in of a member (STOP, leaving, erasure)."""
    return _cancel_scheduled(session, member_id, reason)


def next_checkin(session: Session, member_id: int) -> Checkin | None:
    return session.exec(
        select(Checkin).where(Checkin.member_id == member_id, Checkin.status == "scheduled")
        .order_by(col(Checkin.send_at))
    ).first()


def _slot(member: Member, plan: CheckinPlan, after: datetime) -> datetime | None:
    return next_slot(plan.frequency, plan.weekday, parse_hhmm(plan.at_time),
                     zone(member.timezone), after, plan.anchor)


def _cancel_scheduled(session: Session, member_id: int, reason: str,
                      keep: datetime | None = None) -> int:
    query = update(Checkin).where(col(Checkin.member_id) == member_id,
                                  col(Checkin.status) == "scheduled")
    if keep is not None:
        query = query.where(col(Checkin.due_at) != keep)
    result = session.execute(query.values(status="cancelled", reason=reason))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def schedule_next(session: Session, member: Member, plan: CheckinPlan,
                  after: datetime) -> Checkin | None:
    """Make (or revive) the row for the first planned slot after `after`."""
    assert member.id is not None
    for _ in range(8):
        due = _slot(member, plan, after)
        if due is None:
            return None
        send_at = next_allowed(member, due) or due
        row = session.exec(
            select(Checkin).where(Checkin.member_id == member.id, Checkin.due_at == due)
        ).first()
        if row is None:
            row = Checkin(member_id=member.id, due_at=due, send_at=send_at)
        elif row.status in ("scheduled", "cancelled"):
            row.status, row.reason, row.send_at = "scheduled", None, send_at
        else:
            after = due  # that slot already went out: take the one after it
            continue
        session.add(row)
        return row
    return None


def checkin_prompt(t: Translator, checkin_id: int, late: bool) -> OutgoingMessage:
    """One tap to answer, one tap to skip; no pressure either way."""
    _ = t.gettext
    lines = [t.choose(N_("Hello. It is time for your check-in. How are you today?"),
                      N_("Check-in. How are you?"))]
    if late:
        lines.append(_("Sorry, this check-in is late."))
    lines.append(t.choose(N_("Tap one answer. You can skip it. That is fine too."),
                          N_("Tap one. Or skip.")))
    buttons = [[Button(_(MOODS[n]), f"checkin:mood:{checkin_id}:{n}")] for n in range(1, 6)]
    buttons.append([Button(_("Skip"), f"checkin:skip:{checkin_id}")])
    return OutgoingMessage(" ".join(lines), buttons)


def fire_due(app: BotApp, now: datetime) -> int:
    """Send every check-in that is due at `now`; returns how many were handled."""
    with Session(app.engine) as session:
        _cancel_inactive(session)
        _reconcile(session, now)
        session.commit()
        ids = session.exec(
            select(Checkin.id).where(Checkin.status == "scheduled", Checkin.send_at <= now)
            .order_by(col(Checkin.send_at)).limit(500)
        ).all()
    return sum(_fire_one(app, checkin_id, now) for checkin_id in ids if checkin_id is not None)


def next_due(app: BotApp, now: datetime) -> datetime | None:
    with Session(app.engine) as session:
        return session.exec(
            select(func.min(Checkin.send_at)).where(Checkin.status == "scheduled")
        ).first()


def _cancel_inactive(session: Session) -> None:
    """STOP, leaving and erasure cancel every future check-in, not just the next."""
    inactive = select(Member.id).where(col(Member.status) != "active")
    session.execute(
        update(Checkin)
        .where(col(Checkin.status) == "scheduled", col(Checkin.member_id).in_(inactive))
        .values(status="cancelled", reason="member_stopped")
    )


def _reconcile(session: Session, now: datetime) -> None:
    """Plans without a scheduled row (e.g. after /resume) get one; pauses that
    ended early bring deferred check-ins back."""
    scheduled = select(Checkin.member_id).where(Checkin.status == "scheduled")
    missing = session.exec(
        select(CheckinPlan, Member).join(Member, col(Member.id) == CheckinPlan.member_id)
        .where(col(CheckinPlan.frequency) != "never", Member.status == "active",
               col(CheckinPlan.member_id).not_in(scheduled))
    ).all()
    for plan, member in missing:
        schedule_next(session, member, plan, now)
    deferred = session.exec(
        select(Checkin, Member).join(Member, col(Member.id) == Checkin.member_id)
        .where(Checkin.status == "scheduled", col(Checkin.send_at) > col(Checkin.due_at),
               col(Checkin.send_at) > now)
    ).all()
    for row, member in deferred:
        sooner = next_allowed(member, max(row.due_at, now))
        if sooner is not None and sooner < row.send_at:
            row.send_at = sooner
            session.add(row)


def _fire_one(app: BotApp, checkin_id: int, now: datetime) -> int:
    with Session(app.engine, expire_on_commit=False) as session:
        query = select(Checkin).where(Checkin.id == checkin_id, Checkin.status == "scheduled")
        if is_postgres(app.engine):
            query = query.with_for_update(skip_locked=True)
        row = session.exec(query).first()
        if row is None:
            return 0  # another pass took it, or it was cancelled
        member = session.get(Member, row.member_id)
        plan = session.get(CheckinPlan, row.member_id)
        sent = False
        if member is None or member.status != "active":
            row.status, row.reason = "cancelled", "member_stopped"
        elif plan is None or plan.frequency == "never":
            row.status, row.reason = "cancelled", "plan_off"
        else:
            sent = _send_or_defer(app, session, row, member, plan, now)
        session.add(row)
        if sent:
            commit_fired(session)
        else:
            session.commit()
        return 1


def _send_or_defer(app: BotApp, session: Session, row: Checkin, member: Member,
                   plan: CheckinPlan, now: datetime) -> bool:
    """Send now, move to the next allowed time, or drop with a reason. True if sent."""
    overdue = now - row.send_at
    if overdue > timedelta(hours=float(app.settings.checkin_drop_after_hours)):
        row.status, row.reason = "dropped", "overdue_after_downtime"
        log.info("check-in %s dropped: overdue", row.id)
        schedule_next(session, member, plan, max(now, row.due_at))
        return False
    if overdue > timedelta(seconds=float(app.settings.scheduler_late_after_seconds)):
        row.late = True
    allowed = next_allowed(member, now)
    if allowed is None:
        row.status, row.reason = "cancelled", "member_stopped"
        return False
    if allowed > now:
        row.send_at = allowed  # quiet hours or a pause: move on, never send in them
        return False
    t = member_translator(app.i18n, session, member)
    assert row.id is not None
    sent = queue_to_member(session, member, checkin_prompt(t, row.id, row.late), now) is not None
    if sent:
        row.status, row.sent_at = "sent", now
    else:
        row.status, row.reason = "dropped", "unreachable"
    schedule_next(session, member, plan, max(now, row.due_at))
    return sent


register_periodic("checkins", fire_due, every_seconds=60, next_due=next_due)
