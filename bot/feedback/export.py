"""`copro-bot export feedback`: every item staff may see, as rows.

Anonymous answers to a request with fewer than 5 answers are left out, as
everywhere else; anonymous rows never have a member id or a time.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, select

from bot.config import get_settings
from bot.feedback import min_group
from bot.feedback.review import ItemFilter, find_items
from bot.storage.feedback_models import FeedbackItem, FeedbackRequest

COLUMNS = ["item_id", "date", "request", "question", "session", "project", "kind", "anonymous",
           "member_id", "answer", "text", "tags", "status", "reason", "public_response",
           "responded_at"]


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--{name} must be a date like 2026-03-29") from None


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise ValueError(f"--{name} must be a number") from None


def filter_from_args(filters: Namespace | None) -> ItemFilter:
    """The export command's --from --to --request --session --tag --status."""
    get = (lambda name: getattr(filters, name, None)) if filters is not None else (
        lambda name: None)
    return ItemFilter(
        date_from=_date(get("date_from"), "from"), date_to=_date(get("date_to"), "to"),
        request_id=_int(get("request"), "request"), session_id=_int(get("session"), "session"),
        tag=get("tag") or None, status=get("status") or None,
    )


def answer_label(item: FeedbackItem, request: FeedbackRequest | None) -> str:
    if item.choice is not None and request and 0 <= item.choice < len(request.options):
        return request.options[item.choice]
    return "" if item.rating is None else str(item.rating)


def exporter(session: Session, filters: Namespace | None) -> tuple[list[str], Iterable[dict]]:
    """The feedback export, filtered; rows come oldest day first."""
    group = min_group(get_settings())
    items = list(reversed(find_items(session, filter_from_args(filters), group)))
    requests = {r.id: r for r in session.exec(select(FeedbackRequest)).all()}

    def rows() -> Iterable[dict[str, Any]]:
        for item in items:
            request = requests.get(item.request_id) if item.request_id else None
            yield {
                "item_id": item.id,
                "date": item.given_on.isoformat(),
                "request": item.request_id or "",
                "question": request.question if request else "",
                "session": item.session_id or "",
                "project": item.project_id or "",
                "kind": item.kind,
                "anonymous": "yes" if item.anonymous else "no",
                "member_id": "" if item.anonymous else (item.member_id or ""),
                "answer": answer_label(item, request),
                "text": item.text or "",
                "tags": " ".join(item.tags or []),
                "status": item.status,
                "reason": item.status_reason or "",
                "public_response": item.public_response or "",
                "responded_at": item.responded_at.isoformat() if item.responded_at else "",
            }

    return COLUMNS, rows()
