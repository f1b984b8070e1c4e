"""Safeguarding alerts: who, what was said, when, status and notes.

An alert is written in the same transaction as the staff messages it causes,
and carries its own escalation clock, so nothing depends on a process
staying up for four hours.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.storage.models import utcnow


class SafeguardingAlert(SQLModel, table=True):
    """Someone may need support. Status: open, contacted or closed."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    checkin_id: int | None = Field(default=None, foreign_key="checkin.id")
    # asked_for_contact | serious_phrase
    source: str = Field(max_length=32)
    mood: int | None = None
    said: str | None = Field(default=None, max_length=1000)  # the member's note, if any
    status: str = Field(default="open", max_length=16, index=True)
    level: int = 0  # how many times it has been escalated
    notified: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    acknowledged_by: int | None = Field(default=None, foreign_key="member.id")
    acknowledged_at: datetime | None = None
    next_escalation_at: datetime | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class SafeguardingNote(SQLModel, table=True):
    """A note on an alert by a member of staff, kept in order."""

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="safeguardingalert.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="member.id")
    text: str = Field(max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
