"""Review work per reviewer: what staff need to pay for it.

Translation review is co-production work like any other, so it can be paid.
This sums the `TranslationReview` rows per reviewer (strings approved and
corrected, languages, sittings, first and last day); finance records the
payment itself with the payments feature.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.storage.translation_models import TranslationReview

COLUMNS = ["reviewer", "member_id", "languages", "approved", "corrected", "reviewed",
           "sittings", "first_day", "last_day"]


@dataclass
class Contribution:
    reviewer: str
    member_id: int | None = None
    languages: set[str] = field(default_factory=set)
    approved: int = 0
    corrected: int = 0
    sittings: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    @property
    def reviewed(self) -> int:
        return self.approved + self.corrected

    def row(self) -> dict[str, Any]:
        return {
            "reviewer": self.reviewer,
            "member_id": self.member_id if self.member_id is not None else "",
            "languages": " ".join(sorted(self.languages)),
            "approved": self.approved,
            "corrected": self.corrected,
            "reviewed": self.reviewed,
            "sittings": len(self.sittings),
            "first_day": self.first.date().isoformat() if self.first else "",
            "last_day": self.last.date().isoformat() if self.last else "",
        }


def _day(text: str | None, end: bool = False) -> datetime | None:
    if not text:
        return None
    start = datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def contributions(session: Session, date_from: str | None = None,
                  date_to: str | None = None) -> list[Contribution]:
    """One line per reviewer (and member), busiest first; dates are YYYY-MM-DD, inclusive."""
    query = select(TranslationReview).order_by(col(TranslationReview.id))
    start, end = _day(date_from), _day(date_to, end=True)
    if start:
        query = query.where(col(TranslationReview.created_at) >= start)
    if end:
        query = query.where(col(TranslationReview.created_at) < end)
    found: dict[tuple[str, int | None], Contribution] = {}
    for row in session.exec(query):
        item = found.setdefault((row.reviewer, row.member_id),
                                Contribution(row.reviewer, row.member_id))
        item.languages.add(row.lang)
        item.sittings.add(row.sitting)
        if row.action == "corrected":
            item.corrected += 1
        else:
            item.approved += 1
        when = _aware(row.created_at)
        item.first = min(item.first, when) if item.first else when
        item.last = max(item.last, when) if item.last else when
    return sorted(found.values(), key=lambda c: (-c.reviewed, c.reviewer))


def exporter(session: Session,
             filters: Namespace | None) -> tuple[list[str], Iterable[dict[str, Any]]]:
    """`copro-bot export translation_contributions --from --to`."""
    date_from = getattr(filters, "date_from", None)
    date_to = getattr(filters, "date_to", None)
    return COLUMNS, [c.row() for c in contributions(session, date_from, date_to)]
