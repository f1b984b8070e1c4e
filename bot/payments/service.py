"""Recording a payment and moving it along: approve, paid, confirmed, problems.

Every step checks who is acting and what state the payment is in, then
appends one ledger event with an idempotency key, so a double tap, a replayed
update or a repeated CLI command has exactly one effect. Callers get an
`Outcome` and decide what to say; nothing here sends messages.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from bot.payments.calc import METHODS, ExpenseItem, compute_fee, total_expenses
from bot.payments.ledger import (
    ZERO,
    Actor,
    PaymentState,
    append_event,
    insert_once,
    load_state,
)
from bot.payments.ratecard import ACTIVITIES, RateCard, store_rate_card
from bot.storage.models import Member
from bot.storage.payment_models import Payment, PaymentExpense

FINANCE = ("finance",)
RECORDERS = ("coordinator", "finance")


@dataclass(frozen=True)
class Outcome:
    """ok, or why not: duplicate, not_found, not_yours, not_allowed, same_person,
    wrong_state. `state` is the payment after the step (when it exists)."""

    ok: bool
    reason: str = "done"
    state: PaymentState | None = None


@dataclass
class PaymentDraft:
    member_id: int
    activity: str
    activity_date: date
    hours: Decimal | None = None
    fixed_fee: Decimal | None = None
    expenses: list[ExpenseItem] = field(default_factory=list)
    choice: str = "accept"
    part: Decimal | None = None
    method: str = "bank_transfer"
    expected_date: date | None = None
    reference: str | None = None


def find_by_key(session: Session, key: str) -> Payment | None:
    return session.exec(select(Payment).where(Payment.idempotency_key == key)).first()


def record_payment(
    session: Session, draft: PaymentDraft, card: RateCard, actor: Actor, key: str,
    now: datetime,
) -> tuple[PaymentState, bool]:
    """Record once per idempotency key; returns (state, created)."""
    if not actor.has_role(*RECORDERS):
        raise PermissionError("only coordinators and finance can record payments")
    existing = find_by_key(session, key)
    if existing is not None and existing.id is not None:
        state = load_state(session, existing.id)
        assert state is not None
        return state, False
    _validate(session, draft, now)
    store_rate_card(session, card)
    fee = compute_fee(card.rate(draft.activity), draft.hours, fixed_fee=draft.fixed_fee,
                      choice=draft.choice, part=draft.part)
    expenses = total_expenses(draft.expenses)
    payment = Payment(
        idempotency_key=key[:128], organisation=card.organisation, member_id=draft.member_id,
        activity=draft.activity, activity_date=draft.activity_date, hours=fee.hours,
        hourly_rate=fee.hourly_rate, fixed_fee=fee.fixed_fee, fee_full=fee.full,
        fee_amount=fee.taken, choice=fee.choice, choice_reason=fee.reason,
        expenses_total=expenses, currency=card.currency, rate_card_version=card.version,
        method="to_charity" if draft.choice == "charity" else draft.method,
        expected_date=draft.expected_date, reference=draft.reference, created_at=now,
    )
    if not insert_once(session, payment):
        return record_payment(session, draft, card, actor, key, now)
    assert payment.id is not None
    for item in draft.expenses:
        session.add(PaymentExpense(payment_id=payment.id, category=item.category,
                                   amount=item.amount, receipt=item.receipt))
    append_event(session, payment.id, "recorded", f"p{payment.id}:recorded", actor, now,
                 fee_delta=fee.taken, expenses_delta=expenses, reference=draft.reference,
                 expected_date=draft.expected_date)
    state = load_state(session, payment.id)
    assert state is not None
    return state, True


def _validate(session: Session, draft: PaymentDraft, now: datetime) -> None:
    member = session.get(Member, draft.member_id)
    if member is None or member.status in ("erased", "left"):
        raise LookupError("no such member")
    if draft.activity not in ACTIVITIES:
        raise ValueError(f"activity must be one of {', '.join(ACTIVITIES)}")
    if draft.activity_date > now.date() + timedelta(days=1):
        raise ValueError("the activity date is in the future")
    if draft.method not in METHODS and draft.choice != "charity":
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if draft.expected_date is not None and draft.expected_date < draft.activity_date:
        raise ValueError("the expected date is before the activity")
    if draft.reference is not None and len(draft.reference) > 64:
        raise ValueError("the reference is too long (64 characters at most)")


def _finance_step(state: PaymentState | None, actor: Actor, done_kind: str,
                  needs: str) -> Outcome | None:
    """Shared checks for approve and paid; None means go ahead."""
    if state is None:
        return Outcome(False, "not_found")
    if not actor.has_role(*FINANCE):
        return Outcome(False, "not_allowed", state)
    if state.first(done_kind) is not None:
        return Outcome(False, "duplicate", state)
    if state.status != needs:
        return Outcome(False, "wrong_state", state)
    return None


def approve_payment(session: Session, payment_id: int, actor: Actor, now: datetime,
                    *, two_people: bool = True) -> Outcome:
    state = load_state(session, payment_id)
    refused = _finance_step(state, actor, "approved", "recorded")
    if refused is not None:
        return refused
    assert state is not None
    if two_people and actor.member_id is not None and actor.member_id in (
        state.recorded_by, state.payment.member_id
    ):
        return Outcome(False, "same_person", state)
    if append_event(session, payment_id, "approved", f"p{payment_id}:approved", actor,
                    now) is None:
        return Outcome(False, "duplicate", state)
    return Outcome(True, state=load_state(session, payment_id))


def mark_paid(session: Session, payment_id: int, actor: Actor, now: datetime, *,
              reference: str, paid_on: date, expected: date | None = None,
              arrival_days: int = 3, two_people: bool = True) -> Outcome:
    """Record that the money went out; the expected arrival date comes from here."""
    reference = reference.strip()
    if not reference or len(reference) > 64:
        raise ValueError("give a payment reference (64 characters at most)")
    state = load_state(session, payment_id)
    refused = _finance_step(state, actor, "paid", "approved")
    if refused is not None:
        return refused
    assert state is not None
    if two_people and actor.member_id is not None and actor.member_id == state.payment.member_id:
        return Outcome(False, "same_person", state)
    if expected is None:
        planned = state.payment.expected_date
        expected = planned if planned and planned >= paid_on else paid_on + timedelta(
            days=arrival_days)
    if append_event(session, payment_id, "paid", f"p{payment_id}:paid", actor, now,
                    paid_amount=state.total_owed, reference=reference, paid_on=paid_on,
                    expected_date=expected) is None:
        return Outcome(False, "duplicate", state)
    return Outcome(True, state=load_state(session, payment_id))


def _member_step(session: Session, payment_id: int, member_id: int, kind: str, key: str,
                 allowed: tuple[str, ...], now: datetime, note: str | None = None) -> Outcome:
    """A member's own answer about their own payment; anyone else's changes nothing."""
    state = load_state(session, payment_id)
    if state is None:
        return Outcome(False, "not_found")
    if state.payment.member_id != member_id:
        return Outcome(False, "not_yours")
    if state.status not in allowed:
        done = state.status == "confirmed" and kind == "confirmed"
        return Outcome(False, "duplicate" if done else "wrong_state", state)
    actor = Actor(member_id=member_id)
    if append_event(session, payment_id, kind, key, actor, now, note=note) is None:
        return Outcome(False, "duplicate", state)
    return Outcome(True, state=load_state(session, payment_id))


def confirm_received(session: Session, payment_id: int, member_id: int,
                     now: datetime) -> Outcome:
    return _member_step(session, payment_id, member_id, "confirmed",
                        f"p{payment_id}:confirmed", ("paid", "problem"), now)


def mark_not_arrived(session: Session, payment_id: int, member_id: int,
                     now: datetime) -> Outcome:
    """Once before the reminder and once after it; a double tap counts once."""
    state = load_state(session, payment_id)
    round_ = 1 if state is not None and state.first("chased") else 0
    return _member_step(session, payment_id, member_id, "not_arrived",
                        f"p{payment_id}:not_arrived:{round_}", ("paid",), now)


def report_problem(session: Session, payment_id: int, member_id: int,
                   now: datetime) -> Outcome:
    state = load_state(session, payment_id)
    if state is not None and state.status == "problem" and state.payment.member_id == member_id:
        return Outcome(False, "duplicate", state)
    return _member_step(session, payment_id, member_id, "problem_reported",
                        f"p{payment_id}:problem", ("paid",), now)


def add_problem_note(session: Session, payment_id: int, member_id: int, note: str,
                     source: str, now: datetime) -> Outcome:
    """The member's own words about the problem, kept with the payment for finance."""
    return _member_step(session, payment_id, member_id, "note",
                        f"p{payment_id}:note:{source}", ("problem",), now, note=note[:500])


def record_chase(session: Session, payment_id: int, now: datetime) -> bool:
    """At most one reminder per payment, ever: the key makes a second one impossible."""
    return append_event(session, payment_id, "chased", f"p{payment_id}:chased",
                        Actor.system(), now) is not None


def reverse_payment(session: Session, payment_id: int, actor: Actor, reason: str,
                    now: datetime) -> Outcome:
    """Cancel a payment by appending the exact opposite of what is owed."""
    state = load_state(session, payment_id)
    if state is None:
        return Outcome(False, "not_found")
    if not actor.has_role(*FINANCE):
        return Outcome(False, "not_allowed", state)
    if state.status == "reversed":
        return Outcome(False, "duplicate", state)
    if append_event(session, payment_id, "reversed", f"p{payment_id}:reversed", actor, now,
                    fee_delta=-state.fee_owed, expenses_delta=-state.expenses_owed,
                    note=reason[:500] or None) is None:  # another tap got there first
        return Outcome(False, "duplicate", state)
    return Outcome(True, state=load_state(session, payment_id))


def correct_payment(session: Session, payment_id: int, actor: Actor, now: datetime, *,
                    fee: Decimal | None = None, expenses: Decimal | None = None,
                    reason: str = "", key: str | None = None) -> Outcome:
    """Set the amounts owed by appending the difference; the original row stays."""
    state = load_state(session, payment_id)
    if state is None:
        return Outcome(False, "not_found")
    if not actor.has_role(*FINANCE):
        return Outcome(False, "not_allowed", state)
    if state.status == "reversed":
        return Outcome(False, "wrong_state", state)
    fee_delta = (fee - state.fee_owed) if fee is not None else ZERO
    expenses_delta = (expenses - state.expenses_owed) if expenses is not None else ZERO
    if fee_delta == ZERO and expenses_delta == ZERO:
        return Outcome(False, "duplicate", state)
    key = key or f"p{payment_id}:corrected:{uuid.uuid4().hex}"
    if append_event(session, payment_id, "corrected", key, actor, now, fee_delta=fee_delta,
                    expenses_delta=expenses_delta, note=reason[:500] or None) is None:
        return Outcome(False, "duplicate", state)
    return Outcome(True, state=load_state(session, payment_id))
