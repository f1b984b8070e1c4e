"""Tables for learning updates (broadcasts) and who they went to.

A broadcast keeps its texts per language as JSON, because they are read and
written together. Each recipient is one row, unique per broadcast and member,
so a fan-out that runs twice (or resumes after a crash) can never queue a
second message for the same person. The outbox row it links to says what
happened to the message; the report reads it from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.storage.models import utcnow


class Broadcast(SQLModel, table=True):
    """An update a coordinator wrote: texts per language, kind, audience, send time."""

    id: int | None = Field(default=None, primary_key=True)
    # learning | you_said_we_did | session_news | urgent
    kind: str = Field(max_length=24)
    # {"en": {"title": "...", "body": "..."}, "cy": {...}}
    texts: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # The text people get when there is none in their language.
    default_language: str = Field(max_length=16)
    # ["everyone"] or any of "group:NAME", "role:ROLE", "language:CODE" (a union).
    audience: list[str] = Field(sa_column=Column(JSON, nullable=False))
    send_at: datetime | None = None
    # draft | scheduled (confirmed, fans out at send_at) | sending (fan-out under way)
    # | queued (every row written) | cancelled
    status: str = Field(default="draft", max_length=16, index=True)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None
    queued_at: datetime | None = None


class BroadcastRecipient(SQLModel, table=True):
    """One member of a broadcast's audience, and the outbox row that carries it."""

    __table_args__ = (
        UniqueConstraint("broadcast_id", "member_id", name="uq_broadcastrecipient_member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    # The member's own language, and the language of the text they were sent.
    language: str = Field(max_length=16)
    text_language: str = Field(max_length=16)
    platform: str | None = Field(default=None, max_length=16)
    outbox_id: int | None = Field(default=None, foreign_key="outboxmessage.id")
    # queued (has an outbox row) | skipped (see reason: paused, no_reachable_account)
    status: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class TranslatorLanguage(SQLModel, table=True):
    """A language a member offered to translate updates into or out of (opt-in)."""

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    language: str = Field(primary_key=True, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class BroadcastTranslation(SQLModel, table=True):
    """One request to one bilingual member to translate an update, and their answer.

    asked -> submitted -> approved | rejected; or declined (by them) or withdrawn
    (someone else's was used, or the update went out). Unique per update,
    language and member, so asking twice never asks anyone twice. An approved
    row is the record of the work; its payment is a `Payment` (`payment_id`).
    """

    __table_args__ = (
        UniqueConstraint("broadcast_id", "target_language", "member_id",
                         name="uq_broadcasttranslation_member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    source_language: str = Field(max_length=16)
    target_language: str = Field(max_length=16)
    member_id: int = Field(foreign_key="member.id", index=True)
    requested_by: int | None = Field(default=None, foreign_key="member.id")
    status: str = Field(default="asked", max_length=16)
    title: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    payment_id: int | None = Field(default=None, foreign_key="payment.id")
