"""One reminder after the expected date, never in quiet hours, then silence."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.payments import chase_unconfirmed, chaser
from bot.payments.report import days_to_paid, days_to_received, summarise
from bot.payments.service import mark_not_arrived
from bot.storage.models import Member
from bot.storage.payment_models import Payment
from tests.harness import ChatHarness
from tests.payments.conftest import (
    NOW,
    add_member,
    approve_and_pay,
    kinds,
    outbox_for,
    record,
    state_of,
)


def paid_payment(app: BotApp, member_id: int) -> int:
    """Activity 20 Nov, paid 24 Nov, expected 27 Nov 2026."""
    state = record(app, member_id)
    approve_and_pay(app, state.id)
    return state.id


def test_one_reminder_five_days_after_the_expected_date(app: BotApp, team: dict[str, int]) -> None:
    payment_id = paid_payment(app, team["m1"])
    before = len(outbox_for(app, team["m1"]))
    assert chase_unconfirmed(app, datetime(2026, 12, 1, 23, 0, tzinfo=UTC)) == 0
    assert chase_unconfirmed(app, datetime(2026, 12, 2, 0, 0, tzinfo=UTC)) == 1
    assert chase_unconfirmed(app, datetime(2026, 12, 2, 0, 5, tzinfo=UTC)) == 0
    assert chase_unconfirmed(app, datetime(2027, 1, 30, tzinfo=UTC)) == 0
    assert kinds(app, payment_id).count("chased") == 1
    rows = outbox_for(app, team["m1"])[before:]
    assert len(rows) == 1 and "Has it arrived?" in rows[0].payload["text"]
    assert "£81.25" in rows[0].payload["text"]


def test_the_reminder_waits_for_quiet_hours_to_end(app: BotApp, team: dict[str, int]) -> None:
    night_owl = add_member(app, "owl", quiet=("21:00", "08:00"))
    payment_id = paid_payment(app, night_owl)
    late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)  # 23:30 in London
    assert chase_unconfirmed(app, late) == 1
    row = outbox_for(app, night_owl)[-1]
    assert row.not_before == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    assert kinds(app, payment_id).count("chased") == 1


def test_no_reminder_for_a_member_who_said_stop(app: BotApp, team: dict[str, int]) -> None:
    payment_id = paid_payment(app, team["m2"])
    with Session(app.engine) as s:
        member = s.get(Member, team["m2"])
        assert member is not None
        member.status = "stopped"
        s.add(member)
        s.commit()
    before = len(outbox_for(app, team["m2"]))
    assert chase_unconfirmed(app, datetime(2026, 12, 5, 12, tzinfo=UTC)) == 0
    assert len(outbox_for(app, team["m2"])) == before
    assert "chased" not in kinds(app, payment_id)


def test_not_yet_brings_the_reminder_three_days_later(app: BotApp, team: dict[str, int]) -> None:
    payment_id = paid_payment(app, team["m1"])
    with Session(app.engine) as s:
        assert mark_not_arrived(s, payment_id, team["m1"], NOW).ok  # 25 Nov, 12:00
        s.commit()
    assert chase_unconfirmed(app, NOW + timedelta(days=3, minutes=-1)) == 0
    assert chase_unconfirmed(app, NOW + timedelta(days=3)) == 1
    assert chase_unconfirmed(app, NOW + timedelta(days=9)) == 0


def test_full_lifecycle_in_chat(chat: ChatHarness, team: dict[str, int]) -> None:
    """record -> approve -> paid -> Not yet -> reminder -> It's arrived; days to paid."""
    today = datetime.now(UTC).date()
    activity = today - timedelta(days=6)
    chat.say("/record_payment", user="coord")
    chat.say(f"#{team['m1']}", user="coord")
    chat.press(f"payrec:who:{team['m1']}", user="coord")
    chat.press_label("Meeting", user="coord")
    chat.say(activity.isoformat(), user="coord")
    chat.say("2.5", user="coord")
    chat.press_label("No expenses", user="coord")
    chat.press_label("Take it all", user="coord")
    chat.press_label("bank transfer", user="coord")
    chat.press_label("Not sure", user="coord")
    chat.press_label("Save", user="coord")
    with Session(chat.app.engine) as s:
        payment_id = s.exec(select(Payment.id)).one()
    assert payment_id is not None
    chat.say(f"/approve_payment {payment_id}", user="fin")
    paid_on = today - timedelta(days=2)
    chat.say(f"/mark_paid {payment_id} BACS-7 {paid_on.isoformat()}", user="fin")
    assert "Has it arrived?" in chat.texts("m1")[-1]
    chat.press_label("Not yet", user="m1")
    later = datetime.now(UTC) + timedelta(days=3, minutes=1)
    assert chase_unconfirmed(chat.app, later) == 1
    chat.worker.clock = lambda: later
    chat.press_label("Yes, it's arrived", user="m1")  # flushes the reminder first
    assert any("I am checking on your payment" in t for t in chat.texts("m1"))
    assert kinds(chat.app, payment_id) == [
        "recorded", "approved", "paid", "not_arrived", "chased", "confirmed"]
    final = state_of(chat.app, payment_id)
    assert days_to_paid(final) == 4
    received = days_to_received(final)
    assert received is not None and received in (6, 7)  # today in London
    summary = summarise([final])
    assert summary.to_paid.median == 4 and summary.to_paid.p90 == 4
    assert summary.waiting_confirmation == 0


def test_not_yet_after_the_reminder_tells_finance(chat: ChatHarness, team: dict[str, int]) -> None:
    payment_id = paid_payment(chat.app, team["m1"])
    with Session(chat.app.engine) as s:
        assert mark_not_arrived(s, payment_id, team["m1"], NOW).ok
        s.commit()
    assert chase_unconfirmed(chat.app, NOW + timedelta(days=4)) == 1
    chat.worker.clock = lambda: NOW + timedelta(days=4)
    chat.press(f"pay:notyet:{payment_id}", user="m1")
    assert "asked the finance team to check" in chat.texts("m1")[-1]
    assert "still not arrived" in chat.texts("fin")[-1]
    assert kinds(chat.app, payment_id).count("not_arrived") == 2
    assert chase_unconfirmed(chat.app, NOW + timedelta(days=30)) == 0
    assert date(2026, 11, 27) == state_of(chat.app, payment_id).expected_arrival


def test_a_failing_reminder_logs_no_personal_words_and_the_rest_still_go(
    app: BotApp, team: dict[str, int], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = paid_payment(app, team["m1"])
    second = record(app, team["m2"], key="k2").id
    approve_and_pay(app, second)
    real = chaser.chaser_message

    def fail_for_mo(t, state):  # type: ignore[no-untyped-def]
        if state.id == first:
            raise ValueError("Mo at 12 Private Road owes nothing")
        return real(t, state)

    monkeypatch.setattr(chaser, "chaser_message", fail_for_mo)
    with caplog.at_level(logging.ERROR, logger="bot.payments.chaser"):
        assert chase_unconfirmed(app, datetime(2026, 12, 2, tzinfo=UTC)) == 1
    assert kinds(app, second).count("chased") == 1
    assert "ValueError" in caplog.text
    assert "Private Road" not in caplog.text and "Mo at" not in caplog.text
