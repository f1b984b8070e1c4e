"""Text length the way Telegram and Discord count it: in UTF-16 code units.

A character outside the Basic Multilingual Plane (most emoji) counts twice.
"""

from __future__ import annotations


def utf16_units(text: str) -> int:
    """Length in UTF-16 code units."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def fitting_prefix(text: str, limit: int) -> int:
    """The number of characters at the start of `text` that fit in `limit` units."""
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)
