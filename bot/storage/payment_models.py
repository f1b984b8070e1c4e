"""Payment tables: rate cards, payments, expense items and the append-only ledger.

Payments are money, so these rows are facts that never change. A correction
is a new ledger event, never an UPDATE. Two guards enforce it: the ORM refuses
updates and deletes here, and database triggers (see migration 0004) refuse
them for any other client. The only exceptions are erasure (pseudonymise) and
retention (delete after six years), which run inside `ledger_maintenance()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, event
from sqlalchemy.orm import Mapper, ORMExecuteState, object_session
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, delete

from bot.storage.models import utcnow

MAINTENANCE_FLAG = "payment_ledger_maintenance"


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove a payment record."""


class PaymentRateCard(SQLModel, table=True):
    """One version of an organisation's rates, kept so old payments stay explained."""

    __table_args__ = (
        UniqueConstraint("organisation", "version", name="uq_paymentratecard_org_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation: str = Field(max_length=200)
    version: str = Field(max_length=32)
    currency: str = Field(default="GBP", max_length=3)
    # {"meeting": {"hourly": "27.50"}, "review": {"fixed": "40.00"}}
    rates: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Payment(SQLModel, table=True):
    """What was agreed when the payment was recorded. Its progress is in the ledger."""

    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_payment_idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=128)
    organisation: str = Field(max_length=200)
    # After erasure member_id is NULL and member_pseudonym holds a random id.
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    member_pseudonym: str | None = Field(default=None, max_length=64)
    activity: str = Field(max_length=32)
    activity_date: date
    hours: Decimal | None = Field(default=None, max_digits=6, decimal_places=2)
    hourly_rate: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    fixed_fee: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    fee_full: Decimal = Field(max_digits=12, decimal_places=2)
    fee_amount: Decimal = Field(max_digits=12, decimal_places=2)
    # accept | accept_part | charity | decline
    choice: str = Field(default="accept", max_length=16)
    choice_reason: str | None = Field(default=None, max_length=32)
    expenses_total: Decimal = Field(default=Decimal("0.00"), max_digits=12, decimal_places=2)
    currency: str = Field(default="GBP", max_length=3)
    rate_card_version: str = Field(max_length=32)
    # bank_transfer | cash | voucher | to_charity
    method: str = Field(max_length=32)
    expected_date: date | None = None
    reference: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class PaymentExpense(SQLModel, table=True):
    """One expense paid back with a payment. Expenses are not income."""

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    # travel | childcare | replacement_care | food | phone_data | other
    category: str = Field(max_length=32)
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    receipt: bool = False


class PaymentEvent(SQLModel, table=True):
    """One step in a payment's life. Rows are only ever added.

    kind: recorded, approved, paid, confirmed, not_arrived, chased,
    problem_reported, note, reversed, corrected. The money owed is the sum of
    `fee_delta + expenses_delta`; a reversal or correction adds negative deltas.
    """

    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_paymentevent_key"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    kind: str = Field(max_length=32)
    idempotency_key: str = Field(max_length=128)
    fee_delta: Decimal = Field(default=Decimal("0.00"), max_digits=12, decimal_places=2)
    expenses_delta: Decimal = Field(default=Decimal("0.00"), max_digits=12, decimal_places=2)
    paid_amount: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    reference: str | None = Field(default=None, max_length=64)
    paid_on: date | None = None
    expected_date: date | None = None
    note: str | None = Field(default=None, max_length=500)
    # Who did it: member (actor_member_id), cli (a server operator) or system.
    actor_kind: str = Field(default="member", max_length=16)
    actor_member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    actor_pseudonym: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class PaymentLedgerUnlock(SQLModel, table=True):
    """A row here, inside one transaction only, lets erasure and retention through
    the triggers. It is deleted before commit, so no other transaction sees it."""

    id: int | None = Field(default=None, primary_key=True)
    reason: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


GUARDED: tuple[type[SQLModel], ...] = (PaymentRateCard, Payment, PaymentExpense, PaymentEvent)


@contextmanager
def ledger_maintenance(session: Session, reason: str) -> Iterator[None]:
    """Allow updates and deletes of payment rows for erasure or retention only."""
    unlock = PaymentLedgerUnlock(reason=reason[:32])
    session.add(unlock)
    session.flush()
    session.info[MAINTENANCE_FLAG] = True
    try:
        yield
        session.flush()
    finally:
        session.info.pop(MAINTENANCE_FLAG, None)
    session.execute(delete(PaymentLedgerUnlock).where(PaymentLedgerUnlock.id == unlock.id))  # type: ignore[arg-type]
    session.expunge(unlock)


def _refuse_change(mapper: Mapper[Any], connection: Any, target: Any) -> None:
    session = object_session(target)
    if session is None or not session.info.get(MAINTENANCE_FLAG):
        raise AppendOnlyError(f"{mapper.class_.__name__} rows are append-only")


for _model in GUARDED:
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)


@event.listens_for(OrmSession, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """Bulk `update()`/`delete()` statements skip the mapper events; stop them here."""
    if not (state.is_update or state.is_delete) or state.session.info.get(MAINTENANCE_FLAG):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ in GUARDED:
        raise AppendOnlyError(f"{mapper.class_.__name__} rows are append-only")
