"""Sessions: create, invite, RSVP, move and cancel; shared by chat, CLI and dashboard.

Every change writes its messages as outbox rows in the same transaction, and
RSVPs turn into `SessionReminder` rows, so reminders are simply due rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.quiet import next_allowed, zone
from bot.core.reach import queue_to_member
from bot.i18n import I18n
from bot.scheduler.timing import local_moment
from bot.services import session_text
from bot.storage.models import Member, utcnow
from bot.storage.session_models import (
    GroupMember,
    GroupSession,
    ProjectGroup,
    SessionReminder,
    SessionRsvp,
)

if TYPE_CHECKING:
    from bot.config import Settings

MODES = ("online", "in_person")
URGENT_WITHIN = timedelta(hours=24)


def parse_when(text: str, tz_name: str) -> datetime | None:
    """'2026-12-01 18:00' (or 01/12/2026 18:00) in `tz_name`, as UTC; None if unclear."""
    cleaned = " ".join(text.replace("T", " ").split())
    for fmt in ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M"):
        try:
            local = datetime.strptime(cleaned, fmt)  # noqa: DTZ007 - zone added below
        except ValueError:
            continue
        return local_moment(local.date(), local.time(), zone(tz_name))
    return None


def valid_link(link: str) -> bool:
    link = link.strip()
    parts = urlparse(link)
    return (parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in link
            and len(link) <= 500)


def ensure_group(session: Session, name: str) -> ProjectGroup:
    """The group called `name`, made if it is new."""
    name = " ".join(name.split())[:100]
    if not name:
        raise ValueError("a group needs a name")
    group = session.exec(select(ProjectGroup).where(ProjectGroup.name == name)).first()
    if group is None:
        group = ProjectGroup(name=name)
        session.add(group)
        session.flush()
    return group


def add_to_group(session: Session, group: ProjectGroup, member_id: int) -> bool:
    """False when they were already in it."""
    assert group.id is not None
    if session.get(GroupMember, (group.id, member_id)) is not None:
        return False
    session.add(GroupMember(group_id=group.id, member_id=member_id))
    return True


def invitees(session: Session, gs: GroupSession) -> list[Member]:
    """Active members of the session's group; everyone active when it has no group."""
    query = select(Member).where(Member.status == "active").order_by(col(Member.id))
    if gs.group_id is not None:
        query = query.join(GroupMember, col(GroupMember.member_id) == Member.id).where(
            GroupMember.group_id == gs.group_id)
    return list(session.exec(query).all())


def create_session(
    session: Session, i18n: I18n, *, title: str, starts_at: datetime, timezone: str,
    mode: str, link: str | None = None, place: str | None = None,
    access_info: str | None = None, prepare: str | None = None, group_id: int | None = None,
    created_by: int | None = None, now: datetime | None = None,
) -> tuple[GroupSession, int]:
    """Save the session and queue an invite to each member; returns it and the invite count."""
    now = now or utcnow()
    title = " ".join(title.split())[:200]
    if not title:
        raise ValueError("a session needs a title")
    if starts_at <= now:
        raise ValueError("the session must start in the future")
    if mode not in MODES:
        raise ValueError("mode must be online or in_person")
    if mode == "online" and not (link and valid_link(link)):
        raise ValueError("an online session needs a link starting with https://")
    if mode == "in_person" and not (place and place.strip()):
        raise ValueError("an in-person session needs a place")
    gs = GroupSession(title=title, starts_at=starts_at, timezone=timezone, mode=mode,
                      link=link.strip() if mode == "online" and link else None,
                      place=place.strip()[:300] if mode == "in_person" and place else None,
                      access_info=(access_info or "").strip()[:500] or None,
                      prepare=(prepare or "").strip()[:1000] or None,
                      group_id=group_id, created_by=created_by, created_at=now, updated_at=now)
    session.add(gs)
    session.flush()
    sent = 0
    for member in invitees(session, gs):
        when = next_allowed(member, now)
        if when is None or when >= gs.starts_at:
            continue
        t = i18n.translator(member.language, member.timezone)
        if queue_to_member(session, member, session_text.invite(t, gs), when) is not None:
            sent += 1
    return gs, sent


def may_answer(session: Session, gs: GroupSession, member_id: int, now: datetime) -> bool:
    """Still open, not started, and this member is one of its invitees."""
    if gs.status != "scheduled" or gs.starts_at <= now:
        return False
    return gs.group_id is None or session.get(GroupMember, (gs.group_id, member_id)) is not None


def set_rsvp(session: Session, settings: Settings, gs: GroupSession, member_id: int,
             answer: str, now: datetime | None = None) -> SessionRsvp:
    """Record Going, Maybe or Can't, and add or cancel that member's reminders."""
    if answer not in session_text.ANSWERS:
        raise ValueError("answer must be going, maybe or cant")
    now = now or utcnow()
    assert gs.id is not None
    rsvp = session.get(SessionRsvp, (gs.id, member_id))
    if rsvp is None:
        rsvp = SessionRsvp(session_id=gs.id, member_id=member_id, answer=answer)
    rsvp.answer, rsvp.updated_at = answer, now
    session.add(rsvp)
    if answer == "cant":
        cancel_reminders(session, gs.id, "rsvp_changed", member_id=member_id)
    else:
        ensure_reminders(session, settings, gs, member_id, now)
    session.flush()
    return rsvp


def ensure_reminders(session: Session, settings: Settings, gs: GroupSession, member_id: int,
                     now: datetime) -> None:
    """One pending reminder per configured offset that is still in the future."""
    assert gs.id is not None
    for minutes in settings.session_reminder_minutes:
        due = gs.starts_at - timedelta(minutes=int(minutes))
        if due <= now:
            continue  # too close: the invite or answer was the reminder
        row = session.exec(select(SessionReminder).where(
            SessionReminder.session_id == gs.id, SessionReminder.member_id == member_id,
            SessionReminder.offset_minutes == int(minutes), SessionReminder.due_at == due,
        )).first()
        if row is None:
            row = SessionReminder(session_id=gs.id, member_id=member_id,
                                  offset_minutes=int(minutes), due_at=due, send_at=due)
        elif row.status == "cancelled":
            row.status, row.reason, row.send_at = "pending", None, due
        session.add(row)


def cancel_reminders(session: Session, session_id: int, reason: str,
                     member_id: int | None = None) -> None:
    query = update(SessionReminder).where(col(SessionReminder.session_id) == session_id,
                                          col(SessionReminder.status) == "pending")
    if member_id is not None:
        query = query.where(col(SessionReminder.member_id) == member_id)
    session.execute(query.values(status="cancelled", reason=reason))


def cancel_member_reminders(session: Session, member_id: int,
                            reason: str = "member_stopped") -> None:
    """Cancel every pending reminder of a member (STOP, leaving, erasure)."""
    session.execute(update(SessionReminder)
                    .where(col(SessionReminder.member_id) == member_id,
                           col(SessionReminder.status) == "pending")
                    .values(status="cancelled", reason=reason))


def cancel_session(session: Session, i18n: I18n, gs: GroupSession,
                   now: datetime | None = None) -> int:
    """Cancel it and tell everyone who answered; returns how many were told."""
    now = now or utcnow()
    assert gs.id is not None
    gs.status, gs.updated_at = "cancelled", now
    session.add(gs)
    cancel_reminders(session, gs.id, "session_cancelled")
    return _tell_responders(session, i18n, gs, now, session_text.cancelled)


def move_session(session: Session, settings: Settings, i18n: I18n, gs: GroupSession,
                 starts_at: datetime, now: datetime | None = None) -> int:
    """Move it, redo reminders for Going and Maybe, and ask everyone who answered again."""
    now = now or utcnow()
    if gs.status != "scheduled":
        raise ValueError("that session is cancelled")
    if starts_at <= now:
        raise ValueError("the new time must be in the future")
    assert gs.id is not None
    soon = gs.starts_at - now < URGENT_WITHIN
    gs.starts_at, gs.updated_at = starts_at, now
    session.add(gs)
    cancel_reminders(session, gs.id, "session_moved")
    for rsvp in _responders(session, gs.id):
        if rsvp.answer != "cant":
            ensure_reminders(session, settings, gs, rsvp.member_id, now)
    return _tell_responders(session, i18n, gs, now, session_text.moved, urgent=soon)


def _responders(session: Session, session_id: int) -> list[SessionRsvp]:
    return list(session.exec(select(SessionRsvp).where(SessionRsvp.session_id == session_id)
                             .order_by(col(SessionRsvp.member_id))).all())


def _tell_responders(session: Session, i18n: I18n, gs: GroupSession, now: datetime,
                     build, urgent: bool = False) -> int:  # type: ignore[no-untyped-def]
    """A change close to the start skips quiet hours; never a pause or STOP."""
    urgent = urgent or gs.starts_at - now < URGENT_WITHIN
    told = 0
    for rsvp in _responders(session, gs.id or 0):
        member = session.get(Member, rsvp.member_id)
        when = next_allowed(member, now, urgent=urgent) if member else None
        if member is None or when is None:
            continue
        t = i18n.translator(member.language, member.timezone)
        if queue_to_member(session, member, build(t, gs), when) is not None:
            told += 1
    return told


def upcoming_for(session: Session, member_id: int, now: datetime) -> list[GroupSession]:
    """Sessions this member is invited to that have not started."""
    groups = select(GroupMember.group_id).where(GroupMember.member_id == member_id)
    return list(session.exec(
        select(GroupSession)
        .where(GroupSession.status == "scheduled", col(GroupSession.starts_at) > now,
               col(GroupSession.group_id).is_(None) | col(GroupSession.group_id).in_(groups))
        .order_by(col(GroupSession.starts_at)).limit(10)
    ).all())
