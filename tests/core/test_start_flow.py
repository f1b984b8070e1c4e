"""The first conversation: welcome, language choice, and replies in that language."""

from __future__ import annotations

from tests.harness import ChatHarness


def test_start_says_who_runs_it_and_that_it_is_not_for_emergencies(chat: ChatHarness) -> None:
    replies = chat.say("/start")
    welcome = replies[0].text
    assert "Bridge Trust" in welcome and "NHS Riverside" in welcome
    assert "not for emergencies" in welcome
    assert "HELP" in welcome
    labels = [b.label for row in replies[1].buttons for b in row]
    assert labels == ["English", "Cymraeg"]


def test_choosing_welsh_makes_the_next_reply_welsh(chat: ChatHarness) -> None:
    chat.say("/start")
    replies = chat.press_label("Cymraeg")
    assert replies, "choosing a language gets an answer"
    assert "Diolch" in replies[0].text
    assert "Cymraeg" in replies[0].text
    help_text = chat.say("/help")[0].text
    assert "Dyma" in help_text
