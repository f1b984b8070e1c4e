"""The payment ledger: appending events once, and reading a payment's state back.

A payment's status and balance are never stored; they are folded from its
events every time, so the ledger is the single source of truth and the audit
trail (who did what, when) at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from bot.i18n import N_
from bot.storage.payment_models import Payment, PaymentEvent, PaymentExpense

ZERO = Decimal("0.00")

# Events that move a payment to a new status; the others are notes on the way.
STATUS_AFTER = {
    "recorded": "recorded",
    "approved": "approved",
    "paid": "paid",
    "confirmed": "confirmed",
    "problem_reported": "problem",
    "reversed": "reversed",
}
STATUS_LABELS = {
    "recorded": N_("Waiting for approval"),
    "approved": N_("Approved, waiting to be paid"),
    "paid": N_("Paid, waiting for you to say it arrived"),
    "confirmed": N_("Arrived"),
    "problem": N_("Problem reported, the finance team is looking"),
    "reversed": N_("Cancelled"),
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a member (checked against roles), a CLI operator, or the system."""

    kind: str = "member"
    member_id: int | None = None
    roles: frozenset[str] = frozenset()

    @classmethod
    def cli(cls) -> Actor:
        return cls(kind="cli")

    @classmethod
    def system(cls) -> Actor:
        return cls(kind="system")

    def has_role(self, *roles: str) -> bool:
        """Operators at the server are trusted; members need the role (admin has all)."""
        if self.kind != "member":
            return True
        return "admin" in self.roles or any(role in self.roles for role in roles)


@dataclass
class PaymentState:
    """A payment plus everything its events say about it."""

    payment: Payment
    events: list[PaymentEvent]
    expenses: list[PaymentExpense] = field(default_factory=list)
    status: str = "recorded"
    fee_owed: Decimal = ZERO
    expenses_owed: Decimal = ZERO
    paid_amount: Decimal = ZERO

    @property
    def id(self) -> int:
        assert self.payment.id is not None
        return self.payment.id

    @property
    def total_owed(self) -> Decimal:
        return self.fee_owed + self.expenses_owed

    def first(self, kind: str) -> PaymentEvent | None:
        return next((e for e in self.events if e.kind == kind), None)

    def last(self, kind: str) -> PaymentEvent | None:
        return next((e for e in reversed(self.events) if e.kind == kind), None)

    @property
    def recorded_by(self) -> int | None:
        event = self.first("recorded")
        return event.actor_member_id if event else None

    @property
    def expected_arrival(self) -> date | None:
        paid = self.last("paid")
        if paid is not None and paid.expected_date is not None:
            return paid.expected_date
        return self.payment.expected_date

    def at(self, kind: str) -> datetime | None:
        event = self.last(kind)
        return event.created_at if event else None


def fold(payment: Payment, events: Iterable[PaymentEvent],
         expenses: Iterable[PaymentExpense] = ()) -> PaymentState:
    ordered = sorted(events, key=lambda e: e.id or 0)
    state = PaymentState(payment, ordered, list(expenses))
    for event in ordered:
        state.fee_owed += event.fee_delta or ZERO
        state.expenses_owed += event.expenses_delta or ZERO
        state.paid_amount += event.paid_amount or ZERO
        state.status = STATUS_AFTER.get(event.kind, state.status)
    return state


def load_states(session: Session, payments: list[Payment]) -> list[PaymentState]:
    """States for many payments in two queries, in the order given."""
    ids = [p.id for p in payments if p.id is not None]
    if not ids:
        return []
    events: dict[int, list[PaymentEvent]] = defaultdict(list)
    for event in session.exec(select(PaymentEvent).where(col(PaymentEvent.payment_id).in_(ids))):
        events[event.payment_id].append(event)
    expenses: dict[int, list[PaymentExpense]] = defaultdict(list)
    query = select(PaymentExpense).where(col(PaymentExpense.payment_id).in_(ids))
    for item in session.exec(query.order_by(col(PaymentExpense.id))):
        expenses[item.payment_id].append(item)
    return [fold(p, events[p.id], expenses[p.id]) for p in payments if p.id is not None]


def load_state(session: Session, payment_id: int) -> PaymentState | None:
    payment = session.get(Payment, payment_id)
    if payment is None:
        return None
    return load_states(session, [payment])[0]


def insert_once(session: Session, row: SQLModel) -> bool:
    """Insert a row with a unique key; False if a racing transaction got there first.

    PostgreSQL uses a savepoint so the caller's transaction survives the
    clash. SQLite has one writer at a time, so the check before the insert
    already settles it (a clash there fails the whole transaction instead).
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        session.add(row)
        session.flush()
        return True
    try:
        with session.begin_nested():
            session.add(row)
        return True
    except IntegrityError:
        return False


def append_event(
    session: Session,
    payment_id: int,
    kind: str,
    key: str,
    actor: Actor,
    now: datetime,
    **fields: Any,
) -> PaymentEvent | None:
    """Append one event; None when an event with this idempotency key exists."""
    found = session.exec(select(PaymentEvent.id).where(PaymentEvent.idempotency_key == key))
    if found.first() is not None:
        return None
    event = PaymentEvent(
        payment_id=payment_id, kind=kind, idempotency_key=key[:128], actor_kind=actor.kind,
        actor_member_id=actor.member_id if actor.kind == "member" else None,
        created_at=now, **fields,
    )
    return event if insert_once(session, event) else None
