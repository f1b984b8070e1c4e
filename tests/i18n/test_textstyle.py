"""Emoji, button labels, splitting long messages, and pauses for more time."""

from __future__ import annotations

import pytest

from bot.i18n_text import LRI, PDI
from bot.textstyle import (
    DEFAULT_MAX_CHARS,
    MORE_TIME_MIN_SECONDS,
    PAUSE_SECONDS,
    SHORT_MAX_CHARS,
    button_label_problems,
    emoji_problems,
    jargon,
    pause_after,
    reading_plan,
    split_for_reading,
)


@pytest.mark.parametrize("text, problems", [
    ("Thank you 😊", []),
    ("Thank you", []),
    ("😊 Thank you", ["emoji not at the end"]),
    ("Great 👍 see you 😊", ["more than one emoji"]),
    ("👍", ["no words"]),
    ("Welcome 👨‍👩‍👧", []),  # a ZWJ family is one emoji
    ("Hello from 🇬🇧", []),  # a flag is one emoji
    ("{name} 👋", []),
])
def test_emoji_rules(text: str, problems: list[str]) -> None:
    assert emoji_problems(text) == problems


@pytest.mark.parametrize("label, ok", [
    ("Yes, it's arrived", True), ("Skip", True), ("5", True), ("✓", False), ("→", False),
    ("👍", False), ("<<", False), ("Next ▶", True), ("▶ Next", False),
])
def test_button_labels_are_words(label: str, ok: bool) -> None:
    assert (button_label_problems(label) == []) is ok


def test_jargon_is_found_in_any_form() -> None:
    assert jargon("Some service users are hard-to-reach") == ["service users", "hard-to-reach"]
    assert jargon("Members not engaging, low engagement") == ["engaging", "engagement"]
    assert jargon("Non-compliant and vulnerable") == ["Non-compliant", "vulnerable"]
    assert jargon("Thanks for taking part") == []


def test_short_messages_are_not_split() -> None:
    assert split_for_reading("Hello.", 100) == ["Hello."]


def test_split_prefers_paragraphs_then_sentences_then_words() -> None:
    text = "First part here.\n\nSecond part. It has two sentences that run quite long."
    assert split_for_reading(text, 40) == [
        "First part here.", "Second part.", "It has two sentences that run quite", "long."]
    chunks = split_for_reading(" ".join(["word"] * 200), 50)
    assert all(len(c) <= 50 for c in chunks) and " ".join(chunks).split() == ["word"] * 200


def test_split_never_cuts_inside_an_isolate_or_loses_text() -> None:
    name = LRI + "John Ronald Reuel Smith" + PDI
    text = f"پیسے {name} کو بھیج دیے گئے۔ حوالہ {LRI}BACS-0412{PDI} ہے۔"
    chunks = split_for_reading(text, 30)
    assert any(name in c for c in chunks)
    assert all(c.count(LRI) == c.count(PDI) for c in chunks)
    assert "".join(chunks).replace(" ", "") == text.replace(" ", "")


def test_split_handles_urdu_and_arabic_sentence_ends() -> None:
    assert split_for_reading("پہلا جملہ۔ دوسرا جملہ۔", 12) == ["پہلا جملہ۔", "دوسرا جملہ۔"]
    assert split_for_reading("هل وصل؟ نعم.", 8) == ["هل وصل؟", "نعم."]


def test_a_single_huge_word_is_cut_hard() -> None:
    assert split_for_reading("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_pauses_grow_for_members_who_asked_for_more_time() -> None:
    chunk = " ".join(["word"] * 30)
    assert pause_after(chunk, []) == PAUSE_SECONDS
    assert pause_after(chunk, ["more_time"]) == 20.0  # 30 words at 1.5 a second
    assert pause_after("Hi.", ["more_time"]) == MORE_TIME_MIN_SECONDS


def test_reading_plan_uses_needs() -> None:
    text = ("A sentence that is long enough to matter here. " * 12).strip()
    assert len(text) > DEFAULT_MAX_CHARS and len(reading_plan(text)) == 2
    plan = reading_plan(text, ["short", "more_time"])
    assert all(len(chunk) <= SHORT_MAX_CHARS for chunk, _ in plan)
    delays = [delay for _, delay in plan]
    gaps = [b - a for a, b in zip(delays, delays[1:], strict=False)]
    assert delays[0] == 0 and all(gap >= MORE_TIME_MIN_SECONDS for gap in gaps)
