"""Closing the loop: tell named authors, digest for everyone, and the closure rate.

A named author hears back personally, in their language, outside quiet
hours. Anonymous authors can't be told (we don't know who they are), so every
answer also goes into the "you said, we did" digest that coordinators send
to the whole group. The digest holds only what staff wrote for the public and
the request's question, never a member's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from bot.core.easyread import member_translator
from bot.core.events import OutgoingMessage
from bot.core.reach import queue_when_allowed
from bot.i18n import I18n, Translator
from bot.storage.feedback_models import FeedbackItem, FeedbackRequest
from bot.storage.models import Member

QUOTE_CHARS = 120


def outcome_line(t: Translator, status: str, reason: str | None) -> str | None:
    """"We did it" or "we couldn't, because..."; the author's message and the digest
    say it the same way. None while the item is still open."""
    if status == "did":
        return t.gettext("We did it.")
    if status == "couldnt":
        return t.gettext("We couldn't do it, because: {reason}").format(reason=reason or "")
    return None


def author_message(t: Translator, item: FeedbackItem) -> OutgoingMessage:
    """What the author of a named item is told when staff answer it."""
    lines = [t.gettext("Thank you for your feedback from {date}. The team has looked at it.")
             .format(date=t.date(item.given_on))]
    if item.text:
        quote = item.text if len(item.text) <= QUOTE_CHARS else item.text[:QUOTE_CHARS] + "…"
        lines.append(t.gettext("You said: {words}").format(words=quote))
    outcome = outcome_line(t, item.status, item.status_reason)
    if outcome:
        lines.append(outcome)
    if item.public_response:
        lines.append(t.gettext("The team says: {response}").format(response=item.public_response))
    return OutgoingMessage(text="\n\n".join(lines))


def notify_author(
    session: Session, item: FeedbackItem, i18n: I18n, now: datetime,
    source_event_id: int | None = None,
) -> bool:
    """Queue the "we answered" message to a named author; False for anonymous items."""
    if item.anonymous or item.member_id is None:
        return False
    member = session.get(Member, item.member_id)
    if member is None:
        return False
    message = author_message(member_translator(i18n, session, member), item)
    if queue_when_allowed(session, member, message, now, source_event_id=source_event_id) is None:
        return False
    item.notified_at = now
    session.add(item)
    return True


@dataclass(frozen=True)
class DigestItem:
    """One line of "you said, we did": public words only."""

    item_id: int
    status: str
    topic: str | None
    reason: str | None
    response: str | None
    anonymous: bool
    responded_at: datetime | None


def build_digest(session: Session, since: datetime) -> list[DigestItem]:
    """Items answered since `since` (named and anonymous), oldest answer first.

    For the learning-updates feature: turn these into one update per language
    with `digest_text`.
    """
    query = (
        select(FeedbackItem, FeedbackRequest.question)
        .join(FeedbackRequest, col(FeedbackRequest.id) == FeedbackItem.request_id, isouter=True)
        .where(col(FeedbackItem.responded_at).is_not(None), col(FeedbackItem.responded_at) >= since)
        .order_by(col(FeedbackItem.responded_at), col(FeedbackItem.id))
    )
    found = []
    for item, question in session.exec(query).all():
        if item.status not in ("did", "couldnt") and not item.public_response:
            continue
        topic = question or (", ".join(item.tags) if item.tags else None)
        found.append(DigestItem(item.id, item.status, topic, item.status_reason,
                                item.public_response, item.anonymous, item.responded_at))
    return found


def digest_text(t: Translator, items: list[DigestItem]) -> str:
    """The digest in one member's language; empty string when there is nothing."""
    if not items:
        return ""
    lines = [t.gettext("You said, we did. Here is what the team did with your feedback:")]
    for entry in items:
        parts = []
        if entry.topic:
            parts.append(t.gettext("About: {topic}").format(topic=entry.topic))
        outcome = outcome_line(t, entry.status, entry.reason)
        if outcome:
            parts.append(outcome)
        if entry.response:
            parts.append(entry.response)
        lines.append("• " + " ".join(parts))
    return "\n".join(lines)


@dataclass(frozen=True)
class Closure:
    """Items with words, and how many got a "we did it" or "we couldn't" answer."""

    total: int
    closed: int

    @property
    def rate(self) -> float | None:
        return self.closed / self.total if self.total else None


def closure_rate(session: Session, date_from: date | None = None,
                 date_to: date | None = None) -> Closure:
    """For the dashboard: the share of feedback items staff have closed the loop on.

    Counts items with words (free feedback, written answers and comments):
    a single tap is a vote, not something to answer. The database counts, as the
    overview reads this over a million items.
    """
    closed = case((col(FeedbackItem.status).in_(("did", "couldnt")), 1), else_=0)
    query = (select(func.count(), func.coalesce(func.sum(closed), 0))
             .where(col(FeedbackItem.text).is_not(None)))
    if date_from:
        query = query.where(FeedbackItem.given_on >= date_from)
    if date_to:
        query = query.where(FeedbackItem.given_on <= date_to)
    total, done = session.exec(query).one()
    return Closure(int(total), int(done))
