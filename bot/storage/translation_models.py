"""Translation reviews: each string a reviewer approved or corrected.

One row per decision, never changed afterwards. It is the record behind
paying a bilingual member for review work (who, how many, when) and the
history of each correction (old and new text, as lists of plural forms).
`member_id` is set when the reviewer is a member, so /mydata shows their rows
and erasure removes them; `reviewer` is the PLATFORM:USER_ID they used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from bot.storage.models import utcnow

REVIEW_ACTIONS = ("approved", "corrected")


class TranslationReview(SQLModel, table=True):
    """A reviewer's decision on one string in one language."""

    id: int | None = Field(default=None, primary_key=True)
    lang: str = Field(max_length=16, index=True)
    msgid: str = Field(sa_column=Column(Text, nullable=False))
    msgctxt: str | None = Field(default=None, max_length=64)
    # approved: the translation was right as it was; corrected: the reviewer rewrote it.
    action: str = Field(max_length=16)
    old_forms: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    new_forms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reviewer: str = Field(max_length=100, index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    # One run of `copro-bot translations review`, so a sitting can be paid as a whole.
    sitting: str = Field(max_length=32, index=True)
    created_at: datetime = Field(default_factory=utcnow)
