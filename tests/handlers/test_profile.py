"""/profile shows everything saved, and each Change button edits one section."""

from __future__ import annotations

from tests.handlers.journey import labels, last_with_buttons, member, onboard, profile
from tests.harness import ChatHarness


def test_profile_without_consent_says_nothing_is_saved(chat: ChatHarness) -> None:
    assert "not saved any details" in chat.say("/profile")[0].text


def test_profile_shows_the_summary_with_change_buttons(chat: ChatHarness) -> None:
    onboard(chat, name="Jo")
    summary = chat.say("/profile")[0]
    assert summary.text.startswith("Here's what I've saved:") and "Name: Jo" in summary.text
    assert labels(summary) == [
        "Change about me", "Change language", "Change times", "Change check-ins",
        "Change needs", "Change ways to take part", "Change translating", "Change payment",
        "All done"]


def test_change_one_section_then_back_to_the_summary(chat: ChatHarness) -> None:
    onboard(chat)
    chat.say("/profile")
    chat.press_label("Change needs")
    chat.press_label("Voice notes welcome")
    summary = chat.press_label("Done")[-1]
    assert summary.text.startswith("Here's what I've saved:")
    assert "What helps you: Voice notes welcome" in summary.text
    assert chat.press_label("All done")[0].text == "Thank you. Your details are saved."
    assert profile(chat.app).needs == ["voice"]  # type: ignore[union-attr]


def test_change_about_me_walks_its_three_questions(chat: ChatHarness) -> None:
    onboard(chat, name="Jo")
    chat.say("/profile")
    chat.press_label("Change about me")
    chat.say("Joanne")
    chat.say("ze/zir")
    summary = chat.press_label("By my name")[-1]
    assert "Name: Joanne" in summary.text and "Pronouns: ze/zir" in summary.text
    assert member(chat.app).display_name == "Joanne"


def test_back_from_the_first_question_of_a_section_returns_to_the_summary(
    chat: ChatHarness,
) -> None:
    onboard(chat)
    chat.say("/profile")
    chat.press_label("Change times")
    summary = chat.press_label("Back")[-1]
    assert summary.text.startswith("Here's what I've saved:")


def test_changing_the_language_from_the_profile(chat: ChatHarness) -> None:
    onboard(chat)
    chat.say("/profile")
    chat.press_label("Change language")
    replies = chat.press_label("Cymraeg")
    assert "Diolch" in replies[0].text
    assert member(chat.app).language == "cy"
    assert last_with_buttons(replies).buttons, "back at the summary, in Welsh"


def test_unticking_everything_clears_the_needs(chat: ChatHarness) -> None:
    onboard(chat)
    chat.say("/profile")
    chat.press_label("Change needs")
    chat.press_label("Short messages")
    chat.press_label("Done")
    chat.press_label("Change needs")
    needs = last_with_buttons(chat.press_label("Chosen: Short messages"))
    assert "Short messages" in labels(needs)
    chat.press_label("Done")
    assert profile(chat.app).needs == []  # type: ignore[union-attr]
