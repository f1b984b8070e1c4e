"""Links to the sessions and project groups feature (issue 5).

Feedback stores session and project ids as plain integers, and reads the
sessions feature only through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot.core.text import parse_id
from bot.services.attendance import attended
from bot.storage.session_models import (
    GroupMember,
    GroupSession,
    ProjectGroup,
    SessionAttendance,
    SessionRsvp,
)

# Sessions have a start but no end; feedback counts a session as over after this.
SESSION_LENGTH = timedelta(hours=2)
# /feedback offers sessions that started this recently.
RECENT = timedelta(days=14)
# When staff have not recorded who came, "attended" means they said Going.
ATTENDED = ("going",)


@dataclass(frozen=True)
class SessionInfo:
    """What feedback needs to know about one session."""

    id: int
    title: str
    ends_at: datetime
    attendees: list[int]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def session_info(session: Session, session_id: int) -> SessionInfo | None:
    """A session that took place, and who came; None if unknown.

    "Who came" is the staff's attendance record when there is one, else the
    members who said Going.
    """
    found = session.get(GroupSession, session_id)
    if found is None or found.status == "cancelled":
        return None
    attendees = attended(session, session_id)
    if attendees is None:
        attendees = list(session.exec(
            select(SessionRsvp.member_id).where(SessionRsvp.session_id == session_id,
                                                col(SessionRsvp.answer).in_(ATTENDED))
        ).all())
    return SessionInfo(session_id, found.title, _aware(found.starts_at) + SESSION_LENGTH,
                       sorted(int(m) for m in attendees))


def group_id(session: Session, key: str) -> int | None:
    """A project group by id ("3") or by name ("Housing panel")."""
    if (number := parse_id(key)) is not None:
        return number if session.get(ProjectGroup, number) is not None else None
    found = session.exec(select(ProjectGroup.id).where(ProjectGroup.name == key)).first()
    return int(found) if found is not None else None


def group_members(session: Session, group_key: int) -> list[int]:
    rows = session.exec(select(GroupMember.member_id)
                        .where(GroupMember.group_id == group_key)).all()
    return sorted(int(m) for m in rows)


def member_links(session: Session, member_id: int, now: datetime | None = None
                 ) -> list[tuple[str, int, str]]:
    """What a member's /feedback might be about: (kind, id, label), kind session or project.

    Recent sessions they said they would go to or were marked as having come to
    (up to 3), then their groups (up to 3).
    """
    now = now or datetime.now(UTC)
    gs, rsvp, pg, gm, came = (GroupSession, SessionRsvp, ProjectGroup, GroupMember,
                              SessionAttendance)
    said = [
        col(gs.id).in_(select(rsvp.session_id).where(
            rsvp.member_id == member_id, col(rsvp.answer).in_(("going", "maybe")))),
        col(gs.id).in_(select(came.session_id).where(
            came.member_id == member_id, col(came.attended))),
    ]
    sessions = session.exec(
        select(gs.id, gs.title)
        .where(or_(*said), col(gs.starts_at) >= now - RECENT, col(gs.starts_at) <= now)
        .order_by(col(gs.starts_at).desc())
        .limit(3)
    ).all()
    groups = session.exec(
        select(pg.id, pg.name)
        .join(gm, col(gm.group_id) == col(pg.id))
        .where(gm.member_id == member_id)
        .order_by(col(pg.name))
        .limit(3)
    ).all()
    return ([("session", i, t) for i, t in sessions if i is not None]
            + [("project", i, n) for i, n in groups if i is not None])
