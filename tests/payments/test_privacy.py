"""Erasure keeps the money facts but not the person; six years later they go."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import inspect, text
from sqlmodel import Session, select

from bot.app import BotApp
from bot.payments import pseudonymise_member_payments, purge_old_finance_records
from bot.payments.ledger import Actor
from bot.payments.service import confirm_received, report_problem
from bot.storage.payment_models import Payment, PaymentEvent, PaymentExpense
from tests.payments.conftest import NOW, approve_and_pay, record, state_of

PAYMENT_TABLES = ("payment", "paymentexpense", "paymentevent", "paymentratecard")


def all_payment_values(app: BotApp) -> list[tuple[str, str, object]]:
    found = []
    with app.engine.connect() as conn:
        for table in PAYMENT_TABLES:
            columns = [c["name"] for c in inspect(conn).get_columns(table)]
            for row in conn.execute(text(f"SELECT * FROM {table}")).mappings():  # noqa: S608
                found += [(table, c, row[c]) for c in columns]
    return found


def test_pseudonymise_leaves_no_member_or_platform_id(app: BotApp, team: dict[str, int]) -> None:
    mine = record(app, team["m1"], key="cli:test:m1|meeting")
    other = record(app, team["m2"], key="k2")
    approve_and_pay(app, mine.id)
    with Session(app.engine) as s:
        assert report_problem(s, mine.id, team["m1"], NOW).ok
        s.commit()
    with Session(app.engine) as s:
        assert pseudonymise_member_payments(s, team["m1"]) == 1
        s.commit()
    id_columns = {("payment", "member_id"), ("paymentevent", "actor_member_id")}
    for table, column, value in all_payment_values(app):
        if (table, column) in id_columns:
            assert value != team["m1"], (table, column)
        if isinstance(value, str):
            assert "m1" not in value, (table, column, value)
    after = state_of(app, mine.id)
    assert after.payment.member_id is None and after.payment.member_pseudonym
    assert after.total_owed == Decimal("81.25") and after.status == "problem"
    assert after.payment.activity_date == date(2026, 11, 20)
    actor_pseudonyms = {e.actor_pseudonym for e in after.events if e.actor_pseudonym}
    assert actor_pseudonyms == {after.payment.member_pseudonym}
    assert state_of(app, other.id).payment.member_id == team["m2"]
    with Session(app.engine) as s:  # nothing to link any more: the member cannot confirm
        assert confirm_received(s, mine.id, team["m1"], NOW).reason == "not_yours"


def test_retention_deletes_only_records_older_than_six_years(
    app: BotApp, team: dict[str, int]
) -> None:
    long_ago = datetime(2019, 3, 1, tzinfo=UTC)
    old = record(app, team["m1"], key="old", now=long_ago, activity_date=date(2019, 2, 20),
                 expected_date=None)
    recent_activity = record(app, team["m1"], key="new")
    with Session(app.engine) as s:
        assert purge_old_finance_records(s, NOW) == 1
        s.commit()
    with Session(app.engine) as s:
        assert [p.id for p in s.exec(select(Payment))] == [recent_activity.id]
        assert {e.payment_id for e in s.exec(select(PaymentEvent))} == {recent_activity.id}
        assert {e.payment_id for e in s.exec(select(PaymentExpense))} == {recent_activity.id}
        assert purge_old_finance_records(s, NOW) == 0
    assert old.id != recent_activity.id


def test_a_recent_ledger_event_keeps_an_old_payment(app: BotApp, team: dict[str, int]) -> None:
    old = record(app, team["m1"], key="old", now=datetime(2019, 3, 1, tzinfo=UTC),
                 activity_date=date(2019, 2, 20), expected_date=None)
    with Session(app.engine) as s:
        from bot.payments.service import correct_payment

        assert correct_payment(s, old.id, Actor.cli(), NOW - timedelta(days=400),
                               fee=Decimal("60.00")).ok
        s.commit()
    with Session(app.engine) as s:
        assert purge_old_finance_records(s, NOW) == 0


def test_erasure_feature_pseudonymises_payments(app: BotApp, team: dict[str, int]) -> None:
    from bot.privacy import erase_member

    state = record(app, team["m1"])
    with Session(app.engine) as s:
        erase_member(s, team["m1"], default_language="en", default_timezone="Europe/London",
                     channel="test", version="v1")
        s.commit()
    after = state_of(app, state.id)
    assert after.payment.member_id is None and after.total_owed == Decimal("81.25")
