"""Staff review: finding items, tags, status and short public responses.

One set of rules for the chat commands, the CLI and the dashboard. Anonymous
answers to a request stay out of every list until the request has enough
answers (see `results.held_back`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.feedback import MAX_RESPONSE
from bot.feedback.loop import notify_author
from bot.feedback.results import held_back
from bot.i18n import N_, I18n
from bot.storage.feedback_models import STATUSES, FeedbackItem

STATUS_LABELS = {
    "new": N_("New"), "seen": N_("Seen"), "did": N_("We did it"), "couldnt": N_("We couldn't"),
}
CLOSED = ("did", "couldnt")
MAX_TAGS = 10
_TAG = re.compile(r"[^\w-]+")


@dataclass
class ItemFilter:
    """What staff asked for; None means "any"."""

    date_from: date | None = None
    date_to: date | None = None
    request_id: int | None = None
    session_id: int | None = None
    project_id: int | None = None
    tag: str | None = None
    status: str | None = None
    with_words: bool = False
    limit: int | None = None


def clean_tag(raw: str) -> str:
    """"#Room Temperature" -> "room-temperature": one word, lower case, short."""
    tag = _TAG.sub("-", raw.strip().lstrip("#").casefold()).strip("-_")
    return tag[:32]


def parse_status(raw: str) -> str:
    value = raw.strip().casefold().replace("'", "").replace(" ", "")
    value = {"wedidit": "did", "done": "did", "wecouldnt": "couldnt", "cant": "couldnt"}.get(
        value, value)
    if value not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    return value


def find_items(session: Session, flt: ItemFilter, group: int) -> list[FeedbackItem]:
    """Items matching the filter, newest day first; held-back answers left out."""
    query = select(FeedbackItem)
    if flt.date_from:
        query = query.where(FeedbackItem.given_on >= flt.date_from)
    if flt.date_to:
        query = query.where(FeedbackItem.given_on <= flt.date_to)
    if flt.request_id is not None:
        query = query.where(FeedbackItem.request_id == flt.request_id)
    if flt.session_id is not None:
        query = query.where(FeedbackItem.session_id == flt.session_id)
    if flt.status:
        query = query.where(FeedbackItem.status == parse_status(flt.status))
    if flt.with_words:
        query = query.where(col(FeedbackItem.text).is_not(None))
    if flt.project_id is not None:
        query = query.where(FeedbackItem.project_id == flt.project_id)
    # Named items also have a time; anonymous ones only a date, so they come after.
    query = query.order_by(col(FeedbackItem.given_on).desc(),
                           col(FeedbackItem.created_at).desc().nulls_last(), col(FeedbackItem.id))
    hidden = held_back(session, group)
    tag = clean_tag(flt.tag) if flt.tag else None
    found = []
    for item in session.exec(query):
        if item.request_id in hidden or (tag and tag not in (item.tags or [])):
            continue
        found.append(item)
        if flt.limit and len(found) >= flt.limit:
            break
    return found


def get_item(session: Session, item_id: int, group: int) -> FeedbackItem:
    """An item staff may see; LookupError for a wrong id or one held back."""
    item = session.get(FeedbackItem, item_id)
    if item is None or item.request_id in held_back(session, group):
        raise LookupError(f"there is no feedback item {item_id}")
    return item


def tag_item(session: Session, item: FeedbackItem, tags: list[str], *, remove: bool = False
             ) -> list[str]:
    """Add (or remove) tags; returns the item's tags."""
    wanted = [t for t in (clean_tag(raw) for raw in tags) if t]
    if not wanted:
        raise ValueError("give at least one tag made of letters or numbers")
    current = list(item.tags or [])
    if remove:
        current = [t for t in current if t not in wanted]
    else:
        current += [t for t in wanted if t not in current]
    item.tags = sorted(current)[:MAX_TAGS]
    session.add(item)
    return item.tags


def answer_item(
    session: Session,
    item: FeedbackItem,
    staff_id: int | None,
    now: datetime,
    i18n: I18n,
    *,
    status: str | None = None,
    reason: str | None = None,
    response: str | None = None,
    source_event_id: int | None = None,
) -> bool:
    """Set status and/or a public response; tell a named author once per new answer.

    Returns True when the author was sent a message.
    """
    status = parse_status(status) if status else None
    reason = _short(reason, "reason")
    response = _short(response, "response")
    if status == "couldnt" and not (reason or item.status_reason):
        raise ValueError("say why it couldn't be done: give a reason")
    closing_before = (item.status, item.status_reason)
    response_before = item.public_response
    if status:
        item.status = status
        if status == "couldnt" and reason:
            item.status_reason = reason
    if response:
        item.public_response = response
    if status in CLOSED or response:
        item.responded_at, item.responded_by = now, staff_id
    session.add(item)
    news = (status in CLOSED and (item.status, item.status_reason) != closing_before) or (
        response is not None and response != response_before)
    if not news:
        return False
    return notify_author(session, item, i18n, now, source_event_id)


def _short(text: str | None, what: str) -> str | None:
    text = " ".join((text or "").split())
    if len(text) > MAX_RESPONSE:
        raise ValueError(f"keep the {what} under {MAX_RESPONSE} characters")
    return text or None
