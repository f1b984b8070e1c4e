"""Splitting and escaping: every part is valid Telegram HTML within 4096 UTF-16 units."""

from __future__ import annotations

import pytest

from bot.adapters.telegram_text import escape, render_parts, split_text
from bot.adapters.utf16 import utf16_units
from tests.fakes.telegram_validation import check_text, utf16_len

HOSTILE = [
    '<b>Jo & "Al"</b>',
    "_*[`]~>#+-=|{}.!",
    "&amp; &lt; &#0; &#xD800; </b> <a href='x'>",
    "مرحبا بك \u200f\u202e في المجموعة",
    "🙂🙂🙂",
    "👩‍👩‍👧‍👦 🏳️‍🌈",
    "tab\there\x00\x07\x1b[31m\r\nbell",
    "\ud83d lone surrogate",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_valid_html_and_reads_back_unchanged(text: str) -> None:
    parts = render_parts(text)
    assert len(parts) == 1
    parsed = check_text(parts[0], "HTML")
    assert parsed.entities == []  # nothing the person typed became markup
    for visible in ("Jo & \"Al\"", "_*[", "مرحبا", "🙂", "bell"):
        if visible in text:
            assert visible in parsed.text


@pytest.mark.parametrize(
    "text",
    [
        "word " * 3000,
        ("A sentence here. " * 300 + "\n") * 3,
        "para one.\n\n" + "x" * 5000 + "\n\n" + "y" * 100,
        "🙂" * 5000,  # every emoji is 2 UTF-16 units
        "&<>" * 4000,  # escapes triple the length, but Telegram counts the parsed text
        "e\u0301" * 4000,  # combining marks stay with their letter
    ],
)
def test_long_text_splits_into_valid_parts(text: str) -> None:
    parts = render_parts(text)
    assert len(parts) > 1
    plain = []
    for part in parts:
        parsed = check_text(part, "HTML")  # raises on a broken escape or > 4096 units
        assert utf16_len(parsed.text) <= 4096
        assert not parsed.text[0].isspace() and "\u0301" != parsed.text[0]
        plain.append(parsed.text)
    assert "".join(plain).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", "")


def test_split_prefers_paragraphs_then_lines_then_sentences() -> None:
    text = "a" * 3000 + "\n\n" + "b" * 3000
    assert split_text(text) == ["a" * 3000, "b" * 3000]
    text = "First one. " + "c" * 3000 + ". Second one " + "d" * 2000
    first, second = split_text(text)
    assert first.endswith("c.") and second.startswith("Second")


def test_blank_text_makes_no_parts() -> None:
    assert render_parts("   \n\x00 ") == []


def test_units_count_like_telegram() -> None:
    assert utf16_units("a🙂") == 3
    assert escape('<b>&"') == '&lt;b&gt;&amp;"'
