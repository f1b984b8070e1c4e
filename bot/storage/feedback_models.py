"""Tables for feedback: requests, items (answers and free feedback), answer markers.

Anonymity is built into the shape of these tables (see `bot.feedback.anonymity`):

- `FeedbackItem.id` is random, not a sequence, so ids never show the order in
  which answers arrived. On SQLite it is an `INTEGER PRIMARY KEY` (the rowid
  itself), so there is no hidden, ordered rowid either.
- An anonymous item has no member id and no time: only `given_on`, a UTC date.
- `FeedbackAnswered` says *that* a member answered a request, never *which*
  answer is theirs: no id, no time, no link to an item.

Tags are a JSON list on the item, not a child table, so erasing a member
(which deletes their named items) never trips over a foreign key.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Text, cast, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from bot.storage.models import utcnow

REQUEST_KINDS = ("choice", "rating", "text", "rating_comment")
# choice/rating/text answer a request; comment follows a rating; free is /feedback.
ITEM_KINDS = ("choice", "rating", "text", "comment", "free")
STATUSES = ("new", "seen", "did", "couldnt")
REQUEST_STATUSES = ("draft", "open", "closed")

# BIGINT on PostgreSQL; on SQLite exactly INTEGER, so the id *is* the rowid.
ItemId = BigInteger().with_variant(Integer(), "sqlite")
MAX_ITEM_ID = 2**53  # stays exact in JavaScript dashboards and JSON tools


def new_item_id() -> int:
    """A random id: nothing about it says when, or after whom, an item came."""
    return secrets.randbelow(MAX_ITEM_ID - 1) + 1


class FeedbackRequest(SQLModel, table=True):
    """A question a coordinator sends out: one tap, a rating, or a few words.

    `anonymous` covers the whole request: mixing named and anonymous answers
    in one set of results would let anyone subtract the named ones.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    question: str = Field(max_length=500)
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    anonymous: bool = False
    # Plain integers, no foreign keys: sessions and project groups are other features.
    session_id: int | None = Field(default=None, index=True)
    project_id: int | None = None
    auto_send: bool = False
    status: str = Field(default="draft", max_length=16, index=True)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    closed_at: datetime | None = None


class FeedbackItem(SQLModel, table=True):
    """One piece of feedback: an answer to a request, a comment, or free text."""

    id: int = Field(
        default_factory=new_item_id,
        sa_column=Column(ItemId, primary_key=True, autoincrement=False),
    )
    request_id: int | None = Field(default=None, foreign_key="feedbackrequest.id", index=True)
    # None when anonymous. Named items are the member's data (shown in /mydata, erased).
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    anonymous: bool = False
    kind: str = Field(max_length=16)
    choice: int | None = None
    rating: int | None = None
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    session_id: int | None = Field(default=None, index=True)
    project_id: int | None = None
    # The UTC date only; a named item also has `created_at`, an anonymous one never.
    given_on: date = Field(index=True)
    created_at: datetime | None = None
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="new", max_length=16, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    public_response: str | None = Field(default=None, max_length=500)
    responded_at: datetime | None = None
    responded_by: int | None = Field(default=None, foreign_key="member.id")
    notified_at: datetime | None = None


# Spaces become this in the search index, so pg_trgm keeps a phrase's words
# together ("s0w" in "bus was"); any letter or digit works, a digit is rare
# next to words. Migration 0012_feedback_search hard-codes the same one.
SEARCH_SEPARATOR = "0"

# The staff feedback log at a million rows (migrations 0010_feedback_scale and
# 0012_feedback_search): newest first in one index walk; on PostgreSQL also a
# tag filter (`@>` on the JSON list) and free-text search (trigrams of the text
# with spaces joined, pg_trgm) without a scan. SQLite gets only the first;
# expression indexes are PostgreSQL-only there.
_items = FeedbackItem.__table__  # type: ignore[attr-defined]
Index("ix_feedbackitem_given_on_id", _items.c.given_on, _items.c.id)
Index("ix_feedbackitem_tags_gin", cast(_items.c.tags, JSONB).label("tags_jsonb"),
      postgresql_using="gin", postgresql_ops={"tags_jsonb": "jsonb_path_ops"})
Index("ix_feedbackitem_text_words_trgm",
      func.translate(func.lower(_items.c.text), " ", SEARCH_SEPARATOR).label("text_words"),
      postgresql_using="gin", postgresql_ops={"text_words": "gin_trgm_ops"})


class FeedbackAnswered(SQLModel, table=True):
    """This member has answered this request. Stops double answers, links to nothing else."""

    request_id: int = Field(foreign_key="feedbackrequest.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
