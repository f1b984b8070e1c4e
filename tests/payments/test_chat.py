"""The chat side: recording, approving, paying, and the member's answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from bot.core.events import Button, OutgoingMessage
from bot.payments.ledger import Actor
from bot.payments.service import reverse_payment
from bot.storage.models import Member, OutboxMessage
from bot.storage.payment_models import Payment, PaymentEvent
from tests.harness import ChatHarness
from tests.payments.conftest import approve_and_pay, kinds, outbox_for, record, state_of

TODAY = datetime.now(UTC).date()


def paid_via_chat(chat: ChatHarness, team: dict[str, int], **kw: object) -> int:
    state = record(chat.app, team["m1"], by=team["coord"], activity_date=TODAY - timedelta(5),
                   expected_date=TODAY + timedelta(3), **kw)  # type: ignore[arg-type]
    chat.say(f"/approve_payment {state.id}", user="fin")
    chat.say(f"/mark_paid {state.id} BACS-42", user="fin2")
    return state.id


def last_text(chat: ChatHarness, user: str) -> str:
    return chat.texts(user)[-1]


def test_a_coordinator_records_a_payment_in_chat(chat: ChatHarness, team: dict[str, int]) -> None:
    chat.say("/record_payment", user="coord")
    assert "Who is the payment for?" in last_text(chat, "coord")
    chat.say("mo", user="coord")
    chat.press_label(f"Mo #{team['m1']}", user="coord")
    chat.press_label("Meeting", user="coord")
    chat.press_label("Yesterday", user="coord")
    chat.say("2.5", user="coord")
    chat.press_label("Add an expense", user="coord")
    chat.press_label("Travel", user="coord")
    chat.say("12.50", user="coord")
    chat.press_label("Yes", user="coord")
    assert "Travel: £12.50" in last_text(chat, "coord")
    chat.press_label("No more expenses", user="coord")
    assert "The fee is £68.75" in last_text(chat, "coord")
    chat.press_label("Take part of it", user="coord")
    chat.say("80", user="coord")
    assert "didn't understand" in last_text(chat, "coord"), "more than the fee is refused"
    chat.say("20.00", user="coord")
    chat.press_label("bank transfer", user="coord")
    chat.press_label("In 1 week", user="coord")
    check = last_text(chat, "coord")
    assert "For: Mo" in check and "They take: £20.00" in check
    chat.press_label("Save", user="coord")
    assert "Saved as payment #" in last_text(chat, "coord") and "£32.50" in last_text(
        chat, "coord")
    chat.press("payrec:save", user="coord")  # a double tap
    with Session(chat.app.engine) as s:
        payment = s.exec(select(Payment)).one()
        assert payment.fee_amount == Decimal("20.00") and payment.choice == "accept_part"
        assert payment.activity_date == TODAY - timedelta(days=1)
        assert payment.expected_date == TODAY + timedelta(days=7)
        assert len(s.exec(select(PaymentEvent)).all()) == 1
    assert "A payment has been recorded for you." in last_text(chat, "m1")
    assert "waiting for approval" in last_text(chat, "fin")
    chat.press_label(f"Approve payment #{payment.id}", user="fin")
    assert kinds(chat.app, payment.id or 0) == ["recorded", "approved"]


def test_a_member_cannot_record_approve_or_pay(chat: ChatHarness, team: dict[str, int]) -> None:
    state = record(chat.app, team["m1"], by=team["coord"])
    refusal = "only for the team"
    assert refusal in chat.say("/record_payment", user="m1")[0].text
    assert refusal in chat.say(f"/approve_payment {state.id}", user="m2")[0].text
    assert refusal in chat.say(f"/approve_payment {state.id}", user="coord")[0].text
    assert refusal in chat.say(f"/mark_paid {state.id} R1", user="coord")[0].text
    assert "Sorry" in chat.press(f"payfin:approve:{state.id}", user="m2")[0].text
    assert kinds(chat.app, state.id) == ["recorded"]
    with Session(chat.app.engine) as s:
        member = s.get(Member, team["m1"])
        assert member is not None
        assert len(s.exec(select(Payment)).all()) == 1


def test_paid_message_has_the_breakdown_and_three_buttons(
    chat: ChatHarness, team: dict[str, int]
) -> None:
    payment_id = paid_via_chat(chat, team)
    assert "marked as paid" in last_text(chat, "fin2")
    message = [m for c, m in chat.sender.sent if c == "m1"][-1]
    text = message.text
    expected = chat.app.i18n.translator("en").date(TODAY + timedelta(3))
    for part in ("2.5 hours × £27.50 = £68.75", "Rate card: default-1", "• Travel: £12.50",
                 "Expenses are paid back to you. They are not income.", "Total: £81.25",
                 "bank transfer", "Reference: BACS-42",
                 f"It should arrive by {expected}.", "citizensadvice.org.uk",
                 "Has it arrived?"):
        assert part in text, part
    assert [[b.label for b in row] for row in message.buttons] == [
        ["Yes, it's arrived", "Not yet"], ["Something's wrong"]]
    chat.press_label("Yes, it's arrived", user="m1")
    chat.press(f"pay:yes:{payment_id}", user="m1")  # double tap
    assert "already have that" in last_text(chat, "m1")
    assert kinds(chat.app, payment_id).count("confirmed") == 1


def test_welsh_member_gets_welsh_dates_and_babel_money(
    chat: ChatHarness, team: dict[str, int]
) -> None:
    with Session(chat.app.engine) as s:
        member = s.get(Member, team["m1"])
        assert member is not None
        member.language = "cy"
        s.add(member)
        s.commit()
    state = record(chat.app, team["m1"], hours=Decimal("44.89"), activity_date=date(2026, 11, 2),
                   expected_date=date(2026, 11, 27))
    approve_and_pay(chat.app, state.id)
    from bot.core.easyread import member_translator
    from bot.payments.messages import paid_message

    with Session(chat.app.engine) as s:
        member = s.get(Member, team["m1"])
        assert member is not None
        t = member_translator(chat.app.i18n, s, member)
        text = paid_message(t, state_of(chat.app, state.id), chat.app.settings).text
    assert "£1,234.48" in text and "£1,246.98" in text
    assert "27 Tachwedd 2026" in text and "2 Tachwedd 2026" in text
    en = chat.app.i18n.translator("en")
    assert en.money(Decimal("1234.50")) == "£1,234.50"


def test_forged_and_stale_buttons_change_nothing(chat: ChatHarness, team: dict[str, int]) -> None:
    payment_id = paid_via_chat(chat, team)
    # m2 was never offered m1's buttons: the dispatcher refuses.
    assert "expired" in chat.press(f"pay:yes:{payment_id}", user="m2")[0].text
    # Even if m2 had somehow been offered it, the handler checks ownership.
    with Session(chat.app.engine) as s:
        s.add(OutboxMessage(member_id=team["m2"], platform="test", chat_id="m2", status="sent",
                            payload=OutgoingMessage("x", [[Button("Yes", f"pay:yes:{payment_id}"),
                                                           Button("No", "pay:yes:999")]]
                                                    ).to_dict()))
        s.commit()
    assert "expired" in chat.press(f"pay:yes:{payment_id}", user="m2")[0].text
    assert "expired" in chat.press("pay:yes:999", user="m2")[0].text
    assert kinds(chat.app, payment_id) == ["recorded", "approved", "paid"]
    with Session(chat.app.engine) as s:
        assert reverse_payment(s, payment_id, Actor.cli(), "mistake", datetime.now(UTC)).ok
        s.commit()
    assert "has changed" in chat.press(f"pay:yes:{payment_id}", user="m1")[0].text
    assert kinds(chat.app, payment_id)[-1] == "reversed"


def test_somethings_wrong_reaches_every_finance_person(
    chat: ChatHarness, team: dict[str, int]
) -> None:
    payment_id = paid_via_chat(chat, team)
    chat.press_label("Something's wrong", user="m1")
    assert "told the finance team" in last_text(chat, "m1")
    for person in ("fin", "fin2"):
        alert = last_text(chat, person)
        assert "something is wrong" in alert and f"Payment #{payment_id}" in alert
        assert f"Mo (#{team['m1']})" in alert and "Total: £81.25" in alert
        assert "BACS-42" in alert
    chat.say("The amount is short", user="m1")
    assert "Their note: The amount is short" in last_text(chat, "fin")
    chat.press(f"pay:wrong:{payment_id}", user="m1")  # a second press
    assert "already have that" in last_text(chat, "m1")
    assert kinds(chat.app, payment_id)[-2:] == ["problem_reported", "note"]
    assert kinds(chat.app, payment_id).count("problem_reported") == 1


def test_not_yet_says_when_we_will_ask_again(chat: ChatHarness, team: dict[str, int]) -> None:
    payment_id = paid_via_chat(chat, team)
    chat.press_label("Not yet", user="m1")
    assert "I will ask you again on" in last_text(chat, "m1")
    chat.press(f"pay:notyet:{payment_id}", user="m1")
    assert kinds(chat.app, payment_id).count("not_arrived") == 1


def test_payments_lists_your_own_with_totals(chat: ChatHarness, team: dict[str, int]) -> None:
    assert "no payments yet" in chat.say("/payments", user="m2")[0].text
    payment_id = paid_via_chat(chat, team)
    text = chat.say("/payments", user="m1")[0].text
    assert f"#{payment_id}" in text and "£81.25" in text and "waiting for you" in text
    assert "£68.75" in text, "fees paid this tax year, without expenses"
    assert "not advice" in text and "not income" in text
    assert "no payments yet" in chat.say("/payments", user="m2")[0].text
    chat.press_label("Yes, it's arrived", user="m1")
    assert "Arrived" in chat.say("/payments", user="m1")[0].text


def test_finance_sees_whats_waiting(chat: ChatHarness, team: dict[str, int]) -> None:
    record(chat.app, team["m1"], key="a")
    text = chat.say("/payments_waiting", user="fin")[0].text
    assert "Waiting for approval: 1" in text and "Mo (#" in text
    assert "only for the team" in chat.say("/payments_waiting", user="m1")[0].text
    assert outbox_for(chat.app, team["m2"]) == []


def test_a_replayed_update_confirms_once(chat: ChatHarness, team: dict[str, int]) -> None:
    from bot.core.events import Event

    payment_id = paid_via_chat(chat, team)
    press = Event("test", "m1", "m1", "button", action=f"pay:yes:{payment_id}")
    assert chat.event(press, external_id="update-77") != []
    assert chat.event(press, external_id="update-77") == []
    assert kinds(chat.app, payment_id).count("confirmed") == 1


def test_finance_cannot_approve_their_own_recording(
    chat: ChatHarness, team: dict[str, int]
) -> None:
    state = record(chat.app, team["m1"], by=team["fin"])
    reply = chat.say(f"/approve_payment {state.id}", user="fin")[0].text
    assert "Someone else needs to do this step" in reply
    assert kinds(chat.app, state.id) == ["recorded"]
    assert "is approved" in chat.say(f"/approve_payment {state.id}", user="fin2")[0].text
