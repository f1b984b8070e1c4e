"""The overview's numbers from the core tables: who is taking part, in which language.

Aggregates only: counts and shares, never a row about one person. Grouping is
done in SQL so the overview stays fast with tens of thousands of members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from bot.storage.models import Identity, InboxEvent, Member

GONE = ("erased", "left")


def month_start(moment: datetime, back: int = 0) -> datetime:
    """The first instant (UTC) of the month `back` months before `moment`'s."""
    year, month = moment.year, moment.month - back
    while month < 1:
        month, year = month + 12, year - 1
    return datetime(year, month, 1, tzinfo=UTC)


def month_key(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def bucket(db: Session, column: Any, unit: str = "month", zoned: bool = True) -> Any:
    """A text key per month ("2026-11") or week ("2026-W47"), on either database.

    `zoned` columns are timestamps with a time zone, read in UTC; dates are not.
    """
    if db.get_bind().dialect.name == "postgresql":
        pattern = "YYYY-MM" if unit == "month" else 'IYYY-"W"IW'
        return func.to_char(func.timezone("UTC", column) if zoned else column, pattern)
    return func.strftime("%Y-%m" if unit == "month" else "%Y-W%W", column)


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def _senders(db: Session, since: datetime, until: datetime, by_month: bool = False) -> Any:
    """Distinct (platform, user id[, month]) that sent anything in [since, until).

    Grouped before joining identities, so the JSON is read once per message and
    the join sees one row per person (and month), not one per message.
    """
    user_id = col(InboxEvent.payload)["user_id"].as_string().label("user_id")
    columns = [col(InboxEvent.platform).label("platform"), user_id]
    if by_month:
        columns.append(bucket(db, col(InboxEvent.received_at)).label("month"))
    query = select(*columns).where(col(InboxEvent.received_at) >= since,
                                   col(InboxEvent.received_at) < until)
    return query.group_by(*columns).subquery()


def _members_of(senders: Any) -> Any:
    return and_(col(Identity.platform) == senders.c.platform,
                col(Identity.user_id) == senders.c.user_id)


@dataclass
class Activity:
    this_month: int
    retention: float | None  # share of last month's active members active again this month
    by_month: list[tuple[str, float]]


def activity(db: Session, now: datetime, months: int = 6) -> Activity:
    """Members who sent the bot anything, per month; the latest month is this one.

    One pass over the messages: (member, month) pairs come back, and the
    monthly counts and last month's returners are worked out from them.
    """
    senders = _senders(db, month_start(now, months - 1), now, by_month=True)
    pairs = db.exec(select(col(Identity.member_id), senders.c.month).distinct()
                    .select_from(senders).join(Identity, _members_of(senders))).all()
    seen: dict[str, set[int]] = {}
    for member_id, month in pairs:
        seen.setdefault(str(month), set()).add(member_id)
    labels = [month_key(month_start(now, back)) for back in reversed(range(months))]
    by_month = [(label, float(len(seen.get(label, ())))) for label in labels]
    this, last = seen.get(labels[-1], set()), seen.get(labels[-2], set()) if months > 1 else set()
    return Activity(len(this), ratio(len(last & this), len(last)), by_month)


def members_by_language(db: Session) -> list[tuple[str, float]]:
    rows = db.exec(
        select(Member.language, func.count()).where(col(Member.status).not_in(GONE))
        .group_by(Member.language).order_by(func.count().desc())
    ).all()
    return [(lang, float(n)) for lang, n in rows]


def member_count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(Member)
                   .where(col(Member.status).not_in(GONE))).one()
