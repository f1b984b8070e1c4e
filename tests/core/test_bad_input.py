"""Odd and hostile input gets a short, kind reply and never a traceback."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.core.events import Event
from bot.storage.models import InboxEvent
from tests.harness import PLATFORM, ChatHarness

ODD_TEXTS = {
    "empty": "",
    "spaces": "   \n\t ",
    "huge": "a" * 20_000,
    "control": "hi\x00\x07\x1b[31mthere\x7f",
    "emoji_only": "😀🎉👍🏽👨‍👩‍👧",
    "rtl": "مرحبا، كيف حالك؟ שלום",
    "zalgo": "Z̷̢̛a̸͎͐l̵̳̔g̶͕̈o̴̧͝",
    "html": '<b>Jo & "Al"</b> _*[',
    "bidi_override": "\u202eevil\u202c",
}


@pytest.mark.parametrize("name", sorted(ODD_TEXTS))
def test_odd_text_gets_a_kind_reply(chat: ChatHarness, name: str) -> None:
    replies = chat.say(ODD_TEXTS[name])
    assert len(replies) == 1
    text = replies[0].text
    assert 0 < len(text) < 400
    assert "Traceback" not in text and "Error" not in text
    with Session(chat.app.engine) as s:
        assert s.exec(select(InboxEvent.status)).one() == "done"


def test_unknown_command_is_named_kindly(chat: ChatHarness) -> None:
    assert "/help" in chat.say("/frobnicate now")[0].text


def test_a_button_that_does_not_exist_is_expired(chat: ChatHarness) -> None:
    replies = chat.press("nonsense:1")
    assert replies[0].text.startswith("Sorry, that button has expired")


def test_a_forged_language_button_changes_nothing(chat: ChatHarness) -> None:
    """lang:cy is a real action, but it was never offered to this member."""
    replies = chat.press("lang:cy")
    assert "expired" in replies[0].text
    assert "Diolch" not in chat.say("/help")[0].text


def test_a_button_offered_to_someone_else_is_refused(chat: ChatHarness) -> None:
    chat.say("/start", user="alice")
    replies = chat.press("lang:cy", user="mallory")
    assert "expired" in replies[0].text


def test_an_unoffered_language_code_is_refused(chat: ChatHarness) -> None:
    chat.say("/start")
    # Forged value with a valid prefix: lang:xx was never a button.
    assert "expired" in chat.press("lang:xx")[0].text


def test_unsupported_content_gets_the_text_only_reply(chat: ChatHarness) -> None:
    replies = chat.event(Event(PLATFORM, "u1", "u1", "unsupported", attachment="sticker"))
    assert replies[0].text == "Sorry, I can only read text and buttons for now."
