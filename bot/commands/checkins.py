"""`copro-bot checkins plan ...` and `copro-bot export checkins`.

The export has two kinds of row: `summary` rows (per week, and one for the
whole period) and `response` rows (one per check-in that went out). The
average mood is left blank for fewer than five answers, so nobody can be
singled out in a summary.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.services.checkins import MOODS
from bot.storage.checkin_models import Checkin

COLUMNS = ["row_type", "period", "date", "member_id", "status", "mood", "mood_word", "note",
           "late", "reason", "sent", "answered", "skipped", "response_rate", "average_mood"]
WENT_OUT = ("sent", "answered", "skipped")
MIN_GROUP = 5
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def exporter(session: Session, filters: argparse.Namespace) -> tuple[list[str], list[dict]]:  # type: ignore[type-arg]
    """Summary rows first, then every check-in that went out or was dropped."""
    start, end = _day(getattr(filters, "date_from", None)), _day(getattr(filters, "date_to", None))
    query = select(Checkin).where(col(Checkin.status).in_([*WENT_OUT, "dropped"]))
    found = session.exec(query.order_by(col(Checkin.due_at), col(Checkin.id))).all()
    rows = [c for c in found if (start is None or c.due_at.date() >= start)
            and (end is None or c.due_at.date() <= end)]
    weeks: dict[str, list[Checkin]] = {}
    for row in rows:
        year, week, _ = row.due_at.isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", []).append(row)
    summaries = [_summary(period, items) for period, items in weeks.items()]
    if rows:
        summaries.append(_summary("all", rows))
    return COLUMNS, summaries + [_response(row) for row in rows]


def _summary(period: str, items: Iterable[Checkin]) -> dict[str, Any]:
    went = [c for c in items if c.status in WENT_OUT]
    answered = [c for c in went if c.status == "answered" and c.mood is not None]
    skipped = sum(1 for c in went if c.status == "skipped")
    average = (round(sum(c.mood or 0 for c in answered) / len(answered), 2)
               if len(answered) >= MIN_GROUP else "")
    return {"row_type": "summary", "period": period, "sent": len(went),
            "answered": len(answered), "skipped": skipped,
            "response_rate": round(len(answered) / len(went), 3) if went else "",
            "average_mood": average}


def _response(row: Checkin) -> dict[str, Any]:
    return {"row_type": "response", "date": row.due_at.date().isoformat(),
            "member_id": row.member_id, "status": row.status, "mood": row.mood or "",
            "mood_word": MOODS.get(row.mood or 0, ""), "note": row.note or "",
            "late": row.late, "reason": row.reason or ""}


EXPORTS = {"checkins": exporter}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("checkins", help="check-in plans")
    sub = parser.add_subparsers(dest="checkins_command", required=True)
    plan = sub.add_parser("plan", help="set a member's check-in plan")
    plan.add_argument("who", help="PLATFORM:USER_ID, e.g. telegram:12345")
    plan.add_argument("frequency", choices=["never", "weekly", "fortnightly", "monthly"])
    plan.add_argument("--day", choices=DAYS, default="monday")
    plan.add_argument("--time", default="10:00", help="HH:MM in the member's own time zone")
    plan.set_defaults(func=cmd_plan)


def cmd_plan(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.members import find_identity
    from bot.services.checkins import next_checkin, set_plan
    from bot.storage import load_all_models
    from bot.storage.db import make_engine, transaction

    load_all_models()
    platform, sep, user_id = args.who.partition(":")
    if not sep:
        raise ValueError("give the person as PLATFORM:USER_ID, for example telegram:12345")
    engine = make_engine(settings.database_url)
    with transaction(engine) as session:
        identity = find_identity(session, platform, user_id)
        if identity is None:
            raise LookupError(f"nobody is known as {args.who}")
        set_plan(session, identity.member_id, args.frequency, DAYS.index(args.day), args.time)
        upcoming = next_checkin(session, identity.member_id)
        when = upcoming.send_at.isoformat() if upcoming else "none"
    engine.dispose()
    print(f"Plan saved for member {identity.member_id}. Next check-in (UTC): {when}")
    return 0
