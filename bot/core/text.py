"""Cleaning what people type before handlers see it."""

from __future__ import annotations

import unicodedata

MAX_INPUT_CHARS = 4000

# Bidi marks and joiners are kept: right-to-left scripts and emoji need them.
_KEEP_FORMAT = {"\u200c", "\u200d", "\u200e", "\u200f", "\u2066", "\u2067", "\u2068", "\u2069"}


def clean_input(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """Drop control characters, normalise to NFC, trim, and cap the length."""
    text = unicodedata.normalize("NFC", text or "")
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\t":
            kept.append(" " if ch == "\t" else ch)
        elif cat == "Cc" or cat == "Cs" or (cat == "Cf" and ch not in _KEEP_FORMAT):
            continue
        else:
            kept.append(ch)
    return "".join(kept).strip()[:limit]


def parse_id(text: str, max_digits: int = 9) -> int | None:
    """A row id typed by a person ("12" or "#12"); None unless it is ASCII digits,
    at most `max_digits` (9 fits INTEGER columns, 18 fits BIGINT).

    `str.isdigit()` also accepts "³" and "٣", which `int()` refuses, and a
    20-digit number overflows the database's integer column.
    """
    digits = text.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= max_digits):
        return None
    return int(digits)
