"""Money arithmetic with `Decimal` only, and parsing of what people type.

Floats cannot hold 0.10 exactly; a payment that is a penny out erodes trust,
so every amount here is a `Decimal` rounded half-up to whole pence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.i18n import N_
from bot.payments.ratecard import Rate

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("100000.00")
MAX_HOURS = Decimal("100")
CHOICES = ("accept", "accept_part", "charity", "decline")
METHODS = ("bank_transfer", "cash", "voucher", "to_charity")
METHOD_LABELS = {
    "bank_transfer": N_("bank transfer"),
    "cash": N_("cash"),
    "voucher": N_("voucher"),
    "to_charity": N_("paid to a charity"),
}
EXPENSE_CATEGORIES = ("travel", "childcare", "replacement_care", "food", "phone_data", "other")
EXPENSE_LABELS = {
    "travel": N_("Travel"),
    "childcare": N_("Childcare"),
    "replacement_care": N_("Replacement care"),
    "food": N_("Food"),
    "phone_data": N_("Phone or data"),
    "other": N_("Other costs"),
}


def pence(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ExpenseItem:
    category: str
    amount: Decimal
    receipt: bool = False


@dataclass(frozen=True)
class Fee:
    """The fee as the rate card says (`full`) and as the member chose (`taken`)."""

    hours: Decimal | None
    hourly_rate: Decimal | None
    fixed_fee: Decimal | None
    full: Decimal
    taken: Decimal
    choice: str
    reason: str | None


def compute_fee(
    rate: Rate,
    hours: Decimal | None,
    *,
    fixed_fee: Decimal | None = None,
    choice: str = "accept",
    part: Decimal | None = None,
) -> Fee:
    """Hours x rate (or a fixed fee), then the member's choice.

    Decline is recorded as 0.00 with the reason "declined"; a charity
    choice keeps the full fee (it is paid to the charity).
    """
    if choice not in CHOICES:
        raise ValueError(f"choice must be one of {', '.join(CHOICES)}")
    fixed = fixed_fee if fixed_fee is not None else rate.fixed
    if fixed is not None:
        full, hourly = pence(fixed), None
    else:
        if hours is None or hours <= 0:
            raise ValueError("give the hours worked, for example 2.5")
        assert rate.hourly is not None
        full, hourly = pence(hours * rate.hourly), rate.hourly
    taken, reason = full, None
    if choice == "decline":
        taken, reason = Decimal("0.00"), "declined"
    elif choice == "accept_part":
        if part is None or part < 0 or part > full:
            raise ValueError("the part taken must be between 0 and the full fee")
        taken = pence(part)
    return Fee(hours, hourly, pence(fixed) if fixed is not None else None, full, taken,
               choice, reason)


def total_expenses(items: list[ExpenseItem]) -> Decimal:
    return pence(sum((item.amount for item in items), Decimal("0")))


def parse_amount(text: str) -> Decimal:
    """'12.50', '£12.50' or '12' -> Decimal('12.50'); refuses negatives and part pennies."""
    cleaned = text.strip().replace("£", "").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError("not an amount") from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT or amount != pence(amount):
        raise ValueError("not an amount")
    return pence(amount)


def parse_hours(text: str) -> Decimal:
    """'2.5', '2,5' or '1.25' -> hours; at most two decimal places."""
    try:
        hours = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError("not a number of hours") from exc
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS or hours != pence(hours):
        raise ValueError("not a number of hours")
    return hours


def parse_expense(spec: str) -> ExpenseItem:
    """CLI form `category:amount[:receipt|:no_receipt]`, e.g. travel:12.50:receipt."""
    parts = spec.split(":")
    if len(parts) not in (2, 3) or parts[0] not in EXPENSE_CATEGORIES:
        raise ValueError(f"expense must be CATEGORY:AMOUNT[:receipt], category one of "
                         f"{', '.join(EXPENSE_CATEGORIES)}")
    receipt = len(parts) == 3 and parts[2] in ("receipt", "yes", "y")
    return ExpenseItem(parts[0], parse_amount(parts[1]), receipt)


def parse_choice(spec: str) -> tuple[str, Decimal | None]:
    """accept | accept_part:20.00 | charity | decline."""
    name, _, amount = spec.partition(":")
    if name not in CHOICES or (name == "accept_part") != bool(amount):
        raise ValueError("choice must be accept, accept_part:AMOUNT, charity or decline")
    return name, parse_amount(amount) if amount else None


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date(text: str) -> date:
    """ISO (2026-11-20) or UK order (20/11/2026)."""
    value = re.sub(r"\s+", "", text)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError("not a date; use YYYY-MM-DD")
