"""Session attendance: who really came, marked by staff once a session has started.

RSVPs say who meant to come; attendance says who came. Staff may mark anyone
who answered the invite, anyone in the session's group, and anyone already
marked. Saving writes one row per such person (attended or not), so "has
attendance been recorded" is simply "does the session have any rows".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from bot.storage.models import Member
from bot.storage.session_models import (
    GroupMember,
    GroupSession,
    SessionAttendance,
    SessionRsvp,
)


class AttendanceError(ValueError):
    """Attendance could not be saved; nothing was changed."""


class NotStartedError(AttendanceError):
    """The session has not started (or was cancelled), so nobody can have come yet."""


class NotInvitedError(AttendanceError):
    """A member id that neither answered nor belongs to the session's group."""


@dataclass(frozen=True)
class Saved:
    """What a save did, by counts and ids only (for the audit log)."""

    came: int
    marked: int
    changed: list[int]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def has_started(gs: GroupSession, now: datetime) -> bool:
    return gs.status != "cancelled" and _aware(gs.starts_at) <= _aware(now)


def eligible(db: Session, gs: GroupSession) -> list[int]:
    """Members staff may mark: RSVPs, the group's members and anyone already marked.

    A session for everyone (no group) offers only those who answered, so the
    form never lists the whole membership. Erased members are left out.
    """
    ids: set[int] = set(db.exec(select(SessionRsvp.member_id)
                                .where(col(SessionRsvp.session_id) == gs.id)).all())
    ids |= set(db.exec(select(SessionAttendance.member_id)
                       .where(col(SessionAttendance.session_id) == gs.id)).all())
    if gs.group_id is not None:
        ids |= set(db.exec(select(GroupMember.member_id)
                           .where(col(GroupMember.group_id) == gs.group_id)).all())
    if not ids:
        return []
    kept = db.exec(select(Member.id).where(col(Member.id).in_(ids),
                                           col(Member.status) != "erased")).all()
    return sorted(int(m) for m in kept if m is not None)


def recorded(db: Session, session_id: int) -> dict[int, bool]:
    """member id -> came, for a session; empty when nobody recorded attendance."""
    rows = db.exec(select(SessionAttendance.member_id, SessionAttendance.attended)
                   .where(col(SessionAttendance.session_id) == session_id)).all()
    return {int(m): bool(a) for m, a in rows}


def attended(db: Session, session_id: int) -> list[int] | None:
    """Who came, or None when attendance was never recorded for this session."""
    marks = recorded(db, session_id)
    if not marks:
        return None
    return sorted(m for m, came in marks.items() if came)


def came_counts(db: Session, session_ids: list[int]) -> dict[int, int]:
    """session id -> how many came, only for sessions with attendance recorded."""
    if not session_ids:
        return {}
    rows = db.exec(
        select(SessionAttendance.session_id,
               func.sum(case((col(SessionAttendance.attended), 1), else_=0)))
        .where(col(SessionAttendance.session_id).in_(session_ids))
        .group_by(col(SessionAttendance.session_id))).all()
    return {int(s): int(n) for s, n in rows}


def lock_session(db: Session, session_id: int) -> None:
    """Two staff saving at once take turns (PostgreSQL): the second then sees the
    first one's rows and updates them, instead of failing on a duplicate."""
    if db.get_bind().dialect.name == "postgresql":
        db.exec(select(GroupSession.id).where(col(GroupSession.id) == session_id)
                .with_for_update()).first()


def record(db: Session, gs: GroupSession, came: Iterable[int], by: int | None,
           now: datetime) -> Saved:
    """Mark who came; everyone else eligible is marked as not come.

    Raises NotStartedError before the start (or for a cancelled session) and
    NotInvitedError for an id staff may not mark; nothing is written then.
    """
    if gs.id is None or not has_started(gs, now):
        raise NotStartedError("the session has not started")
    lock_session(db, gs.id)
    allowed = eligible(db, gs)
    wanted = set(came)
    if not wanted <= set(allowed):
        raise NotInvitedError("a member who was not invited to this session")
    before = recorded(db, gs.id)
    changed: list[int] = []
    for member_id in allowed:
        value = member_id in wanted
        if before.get(member_id) == value:
            continue
        row = db.get(SessionAttendance, (gs.id, member_id))
        if row is None:
            row = SessionAttendance(session_id=gs.id, member_id=member_id)
        row.attended, row.recorded_by, row.recorded_at = value, by, now
        db.add(row)
        changed.append(member_id)
    db.flush()
    return Saved(came=len(wanted), marked=len(allowed), changed=changed)
