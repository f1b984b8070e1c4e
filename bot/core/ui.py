"""Small helpers for laying out buttons."""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.events import Button
from bot.i18n import LANGUAGE_NAMES


def rows(buttons: Iterable[Button], per_row: int = 2) -> list[list[Button]]:
    """Lay buttons out `per_row` to a line; short rows suit small phone screens."""
    items = list(buttons)
    return [items[i : i + per_row] for i in range(0, len(items), per_row)]


def language_buttons(languages: Iterable[str], prefix: str = "lang:") -> list[list[Button]]:
    """Each language in its own name, so people can find theirs without English."""
    return rows(Button(LANGUAGE_NAMES.get(code, code), f"{prefix}{code}") for code in languages)
