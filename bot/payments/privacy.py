"""Erasure and retention for finance records.

Finance records must be kept for six years, even after a member asks to be
erased. So erasure keeps the amounts and dates but cuts the link to the
person: their member id becomes a random pseudonym (not a hash, which could be
reversed by trying every id), and their free-text notes go. After six years
the records are deleted. These are the only changes the ledger ever allows.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, func, select

from bot.storage.models import utcnow
from bot.storage.payment_models import (
    Payment,
    PaymentEvent,
    PaymentExpense,
    ledger_maintenance,
)

RETENTION_YEARS = 6


def new_pseudonym() -> str:
    return f"anon-{secrets.token_hex(8)}"


def pseudonymise_member_payments(session: Session, member_id: int) -> int:
    """Drop the link between a member and their payments; returns payments changed.

    Runs in the caller's transaction (the erasure feature commits). The same
    random pseudonym is used on all of this member's rows, so totals per
    person still add up, but nothing leads back to who they were.
    """
    pseudonym = new_pseudonym()
    payments = list(session.exec(select(Payment).where(Payment.member_id == member_id)))
    payment_ids = [p.id for p in payments if p.id is not None]
    acted = list(session.exec(select(PaymentEvent).where(
        PaymentEvent.actor_member_id == member_id)))
    on_theirs = list(session.exec(select(PaymentEvent).where(
        col(PaymentEvent.payment_id).in_(payment_ids)))) if payment_ids else []
    if not payments and not acted:
        return 0
    with ledger_maintenance(session, "pseudonymise"):
        for payment in payments:
            payment.member_id = None
            payment.member_pseudonym = pseudonym
            # A caller-chosen key may embed a platform id; it has done its job.
            payment.idempotency_key = f"erased:{secrets.token_hex(12)}"
            session.add(payment)
        for event in {e.id: e for e in [*acted, *on_theirs]}.values():
            if event.actor_member_id == member_id:
                event.actor_member_id = None
                event.actor_pseudonym = pseudonym
            event.note = None  # their words, or words about them
            session.add(event)
    return len(payments)


def retention_cutoff(now: datetime, years: int = RETENTION_YEARS) -> date:
    today = now.date()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def purge_old_finance_records(session: Session, now: datetime | None = None,
                              years: int = RETENTION_YEARS) -> int:
    """Delete payments whose last activity is more than `years` old; returns how many.

    "Last activity" is the later of the activity date and the newest ledger
    event, so a payment corrected last year is kept six years from then.
    """
    cutoff = retention_cutoff(now or utcnow(), years)
    cutoff_at = datetime.combine(cutoff, time(), tzinfo=UTC)
    latest = (select(PaymentEvent.payment_id, func.max(PaymentEvent.created_at).label("last"))
              .group_by(col(PaymentEvent.payment_id)).subquery())
    query = (select(Payment.id).join(latest, latest.c.payment_id == Payment.id, isouter=True)
             .where(col(Payment.activity_date) < cutoff)
             .where((latest.c.last.is_(None)) | (latest.c.last < cutoff_at)))
    ids = [i for i in session.exec(query).all() if i is not None]
    if not ids:
        return 0
    with ledger_maintenance(session, "retention"):
        for event in session.exec(select(PaymentEvent).where(
                col(PaymentEvent.payment_id).in_(ids))).all():
            session.delete(event)
        for item in session.exec(select(PaymentExpense).where(
                col(PaymentExpense.payment_id).in_(ids))).all():
            session.delete(item)
        session.flush()
        for payment in session.exec(select(Payment).where(col(Payment.id).in_(ids))).all():
            session.delete(payment)
    return len(ids)
