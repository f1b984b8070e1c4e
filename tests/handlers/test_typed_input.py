"""Typed answers that cannot be used get a kind reply that says what to type, not a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.storage.models import InboxEvent
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member


def all_handled(chat: ChatHarness) -> bool:
    with Session(chat.app.engine) as session:
        return session.exec(select(InboxEvent).where(InboxEvent.status != "done")).all() == []


def test_feedback_results_with_a_huge_number_gets_the_usage_line(chat: ChatHarness) -> None:
    """Regression: `int()` took a 20-digit number, which overflowed the database
    integer, so the staff member got "something went wrong"."""
    add_member(chat.app, "boss", roles=("staff",))
    reply = chat.say("/feedback_results 99999999999999999999", user="boss")[0].text
    assert reply == "Please write it like this: /feedback_results 3"
    assert all_handled(chat)


def test_a_payment_answer_that_does_not_fit_asks_the_question_again(chat: ChatHarness) -> None:
    """"I didn't understand" alone left the coordinator scrolling up for the example."""
    add_member(chat.app, "coord", roles=("coordinator",))
    mo = add_member(chat.app, "m1", name="Mo")
    chat.say("/record_payment Mo", user="coord")
    chat.press_label(f"Mo #{mo}", user="coord")
    chat.press_label("Meeting", user="coord")
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    again = chat.say(tomorrow, user="coord")[0]
    assert again.text.startswith("Sorry, I didn't understand that. Please try again.")
    assert "Type it like this: 2026-11-20" in again.text
    assert [b.label for b in again.buttons[0]] == ["Today", "Yesterday"]
    chat.press_label("Yesterday", user="coord")
    again = chat.say("a couple", user="coord")[0]
    assert "didn't understand" in again.text and "How many hours? For example: 2.5" in again.text
    assert "expenses" in chat.say("2", user="coord")[0].text, "the right answer still works"
    assert all_handled(chat)


def test_a_too_long_title_when_changing_an_update_says_the_limit(chat: ChatHarness) -> None:
    """Changing an update said only "too long"; writing one said how long is fine."""
    add_member(chat.app, "coord", roles=("coordinator",), quiet=(None, None))
    chat.say("/broadcast", user="coord")
    for label in ("Learning update", "English"):
        chat.press_label(label, user="coord")
    chat.say("Room news", user="coord")
    chat.say("We got a heater.", user="coord")
    for label in ("No, that's all", "Everyone", "Later"):
        chat.press_label(label, user="coord")
    chat.say("2099-12-01 14:30", user="coord")
    chat.press_label("Send it", user="coord")
    chat.say("/updates", user="coord")
    for label in ("Change it", "The text", "English"):
        chat.press_label(label, user="coord")
    reply = chat.say("x" * 201, user="coord")[0].text
    assert reply == "That title is a bit long. Please keep it under 200 characters."
    assert "message itself" in chat.say("Heater news", user="coord")[0].text
    reply = chat.say("y" * 3501, user="coord")[0].text
    assert reply == "That message is too long. Please keep it under 3500 characters."
