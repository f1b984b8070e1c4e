"""Tables for onboarding: profiles, the consent ledger and one-time codes.

Preferred name, language, time zone and quiet hours live on `Member`, because
every feature reads them. Everything else a member tells us while onboarding
lives in `Profile`, and only once they have said yes to storing it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.models import utcnow

# Stable codes stored in the profile; handlers map them to translated labels.
INTRODUCTIONS = ("name", "coproducer", "lived", "other")
CHECKIN_FREQUENCIES = ("weekly", "fortnightly", "monthly", "never")
NEEDS = ("short", "easy_read", "voice", "interpreter", "more_time", "other")
WAYS_TO_TAKE_PART = ("story", "review", "agenda", "notes", "facilitate", "interview", "design")
# The first four match bot.payments.calc.METHODS, which reads this column.
PAYMENT_PREFERENCES = ("bank_transfer", "cash", "voucher", "to_charity", "decline", "unsure")
CONSENT_ACTIONS = ("given", "declined", "withdrawn", "expired")


class Profile(SQLModel, table=True):
    """What a member chose while onboarding. Created when they consent."""

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    pronouns: str | None = Field(default=None, max_length=40)
    introduce_as: str | None = Field(default=None, max_length=16)
    introduce_as_text: str | None = Field(default=None, max_length=200)
    checkin_frequency: str | None = Field(default=None, max_length=16)
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    needs_other: str | None = Field(default=None, max_length=300)
    ways_to_take_part: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    payment_preference: str | None = Field(default=None, max_length=16)
    # The step to resume the /start journey from; None once it is finished.
    onboarding_step: str | None = Field(default=None, max_length=32)
    onboarded_at: datetime | None = None
    left_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ConsentRecord(SQLModel, table=True):
    """The consent ledger: append-only, one row per consent given, declined or withdrawn.

    Rows are never updated. Erasure deletes a member's rows and appends one
    `withdrawn` (or, by the retention job, `expired`) row with no member id, so
    the ledger keeps the fact but not the person.
    """

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    action: str = Field(max_length=16)
    wording_version: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class OneTimeCode(SQLModel, table=True):
    """A link or invite code. Only its hash is stored; it works once, until it expires."""

    __table_args__ = (UniqueConstraint("code_hash", name="uq_onetimecode_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=16)  # link | invite
    code_hash: str = Field(max_length=64)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    role: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class CodeAttempts(SQLModel, table=True):
    """Wrong codes typed by one member, so guessing gets locked out."""

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    failures: int = 0
    window_start: datetime | None = None
    locked_until: datetime | None = None
