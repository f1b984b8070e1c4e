"""STOP, PAUSE and HELP in every supported language.

These words must work from any state, in any language, so they are matched
on the whole message (ignoring case, spaces and punctuation) before routing.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

Keyword = Literal["stop", "pause", "help"]

KEYWORDS: dict[Keyword, dict[str, tuple[str, ...]]] = {
    "stop": {
        "en": ("stop", "unsubscribe"),
        "cy": ("stopio", "stop", "atal"),
        "pl": ("stop", "zatrzymaj"),
        "ro": ("stop", "opreste", "oprește"),
        "pa": ("ਰੁਕੋ", "ਬੰਦ"),
        "ur": ("روکیں", "بند"),
        "bn": ("থামুন", "বন্ধ"),
        "ar": ("توقف", "إيقاف"),
        "so": ("jooji",),
        "uk": ("стоп", "зупинити"),
    },
    "pause": {
        "en": ("pause",),
        "cy": ("saib", "oedi"),
        "pl": ("pauza", "wstrzymaj"),
        "ro": ("pauza", "pauză"),
        "pa": ("ਵਿਰਾਮ",),
        "ur": ("وقفہ",),
        "bn": ("বিরতি",),
        "ar": ("إيقاف مؤقت", "مؤقت"),
        "so": ("hakad",),
        "uk": ("пауза",),
    },
    "help": {
        "en": ("help", "sos"),
        "cy": ("help", "cymorth"),
        "pl": ("pomoc",),
        "ro": ("ajutor",),
        "pa": ("ਮਦਦ",),
        "ur": ("مدد",),
        "bn": ("সাহায্য",),
        "ar": ("مساعدة",),
        "so": ("caawimo", "caawin"),
        "uk": ("допомога",),
    },
}


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().strip()
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("P")).strip()


_LOOKUP: dict[str, Keyword] = {
    _normalise(word): kind
    for kind, by_lang in KEYWORDS.items()
    for words in by_lang.values()
    for word in words
}


def match_keyword(text: str) -> Keyword | None:
    """The keyword a whole message is, in any language, or None."""
    if not text or len(text) > 40:
        return None
    return _LOOKUP.get(_normalise(text))
