"""STOP, PAUSE and HELP work from any state, in any language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.core.events import text_event
from bot.core.keywords import KEYWORDS, match_keyword
from bot.storage.models import Member, OutboxMessage, utcnow
from tests.harness import ChatHarness


@pytest.mark.parametrize(
    ("kind", "lang", "word"),
    [(k, lang, w) for k, by in KEYWORDS.items() for lang, ws in by.items() for w in ws],
)
def test_every_listed_word_is_recognised(kind: str, lang: str, word: str) -> None:
    assert match_keyword(word) == kind
    assert match_keyword(f"  {word.upper()}! ") == kind


def test_keywords_inside_a_sentence_are_not_commands() -> None:
    assert match_keyword("please don't stop the music") is None
    assert match_keyword("") is None


def test_help_mid_flow_lists_crisis_contacts_and_keeps_the_step(chat: ChatHarness) -> None:
    chat.say("/start")
    text = chat.say("help")[0].text
    assert "116 123" in text and "85258" in text and "999" in text
    # The language buttons still work afterwards: the flow was not lost.
    assert "English" in chat.press_label("English")[0].text


def test_stop_stops_and_start_comes_back(chat: ChatHarness) -> None:
    chat.say("/start")
    reply = chat.say("STOP")[0].text
    assert "not send you any more messages" in reply
    with Session(chat.app.engine) as s:
        assert s.exec(select(Member)).one().status == "stopped"
    chat.say("/start")
    with Session(chat.app.engine) as s:
        assert s.exec(select(Member)).one().status == "active"


def test_stop_cancels_messages_already_queued(chat: ChatHarness) -> None:
    chat.say("/start")
    with Session(chat.app.engine) as s:
        member = s.exec(select(Member)).one()
        s.add(OutboxMessage(member_id=member.id, platform="test", chat_id="u1",
                            payload={"text": "a check-in", "buttons": []}))
        s.commit()
    chat.app.receive(text_event("test", "u1", "u1", "stop"), "stop-1")
    chat.app.process_pending()
    with Session(chat.app.engine) as s:
        statuses = [r.status for r in s.exec(select(OutboxMessage))]
    assert "cancelled" in statuses
    assert "a check-in" not in chat.texts()


def test_pause_for_a_week_then_resume(chat: ChatHarness) -> None:
    chat.say("/start")
    buttons = chat.say("pause")[0].buttons
    assert [b.label for row in buttons for b in row] == ["1 week", "1 month", "Until I say"]
    assert "/resume" in chat.press_label("1 week")[0].text
    with Session(chat.app.engine) as s:
        assert s.exec(select(Member)).one().paused_until is not None
    chat.say("/resume")
    with Session(chat.app.engine) as s:
        assert s.exec(select(Member)).one().paused_until is None


def test_welsh_words_work_for_a_welsh_speaker(chat: ChatHarness) -> None:
    chat.say("/start")
    chat.press_label("Cymraeg")
    assert "116 123" in chat.say("cymorth")[0].text


def _queue_for(chat: ChatHarness, text: str, delay: timedelta = timedelta(0)) -> None:
    with Session(chat.app.engine) as s:
        member = s.exec(select(Member)).one()
        s.add(OutboxMessage(member_id=member.id, platform="test", chat_id="u1",
                            payload={"text": text, "buttons": []},
                            not_before=utcnow() + delay))
        s.commit()


def test_pause_holds_back_queued_messages_and_resume_brings_them_forward(
    chat: ChatHarness,
) -> None:
    chat.say("/start")
    with Session(chat.app.engine) as s:
        member = s.exec(select(Member)).one()
        member.quiet_start = member.quiet_end = None
        s.add(member)
        s.commit()
    chat.say("pause")
    _queue_for(chat, "an update")
    chat.press_label("Until I say")
    assert "an update" not in chat.texts(), "held back during the pause"
    chat.say("/resume")
    assert "an update" in chat.texts(), "sent once the pause ends"
