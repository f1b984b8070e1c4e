"""Exports for staff, as CSV or JSON.

Each export is a function returning column names and rows. Features register
theirs in `EXPORTERS`; an export with no feature behind it yet yields its
columns and no rows, so scripts built on it keep working as features land.
"""

from __future__ import annotations

import csv
import json
from argparse import Namespace
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.storage.db import make_engine
from bot.storage.models import Identity, Member, MemberRole, utcnow
from bot.storage.profile_models import ConsentRecord, Profile

Rows = tuple[list[str], Iterable[dict[str, Any]]]
# An exporter gets the session and the parsed CLI filters (--from, --to, --tag...).
Exporter = Callable[[Session, Namespace], Rows]


def members(session: Session, filters: Namespace | None = None) -> Rows:
    """Everyone not erased: language, needs, consent, pause state, roles and platforms."""
    columns = ["member_id", "display_name", "pronouns", "language", "timezone", "quiet_hours",
               "status", "paused", "paused_until", "consent", "consent_date", "needs",
               "needs_other", "ways_to_take_part", "checkins", "payment_preference",
               "introduce_as", "roles", "platforms", "joined"]
    roles: dict[int, list[str]] = {}
    for member_id, role in session.exec(select(MemberRole.member_id, MemberRole.role)).all():
        roles.setdefault(member_id, []).append(role)
    platforms: dict[int, list[str]] = {}
    for member_id, platform in session.exec(select(Identity.member_id, Identity.platform)).all():
        platforms.setdefault(member_id, []).append(platform)
    consents: dict[int, ConsentRecord] = {}
    for record in session.exec(select(ConsentRecord).order_by(col(ConsentRecord.id))).all():
        if record.member_id is not None:
            consents[record.member_id] = record  # the latest wins
    profiles = {p.member_id: p for p in session.exec(select(Profile)).all()}
    now = utcnow()

    def rows() -> Iterable[dict[str, Any]]:
        query = select(Member).where(col(Member.status) != "erased").order_by(col(Member.id))
        for m in session.exec(query):
            assert m.id is not None
            consent = consents.get(m.id)
            p = profiles.get(m.id) or Profile(member_id=m.id)
            intro = p.introduce_as_text if p.introduce_as == "other" else p.introduce_as
            yield {
                "member_id": m.id,
                "display_name": m.display_name or "",
                "pronouns": p.pronouns or "",
                "language": m.language,
                "timezone": m.timezone,
                "quiet_hours": f"{m.quiet_start}-{m.quiet_end}" if m.quiet_start else "",
                "status": m.status,
                "paused": bool(m.paused_until and m.paused_until > now),
                "paused_until": m.paused_until.isoformat() if m.paused_until else "",
                "consent": consent.action if consent else "not asked",
                "consent_date": consent.created_at.date().isoformat() if consent else "",
                "needs": " ".join(p.needs),
                "needs_other": p.needs_other or "",
                "ways_to_take_part": " ".join(p.ways_to_take_part),
                "checkins": p.checkin_frequency or "",
                "payment_preference": p.payment_preference or "",
                "introduce_as": intro or "",
                "roles": " ".join(sorted(roles.get(m.id, []))),
                "platforms": " ".join(sorted(platforms.get(m.id, []))),
                "joined": m.created_at.date().isoformat(),
            }

    return columns, rows()


def _not_built(columns: list[str]) -> Exporter:
    return lambda session, filters: (columns, [])


EXPORTERS: dict[str, Exporter] = {
    "members": members,
    "feedback": _not_built(["date", "request", "session", "tags", "status", "text"]),
    "payments": _not_built(["payment_id", "member_id", "activity", "activity_date", "total",
                            "status"]),
    "checkins": _not_built(["date", "member_id", "mood", "note"]),
}


def export(settings: Settings, exporter: Any, filters: Namespace, out: TextIO) -> int:
    """Write one export to `out` in `filters.format`; returns the number of rows."""
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        columns, rows = exporter(session, filters)
        return write(columns, rows, filters.format, out)


def write(columns: list[str], rows: Iterable[dict[str, Any]], fmt: str, out: TextIO) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_safe(v) for k, v in row.items()})
            count += 1
    else:
        items = list(rows)
        json.dump(items, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        count = len(items)
    return count


def _csv_safe(value: Any) -> Any:
    """Stop spreadsheet formula injection from text people typed."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
