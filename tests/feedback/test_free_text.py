"""/feedback at any time, and odd or huge text handled kindly."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotApp
from bot.feedback import MAX_TEXT
from tests.feedback.conftest import add_member, items
from tests.harness import ChatHarness

ARABIC = "الغرفة كانت باردة جدا"
URDU = "شکریہ، اجلاس اچھا تھا"


def test_named_feedback_at_any_time(app: BotApp, chat: ChatHarness) -> None:
    member_id = add_member(app, "u1")
    ask = chat.say("/feedback")[0]
    assert "With your name, staff can reply to you." in ask.text
    assert "Please type your feedback" in chat.press_label("With my name")[0].text
    reply = chat.say("The bus times were wrong")
    assert "may reply to you here" in reply[0].text
    [item] = items(app)
    assert (item.member_id, item.kind, item.anonymous) == (member_id, "free", False)


def test_cancel_saves_nothing(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    chat.say("/feedback hello")
    assert chat.press_label("Cancel")[0].text == "OK. Nothing was saved."
    assert items(app) == []


def test_typing_before_choosing_is_guided(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    chat.say("/feedback")
    assert "tap one of the buttons" in chat.say("it was fine")[0].text
    assert items(app) == []


def test_huge_text_is_refused_kindly_and_can_be_sent_again(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    chat.say("/feedback")
    chat.press_label("Without my name")
    reply = chat.say("a" * 20_000)[0].text
    assert "too long" in reply and "2,000" in reply and "Send /feedback again" in reply
    assert items(app) == []
    chat.say("b" * MAX_TEXT)
    [item] = items(app)
    assert item.text == "b" * MAX_TEXT


def test_huge_text_after_the_command_is_refused_too(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    assert "too long" in chat.say("/feedback " + "x" * 5000)[0].text


def test_rtl_emoji_and_control_characters(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    add_member(app, "boss", roles=("staff",))
    odd = f"{ARABIC} \u0007\u0000 {URDU} 👩🏽‍🦯 ok\u200f"
    chat.say("/feedback")
    chat.press_label("With my name")
    chat.say(odd)
    [item] = items(app)
    assert item.text is not None
    assert ARABIC in item.text and URDU in item.text and "👩🏽‍🦯" in item.text
    assert "\u0007" not in item.text and "\u0000" not in item.text
    shown = chat.say("/feedback_log", user="boss")[1].text
    assert f"\u2068{item.text}\u2069" in shown, "words are isolated so RTL can't jumble the line"


def test_long_items_are_shortened_in_the_log(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    add_member(app, "boss", roles=("staff",))
    chat.say("/feedback")
    chat.press_label("With my name")
    chat.say("word " * 300)
    shown = chat.say("/feedback_log", user="boss")[1].text
    assert "…" in shown and len(shown) < 700


def test_too_long_answer_to_a_question_can_be_sent_shorter(
        app: BotApp, chat: ChatHarness, ask: Callable[..., int]) -> None:
    add_member(app, "u1")
    ask("text", anonymous=True)
    chat.press_label("Answer")
    reply = chat.say("z" * (MAX_TEXT + 1))[0].text
    assert "too long" in reply and "/feedback" not in reply
    assert items(app) == []
    assert "saved without your name" in chat.say("short and sweet")[0].text
    assert [i.text for i in items(app)] == ["short and sweet"]
