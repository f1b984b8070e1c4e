"""SQLModel tables for members, identities, conversation state, inbox and outbox.

Only primitive ids (platform name plus id strings) are stored, never pickled
platform objects, so any process and any library version can read the rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC: SQLModel stores it as UTC on both SQLite and PostgreSQL."""
    return datetime.now(UTC)


ROLES = ("member", "coordinator", "staff", "safeguarding", "finance", "admin")


class Member(SQLModel, table=True):
    """A person, whichever platforms they use."""

    id: int | None = Field(default=None, primary_key=True)
    display_name: str | None = Field(default=None, max_length=200)
    language: str = Field(default="en", max_length=16)
    timezone: str = Field(default="Europe/London", max_length=64)
    # active | stopped (said STOP) | left
    status: str = Field(default="active", max_length=16)
    paused_until: datetime | None = None
    # Quiet hours in the member's own time zone, "HH:MM"; None means no quiet hours.
    quiet_start: str | None = Field(default="21:00", max_length=5)
    quiet_end: str | None = Field(default="08:00", max_length=5)
    # Where to reach a member who linked several platforms (None: the first linked).
    preferred_platform: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class Identity(SQLModel, table=True):
    """One platform account of a member: how we reach them there."""

    __table_args__ = (UniqueConstraint("platform", "user_id", name="uq_identity_platform_user"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    unreachable: bool = False
    unreachable_reason: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class MemberRole(SQLModel, table=True):
    """A role held by a member. Everyone implicitly holds `member`."""

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    role: str = Field(primary_key=True, max_length=16)
    granted_at: datetime = Field(default_factory=utcnow)


class ConversationState(SQLModel, table=True):
    """Where a member is in a conversation, so a restart continues it."""

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    flow: str | None = Field(default=None, max_length=64)
    step: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class InboxEvent(SQLModel, table=True):
    """An incoming event, stored before it counts as received.

    The unique (platform, external_id) pair turns redelivered updates into no-ops.
    """

    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_inbox_platform_ext"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # pending | done | failed
    status: str = Field(default="pending", max_length=16, index=True)
    error: str | None = Field(default=None, max_length=200)
    received_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """An outgoing message, written in the transaction that caused it.

    Status: pending, sending (in flight), sent, failed, unreachable,
    deferred (waits for `not_before`), unknown (in flight during a crash).
    """

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow, index=True)
    last_error: str | None = Field(default=None, max_length=200)
    source_event_id: int | None = Field(default=None, foreign_key="inboxevent.id")
    platform_message_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
