"""CSV/JSON exports of payments and of the raw ledger, pseudonymised by default.

Without `--with-names` each member appears as a random token that holds for
this one export only: finance can see which rows belong to one person, but
the file cannot be joined with another export or traced back to a person.
"""

from __future__ import annotations

import secrets
from argparse import Namespace
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.payments.calc import parse_date
from bot.payments.ledger import PaymentState
from bot.payments.report import as_text, days_to_paid, days_to_received, load_all
from bot.storage.models import Member

PAYMENT_COLUMNS = [
    "payment_id", "member", "organisation", "activity", "activity_date", "hours",
    "hourly_rate", "fixed_fee", "fee", "expenses", "total", "currency", "rate_card_version",
    "method", "choice", "status", "recorded_at", "approved_at", "paid_on", "reference",
    "expected_date", "confirmed_at", "days_to_paid", "days_to_received",
]
LEDGER_COLUMNS = [
    "event_id", "payment_id", "member", "kind", "fee_delta", "expenses_delta", "paid_amount",
    "reference", "paid_on", "expected_date", "actor", "at", "note",
]


class MemberNames:
    """member_id -> what the export shows: a one-off token, or the name when allowed."""

    def __init__(self, session: Session, with_names: bool) -> None:
        self.session, self.with_names = session, with_names
        self.tokens: dict[int, str] = {}

    def __call__(self, member_id: int | None, pseudonym: str | None) -> str:
        if member_id is None:
            return pseudonym or ""
        if self.with_names:
            member = self.session.get(Member, member_id)
            name = member.display_name if member and member.display_name else ""
            return f"{member_id} {name}".strip()
        return self.tokens.setdefault(member_id, f"M-{secrets.token_hex(4)}")


def _filters(filters: Namespace | None) -> tuple[date | None, date | None, str | None, bool]:
    get = lambda name: getattr(filters, name, None) if filters is not None else None  # noqa: E731
    start, end = get("date_from"), get("date_to")
    return (parse_date(start) if start else None, parse_date(end) if end else None,
            get("status"), bool(get("with_names")))


def _states(session: Session, filters: Namespace | None) -> tuple[list[PaymentState], bool]:
    start, end, status, with_names = _filters(filters)
    states = load_all(session, start, end)
    return [s for s in states if not status or s.status == status], with_names


def export_payments(session: Session, filters: Namespace | None = None
                    ) -> tuple[list[str], Iterable[dict[str, Any]]]:
    """One row per payment, with its status, amounts and the days people waited."""
    states, with_names = _states(session, filters)
    names = MemberNames(session, with_names)
    rows = []
    for s in states:
        p, paid = s.payment, s.last("paid")
        rows.append({k: as_text(v) for k, v in {
            "payment_id": s.id, "member": names(p.member_id, p.member_pseudonym),
            "organisation": p.organisation, "activity": p.activity,
            "activity_date": p.activity_date, "hours": p.hours, "hourly_rate": p.hourly_rate,
            "fixed_fee": p.fixed_fee, "fee": s.fee_owed, "expenses": s.expenses_owed,
            "total": s.total_owed, "currency": p.currency,
            "rate_card_version": p.rate_card_version, "method": p.method, "choice": p.choice,
            "status": s.status, "recorded_at": s.at("recorded"), "approved_at": s.at("approved"),
            "paid_on": paid.paid_on if paid else None, "reference": paid.reference if paid
            else p.reference, "expected_date": s.expected_arrival,
            "confirmed_at": s.at("confirmed"), "days_to_paid": days_to_paid(s),
            "days_to_received": days_to_received(s),
        }.items()})
    return PAYMENT_COLUMNS, rows


def export_ledger(session: Session, filters: Namespace | None = None
                  ) -> tuple[list[str], Iterable[dict[str, Any]]]:
    """Every ledger event, oldest first: the audit trail. Notes only with names."""
    states, with_names = _states(session, filters)
    names = MemberNames(session, with_names)
    rows = []
    for s in states:
        member = names(s.payment.member_id, s.payment.member_pseudonym)
        for e in s.events:
            actor = (names(e.actor_member_id, e.actor_pseudonym)
                     if e.actor_kind == "member" else e.actor_kind)
            rows.append({k: as_text(v) for k, v in {
                "event_id": e.id, "payment_id": s.id, "member": member, "kind": e.kind,
                "fee_delta": e.fee_delta, "expenses_delta": e.expenses_delta,
                "paid_amount": e.paid_amount, "reference": e.reference, "paid_on": e.paid_on,
                "expected_date": e.expected_date, "actor": actor, "at": e.created_at,
                "note": e.note if with_names else "",
            }.items()})
    rows.sort(key=lambda r: int(r["event_id"]))
    return LEDGER_COLUMNS, rows
