"""Links to the sessions and project groups feature (issue 5), kept optional.

Feedback stores session and project ids as plain integers, and reads the
sessions feature only through this module. If `bot.storage.session_models`
is missing (or not shaped as expected), every lookup returns nothing, and
feedback works on without them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType

from sqlalchemy import or_
from sqlmodel import Session, col, select

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


def _models() -> ModuleType | None:
    try:
        module = importlib.import_module("bot.storage.session_models")
    except ImportError:
        return None
    needed = ("GroupSession", "SessionRsvp", "ProjectGroup", "GroupMember")
    return module if all(hasattr(module, n) for n in needed) else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def session_info(session: Session, session_id: int) -> SessionInfo | None:
    """A session that took place, and who came; None if unknown.

    "Who came" is the staff's attendance record when there is one, else the
    members who said Going.
    """
    models = _models()
    if models is None:
        return None
    found = session.get(models.GroupSession, session_id)
    if found is None or getattr(found, "status", "scheduled") == "cancelled":
        return None
    attendees = _recorded(session, models, session_id)
    if attendees is None:
        rsvp = models.SessionRsvp
        attendees = list(session.exec(
            select(rsvp.member_id).where(rsvp.session_id == session_id,
                                         col(rsvp.answer).in_(ATTENDED))
        ).all())
    return SessionInfo(session_id, found.title, _aware(found.starts_at) + SESSION_LENGTH,
                       sorted(int(m) for m in attendees))


def _recorded(session: Session, models: ModuleType, session_id: int) -> list[int] | None:
    """Members marked as having come; None when attendance was never recorded."""
    table = getattr(models, "SessionAttendance", None)
    if table is None:
        return None
    rows = session.exec(select(table.member_id, table.attended)
                        .where(table.session_id == session_id)).all()
    if not rows:
        return None
    return [int(m) for m, came in rows if came]


def group_id(session: Session, key: str) -> int | None:
    """A project group by id ("3") or by name ("Housing panel")."""
    models = _models()
    if models is None:
        return None
    group = models.ProjectGroup
    if key.isdigit():
        return int(key) if session.get(group, int(key)) is not None else None
    found = session.exec(select(group.id).where(group.name == key)).first()
    return int(found) if found is not None else None


def group_members(session: Session, group_key: int) -> list[int]:
    models = _models()
    if models is None:
        return []
    link = models.GroupMember
    rows = session.exec(select(link.member_id).where(link.group_id == group_key)).all()
    return sorted(int(m) for m in rows)


def member_links(session: Session, member_id: int, now: datetime | None = None
                 ) -> list[tuple[str, int, str]]:
    """What a member's /feedback might be about: (kind, id, label), kind session or project.

    Recent sessions they said they would go to or were marked as having come to
    (up to 3), then their groups (up to 3).
    """
    models = _models()
    if models is None:
        return []
    now = now or datetime.now(UTC)
    gs, rsvp, pg, gm = (models.GroupSession, models.SessionRsvp, models.ProjectGroup,
                        models.GroupMember)
    said = [col(gs.id).in_(select(rsvp.session_id).where(
        rsvp.member_id == member_id, col(rsvp.answer).in_(("going", "maybe"))))]
    if (came := getattr(models, "SessionAttendance", None)) is not None:
        said.append(col(gs.id).in_(select(came.session_id).where(
            came.member_id == member_id, col(came.attended))))
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
    return ([("session", int(i), str(t)) for i, t in sessions]
            + [("project", int(i), str(n)) for i, n in groups])
