"""What one person sees: the update in their language, or the fallback with a note.

Titles and bodies are the coordinator's own words, kept as plain text (the
adapters escape them). Only the note is ours, so only the note is translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import N_, I18n

NO_TRANSLATION = N_("There is no translation in your language yet.")


def text_language(texts: Mapping[str, Any], default_language: str, member_language: str) -> str:
    """The language of the text this member gets."""
    return member_language if member_language in texts else default_language


def render(
    texts: Mapping[str, Mapping[str, str]],
    default_language: str,
    member_language: str,
    i18n: I18n,
) -> str:
    """Title and body in the member's language, or the fallback with a one-line note.

    The note goes first, so nobody reads a language they may not know before
    being told why.
    """
    lang = text_language(texts, default_language, member_language)
    entry = texts[lang]
    parts = [entry["title"], entry["body"]]
    if lang != member_language:
        parts.insert(0, i18n.translator(member_language).gettext(NO_TRANSLATION))
    return "\n\n".join(parts)


class Renderer:
    """Renders each language once per broadcast; a fan-out asks thousands of times."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]], default_language: str,
                 i18n: I18n) -> None:
        self.texts = texts
        self.default_language = default_language
        self.i18n = i18n
        self._cache: dict[str, str] = {}

    def __call__(self, member_language: str) -> str:
        if member_language not in self._cache:
            self._cache[member_language] = render(
                self.texts, self.default_language, member_language, self.i18n
            )
        return self._cache[member_language]

    def language_of(self, member_language: str) -> str:
        return text_language(self.texts, self.default_language, member_language)
