"""Check-in plans and check-ins: the rows that say when a check-in is due.

A plan is the member's choice (how often, which day, what time in their own
time zone). Each planned check-in is a `Checkin` row from the moment it is
scheduled, so the schedule survives restarts and any process can read it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.models import utcnow


class CheckinPlan(SQLModel, table=True):
    """How often a member wants a check-in; the source of truth for check-ins."""

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    # never | weekly | fortnightly | monthly (the first chosen weekday of the month)
    frequency: str = Field(default="never", max_length=16)
    weekday: int | None = None  # 0 is Monday
    at_time: str | None = Field(default=None, max_length=5)  # "HH:MM", member's own time
    anchor: date | None = None  # first planned day; keeps fortnightly on its weeks
    updated_at: datetime = Field(default_factory=utcnow)


class Checkin(SQLModel, table=True):
    """One planned check-in and, once sent, its answer.

    Status: scheduled, sent, answered, skipped (the member tapped Skip),
    dropped (too late to be useful; `reason` says why) or cancelled
    (STOP, plan changed; `reason` says which).
    """

    __table_args__ = (UniqueConstraint("member_id", "due_at", name="uq_checkin_member_due"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    due_at: datetime  # the planned moment
    send_at: datetime = Field(index=True)  # moved on by quiet hours or a pause
    status: str = Field(default="scheduled", max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=64)
    late: bool = False
    mood: int | None = None  # 1 (very low) to 5 (very good)
    note: str | None = Field(default=None, max_length=1000)
    contact_wanted: bool | None = None
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
