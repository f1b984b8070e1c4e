"""Project groups, sessions, RSVPs and session reminders.

Reminders are rows, one per member and offset, so a restart, a second
process or a clock change never loses or repeats one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.models import utcnow


class ProjectGroup(SQLModel, table=True):
    """A co-production group that meets, e.g. "Housing panel"."""

    __table_args__ = (UniqueConstraint("name", name="uq_projectgroup_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class GroupMember(SQLModel, table=True):
    """Who belongs to which project group (and so gets its session invites)."""

    group_id: int = Field(foreign_key="projectgroup.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    added_at: datetime = Field(default_factory=utcnow)


class GroupSession(SQLModel, table=True):
    """A meeting: online (a link) or in person (a place and access info)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    starts_at: datetime = Field(index=True)
    timezone: str = Field(max_length=64)  # the organiser's zone, for the record
    mode: str = Field(max_length=16)  # online | in_person
    link: str | None = Field(default=None, max_length=500)
    place: str | None = Field(default=None, max_length=300)
    access_info: str | None = Field(default=None, max_length=500)
    prepare: str | None = Field(default=None, max_length=1000)
    group_id: int | None = Field(default=None, foreign_key="projectgroup.id")  # None: everyone
    status: str = Field(default="scheduled", max_length=16)  # scheduled | cancelled
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SessionRsvp(SQLModel, table=True):
    """A member's answer to an invite: going, maybe or cant."""

    session_id: int = Field(foreign_key="groupsession.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    answer: str = Field(max_length=16)
    updated_at: datetime = Field(default_factory=utcnow)


class SessionReminder(SQLModel, table=True):
    """One reminder to one member, `offset_minutes` before the session.

    Status: pending, sent, skipped (quiet hours or a pause made it useless),
    dropped (the session had started) or cancelled (STOP, RSVP changed,
    session moved or cancelled). `reason` says why; `late` marks a reminder
    sent after downtime.
    """

    __table_args__ = (
        UniqueConstraint("session_id", "member_id", "offset_minutes", "due_at",
                         name="uq_reminder_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="groupsession.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    offset_minutes: int
    due_at: datetime
    send_at: datetime = Field(index=True)
    status: str = Field(default="pending", max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=64)
    late: bool = False
    fired_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SessionAttendance(SQLModel, table=True):
    """Who really came to a session, as marked by staff after it started.

    Once any row exists for a session, its attendance counts as recorded:
    feedback goes to those marked `attended`, not to the Going answers.
    """

    session_id: int = Field(foreign_key="groupsession.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
    attended: bool = False
    recorded_by: int | None = Field(default=None, foreign_key="member.id")
    recorded_at: datetime = Field(default_factory=utcnow)
