"""Personal questions, answers and codes never happen in a group chat."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.events import text_event
from bot.storage.models import OutboxMessage
from tests.handlers.journey import member, onboard, start_and_consent
from tests.harness import PLATFORM, ChatHarness

GROUP = {"chat_type": "group", "private_chat_id": "u1"}


def in_group(chat: ChatHarness, text: str) -> list[str]:
    """Say `text` in a group chat; return what was sent to the group."""
    event = text_event(PLATFORM, "u1", "group-7", text, extra=GROUP)
    chat.event(event)
    return [m.text for c, m in chat.sender.sent if c == "group-7"]


def test_personal_commands_in_a_group_ask_for_a_private_chat(chat: ChatHarness) -> None:
    onboard(chat, name="Sam")
    for command in ("/profile", "/mydata", "/link", "/forget", "/start"):
        said = in_group(chat, command)
        assert said[-1] == "Please send me this in a private chat, so your details stay private."
    assert not any("Sam" in text for text in in_group(chat, "/profile"))
    assert member(chat.app).status == "active"


def test_group_chatter_is_never_taken_as_an_answer(chat: ChatHarness) -> None:
    start_and_consent(chat)  # now at the name question
    assert in_group(chat, "hello everyone") == []
    assert member(chat.app).display_name is None
    assert chat.say("Sam")[0].text == "Nice to meet you, Sam."


def test_codes_are_not_kept_in_the_outbox_once_sent(chat: ChatHarness) -> None:
    onboard(chat)
    code_message = chat.say("/link")[-1].text
    assert "/link " in code_message
    with Session(chat.app.engine) as session:
        stored = [row.payload.get("text", "") for row in session.exec(select(OutboxMessage))]
    assert not any("/link " in text for text in stored)

