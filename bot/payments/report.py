"""The figures staff need: what is waiting, and how many days people wait for money.

The key figure is days from the activity to the money arriving (the member's
"Yes, it's arrived"). Medians hide the long tail, so the 90th percentile
(nearest rank: the value 90% of payments are at or under) is shown too.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from bot.core.quiet import zone
from bot.i18n import Translator
from bot.payments.ledger import PaymentState, load_states
from bot.storage.payment_models import Payment


@dataclass(frozen=True)
class DayStats:
    count: int
    median: float | None
    p90: int | None


@dataclass(frozen=True)
class Summary:
    waiting_approval: int
    waiting_payment: int
    waiting_confirmation: int
    problems: int
    to_paid: DayStats
    to_received: DayStats


def nearest_rank(values: list[int], pct: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(pct / 100 * len(ordered)), 1) - 1]


def day_stats(values: list[int]) -> DayStats:
    if not values:
        return DayStats(0, None, None)
    return DayStats(len(values), float(statistics.median(values)), nearest_rank(values, 90))


def load_all(session: Session, date_from: date | None = None,
             date_to: date | None = None) -> list[PaymentState]:
    query = select(Payment).order_by(col(Payment.id))
    if date_from is not None:
        query = query.where(col(Payment.activity_date) >= date_from)
    if date_to is not None:
        query = query.where(col(Payment.activity_date) <= date_to)
    return load_states(session, list(session.exec(query)))


def days_to_paid(state: PaymentState) -> int | None:
    paid = state.last("paid")
    if paid is None or paid.paid_on is None or state.status == "reversed":
        return None
    return (paid.paid_on - state.payment.activity_date).days


def days_to_received(state: PaymentState, timezone: str = "Europe/London") -> int | None:
    """Activity date to the day (in the organisation's time zone) the member said yes."""
    confirmed = state.last("confirmed")
    if confirmed is None or state.status == "reversed":
        return None
    return (confirmed.created_at.astimezone(zone(timezone)).date()
            - state.payment.activity_date).days


def summarise(states: list[PaymentState], timezone: str = "Europe/London") -> Summary:
    count = lambda status: sum(1 for s in states if s.status == status)  # noqa: E731
    paid = [d for d in (days_to_paid(s) for s in states) if d is not None]
    received = [d for d in (days_to_received(s, timezone) for s in states) if d is not None]
    return Summary(count("recorded"), count("approved"), count("paid"), count("problem"),
                   day_stats(paid), day_stats(received))


def _days(t: Translator, value: float | None) -> str:
    return "-" if value is None else t.number(Decimal(str(value)).normalize())


def summary_lines(t: Translator, summary: Summary) -> list[str]:
    _ = t.gettext
    lines = [
        _("Waiting for approval: {n}").format(n=summary.waiting_approval),
        _("Waiting to be paid: {n}").format(n=summary.waiting_payment),
        _("Waiting for the member to say it arrived: {n}").format(
            n=summary.waiting_confirmation),
        _("Problems reported: {n}").format(n=summary.problems),
    ]
    for label, stats in ((_("Days from activity to payment"), summary.to_paid),
                         (_("Days from activity to money received"), summary.to_received)):
        lines.append(_("{label}: median {median}, 90th percentile {p90} ({count} payments)")
                     .format(label=label, median=_days(t, stats.median),
                             p90=_days(t, stats.p90), count=stats.count))
    return lines


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def tax_year_start(day: date) -> date:
    """UK tax years run from 6 April to 5 April."""
    year = day.year if (day.month, day.day) >= (4, 6) else day.year - 1
    return date(year, 4, 6)


def fee_totals(states: list[PaymentState], today: date
               ) -> tuple[date, Decimal, list[tuple[date, Decimal]]]:
    """Fees paid (by paid date) this tax year, in total and per month. Expenses are
    left out: they are not income."""
    start = tax_year_start(today)
    months: dict[date, Decimal] = {}
    for state in states:
        paid = state.last("paid")
        if paid is None or paid.paid_on is None or state.status == "reversed":
            continue
        if start <= paid.paid_on <= today:
            month = paid.paid_on.replace(day=1)
            months[month] = months.get(month, Decimal("0.00")) + state.fee_owed
    total = sum(months.values(), Decimal("0.00"))
    return start, total, sorted(months.items())
