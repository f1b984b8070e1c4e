"""Tables for the staff dashboard: login links, web sessions, passwords, audit, attempts.

Secrets (login links, session cookies) are stored only as SHA-256 hashes, so a
copy of the database cannot be used to log in. Tables that belong to a person
carry `member_id`, so erasure (`bot.privacy`) removes them with the rest. The
audit log names people by id only, in `actor_id` / `subject_id`, so erasing a
member does not erase the record of who looked at what.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.models import utcnow


class DashboardLoginToken(SQLModel, table=True):
    """A one-time login link sent in chat by `/dashboard`: single use, short-lived."""

    __table_args__ = (UniqueConstraint("token_hash", name="uq_dashboardlogintoken_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class DashboardSession(SQLModel, table=True):
    """A logged-in browser. The cookie holds the secret; we keep its hash."""

    __table_args__ = (UniqueConstraint("token_hash", name="uq_dashboardsession_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    method: str = Field(max_length=16)  # link | password
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


class DashboardPassword(SQLModel, table=True):
    """An admin-set password (argon2 hash) for staff who cannot use chat links."""

    __table_args__ = (UniqueConstraint("username", name="uq_dashboardpassword_username"),)

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    username: str = Field(max_length=80)
    password_hash: str = Field(max_length=255)
    set_at: datetime = Field(default_factory=utcnow)


class DashboardAuditLog(SQLModel, table=True):
    """Who viewed personal data or changed something, when. Ids only, never content."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, index=True)  # a member id; None: the CLI
    action: str = Field(max_length=16)  # view | change | login | logout
    target_type: str = Field(max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    subject_id: int | None = Field(default=None, index=True)  # the member the data is about
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DashboardLoginAttempt(SQLModel, table=True):
    """A failed login, keyed by a hash of the username or client address, for rate limits."""

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
