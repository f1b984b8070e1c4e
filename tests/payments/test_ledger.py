"""The ledger is append-only, nothing is recorded twice, and rate cards are versioned."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from bot.app import BotApp
from bot.payments.ledger import Actor
from bot.payments.service import (
    approve_payment,
    confirm_received,
    correct_payment,
    mark_paid,
    reverse_payment,
)
from bot.storage.payment_models import (
    AppendOnlyError,
    Payment,
    PaymentEvent,
    PaymentExpense,
    PaymentRateCard,
)
from tests.payments.conftest import NOW, approve_and_pay, configure, kinds, record, state_of

FINANCE = Actor(member_id=None, kind="cli")


def test_recorded_payment_totals(app: BotApp, team: dict[str, int]) -> None:
    state = record(app, team["m1"], by=team["coord"])
    assert state.status == "recorded"
    assert (state.fee_owed, state.expenses_owed, state.total_owed) == (
        Decimal("68.75"), Decimal("12.50"), Decimal("81.25"))
    assert state.payment.rate_card_version == "default-1"
    assert state.expenses[0].receipt is True
    assert state.recorded_by == team["coord"]


def test_same_idempotency_key_records_once(app: BotApp, team: dict[str, int]) -> None:
    first = record(app, team["m1"], key="same")
    second = record(app, team["m1"], key="same", hours=Decimal("9"))
    assert first.id == second.id and second.total_owed == Decimal("81.25")
    with Session(app.engine) as s:
        assert len(s.exec(select(Payment)).all()) == 1
        assert len(s.exec(select(PaymentEvent)).all()) == 1


def test_orm_updates_and_deletes_are_refused(app: BotApp, team: dict[str, int]) -> None:
    state = record(app, team["m1"])
    with Session(app.engine) as s:
        event = s.exec(select(PaymentEvent)).one()
        event.fee_delta = Decimal("1000.00")
        s.add(event)
        with pytest.raises(AppendOnlyError):
            s.flush()
        s.rollback()
        with pytest.raises(AppendOnlyError):
            s.delete(s.get(Payment, state.id))
            s.flush()
        s.rollback()
        with pytest.raises(AppendOnlyError):
            s.execute(update(PaymentEvent).values(fee_delta=0))
    assert state_of(app, state.id).total_owed == Decimal("81.25")


@pytest.mark.parametrize("sql", [
    "UPDATE paymentevent SET fee_delta = 0",
    "DELETE FROM paymentevent",
    "UPDATE payment SET member_id = NULL",
    "DELETE FROM paymentexpense",
    "UPDATE paymentratecard SET rates = '{}'",
])
def test_the_database_refuses_changes_from_any_client(
    app: BotApp, team: dict[str, int], sql: str
) -> None:
    state = record(app, team["m1"])
    with app.engine.connect() as conn:
        with pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(sql))
        conn.rollback()
    assert state_of(app, state.id).total_owed == Decimal("81.25")


def test_a_correction_appends_and_the_balance_is_right(app: BotApp, team: dict[str, int]) -> None:
    state = record(app, team["m1"])
    with Session(app.engine, expire_on_commit=False) as s:
        outcome = correct_payment(s, state.id, FINANCE, NOW, fee=Decimal("55.00"),
                                  reason="wrong hours")
        assert outcome.ok and outcome.state is not None
        assert outcome.state.total_owed == Decimal("67.50")
        again = correct_payment(s, state.id, FINANCE, NOW, fee=Decimal("55.00"))
        assert again.reason == "duplicate"
        s.commit()
    after = state_of(app, state.id)
    assert [e.kind for e in after.events] == ["recorded", "corrected"]
    assert after.events[1].fee_delta == Decimal("-13.75")
    assert after.payment.fee_amount == Decimal("68.75"), "the original row is unchanged"


def test_two_reversals_racing_report_one_success(
        app: BotApp, team: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The second tap read the state before the first committed its reversal."""
    import bot.payments.service as service

    state = record(app, team["m1"])
    with Session(app.engine) as s:
        stale = service.load_state(s, state.id)
        assert reverse_payment(s, state.id, FINANCE, "first tap", NOW).ok
        monkeypatch.setattr(service, "load_state", lambda *_: stale)
        assert reverse_payment(s, state.id, FINANCE, "second tap", NOW).reason == "duplicate"
        s.commit()
    monkeypatch.undo()
    assert kinds(app, state.id).count("reversed") == 1


def test_a_reversal_cancels_with_opposite_amounts(app: BotApp, team: dict[str, int]) -> None:
    state = record(app, team["m1"])
    with Session(app.engine) as s:
        assert reverse_payment(s, state.id, FINANCE, "recorded twice", NOW).ok
        assert reverse_payment(s, state.id, FINANCE, "again", NOW).reason == "duplicate"
        assert approve_payment(s, state.id, FINANCE, NOW).reason == "wrong_state"
        s.commit()
    after = state_of(app, state.id)
    assert after.status == "reversed" and after.total_owed == Decimal("0.00")


def test_paid_twice_is_one_event(app: BotApp, team: dict[str, int]) -> None:
    state = record(app, team["m1"])
    approve_and_pay(app, state.id)
    with Session(app.engine) as s:
        again = mark_paid(s, state.id, FINANCE, NOW, reference="X", paid_on=date(2026, 11, 24))
        assert not again.ok and again.reason == "duplicate"
    assert kinds(app, state.id) == ["recorded", "approved", "paid"]
    paid = state_of(app, state.id).last("paid")
    assert paid is not None and paid.paid_amount == Decimal("81.25")
    assert paid.expected_date == date(2026, 11, 27)


def test_roles_and_the_two_person_rule(app: BotApp, team: dict[str, int]) -> None:
    state = record(app, team["m1"], by=team["fin"])
    coordinator = Actor(member_id=team["coord"], roles=frozenset({"coordinator"}))
    same = Actor(member_id=team["fin"], roles=frozenset({"finance"}))
    other = Actor(member_id=team["fin2"], roles=frozenset({"finance"}))
    with Session(app.engine) as s:
        assert approve_payment(s, state.id, coordinator, NOW).reason == "not_allowed"
        assert approve_payment(s, state.id, same, NOW).reason == "same_person"
        assert approve_payment(s, state.id, same, NOW, two_people=False).ok
        s.rollback()
        assert mark_paid(s, state.id, other, NOW, reference="R",
                         paid_on=date(2026, 11, 24)).reason == "wrong_state"
        assert approve_payment(s, state.id, other, NOW).ok
        s.commit()
    assert kinds(app, state.id) == ["recorded", "approved"]
    own = record(app, team["fin2"], key="own", by=team["coord"])
    with Session(app.engine) as s:
        assert approve_payment(s, own.id, other, NOW).reason == "same_person"


def test_only_the_payee_can_confirm(app: BotApp, team: dict[str, int]) -> None:
    state = record(app, team["m1"])
    with Session(app.engine) as s:
        assert confirm_received(s, state.id, team["m1"], NOW).reason == "wrong_state"
    approve_and_pay(app, state.id)
    with Session(app.engine) as s:
        assert confirm_received(s, state.id, team["m2"], NOW).reason == "not_yours"
        assert confirm_received(s, 999, team["m1"], NOW).reason == "not_found"
        assert confirm_received(s, state.id, team["m1"], NOW).ok
        assert confirm_received(s, state.id, team["m1"], NOW).reason == "duplicate"
        s.commit()
    assert kinds(app, state.id)[-1] == "confirmed"


def test_a_payment_keeps_its_rate_card_version(
    app: BotApp, team: dict[str, int], tmp_path: Path
) -> None:
    card = tmp_path / "rates.toml"
    card.write_text('version = "v1"\n[rates]\nmeeting = { hourly = "25.00" }\n', encoding="utf-8")
    configure(app.settings, payments_rate_card_path=str(card))
    old = record(app, team["m1"], key="old")
    card.write_text('version = "v2"\n[rates]\nmeeting = { hourly = "30.00" }\n', encoding="utf-8")
    new = record(app, team["m1"], key="new")
    old, new = state_of(app, old.id), state_of(app, new.id)
    assert (old.payment.rate_card_version, old.payment.hourly_rate, old.fee_owed) == (
        "v1", Decimal("25.00"), Decimal("62.50"))
    assert (new.payment.rate_card_version, new.fee_owed) == ("v2", Decimal("75.00"))
    with Session(app.engine) as s:
        assert len(s.exec(select(PaymentRateCard)).all()) == 2
    card.write_text('version = "v2"\n[rates]\nmeeting = { hourly = "99.00" }\n', encoding="utf-8")
    with pytest.raises(ValueError, match="new version"):
        record(app, team["m1"], key="edited")


def test_declined_fee_is_zero_with_a_reason_and_expenses_still_paid(
    app: BotApp, team: dict[str, int]
) -> None:
    state = record(app, team["m1"], choice="decline")
    assert state.payment.choice_reason == "declined"
    assert (state.fee_owed, state.total_owed) == (Decimal("0.00"), Decimal("12.50"))
    charity = record(app, team["m1"], key="c", choice="charity", method="cash")
    assert charity.payment.method == "to_charity"


def test_expense_rows_are_separate_from_the_fee(app: BotApp, team: dict[str, int]) -> None:
    state = record(app, team["m1"], expenses=[])
    assert state.total_owed == state.fee_owed == Decimal("68.75")
    with Session(app.engine) as s:
        assert s.exec(select(PaymentExpense)).all() == []


def test_a_whole_lifecycle_never_updates_or_deletes_payment_rows(
    app: BotApp, team: dict[str, int]
) -> None:
    import re

    from sqlalchemy import event

    from bot.payments import chase_unconfirmed
    from bot.payments.service import mark_not_arrived

    seen: list[str] = []
    pattern = re.compile(r"^\s*(UPDATE|DELETE\s+FROM)\s+\"?payment", re.IGNORECASE)

    def watch(conn, cursor, statement, params, context, many):  # type: ignore[no-untyped-def]
        if pattern.match(statement):
            seen.append(statement)

    event.listen(app.engine, "before_cursor_execute", watch)
    try:
        state = record(app, team["m1"])
        approve_and_pay(app, state.id)
        with Session(app.engine) as s:
            assert mark_not_arrived(s, state.id, team["m1"], NOW).ok
            s.commit()
        assert chase_unconfirmed(app, NOW + timedelta(days=5)) == 1
        with Session(app.engine) as s:
            assert confirm_received(s, state.id, team["m1"], NOW + timedelta(days=6)).ok
            assert correct_payment(s, state.id, FINANCE, NOW, expenses=Decimal("10.00")).ok
            s.commit()
    finally:
        event.remove(app.engine, "before_cursor_execute", watch)
    assert seen == []
    assert len(kinds(app, state.id)) == 7
