"""Turning neutral text into Telegram message bodies that are always valid.

Handlers write plain text, which may carry anything a member typed: `<b>`,
`&`, `_*[`, right-to-left marks, emoji, 10,000 characters. We send it with
parse_mode HTML after escaping, so nothing a person types is ever markup.
Telegram counts the 4096-character limit in UTF-16 code units of the text
after entity parsing, so we split the plain text first (at paragraph, line,
sentence or word boundaries) and escape each part afterwards: a split can
then never fall inside an escape sequence or a surrogate pair.
"""

from __future__ import annotations

import html
import unicodedata

from bot.adapters.utf16 import fitting_prefix, utf16_units

MAX_MESSAGE_UNITS = 4096
MAX_CAPTION_UNITS = 1024

# Boundaries to split at, best first: paragraph, line, sentence, clause, word.
_BOUNDARIES: tuple[tuple[str, ...], ...] = (
    ("\n\n",),
    ("\n",),
    (". ", "! ", "? ", "… ", "。", "！", "？", "۔ ", "؟ "),
    ("; ", ", ", "، "),
    (" ", "\u3000"),
)
# Never start a part with these: they belong to the character before them.
_JOINERS = {"\u200d", "\u200c", "\ufe0e", "\ufe0f"}


def sanitize(text: str) -> str:
    """Drop what Telegram refuses or mangles: control characters and lone surrogates.

    Newlines and tabs stay; format characters (bidi marks, joiners) stay because
    right-to-left scripts and emoji sequences need them.
    """
    kept = []
    for ch in text:
        if ch in "\n\t":
            kept.append(ch)
        elif ch == "\r":
            continue
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            continue
        else:
            kept.append(ch)
    return "".join(kept)


def escape(text: str) -> str:
    """Escape plain text for parse_mode HTML: `&`, `<` and `>` are the only specials."""
    return html.escape(text, quote=False)


def _safe_cut(text: str, end: int) -> int:
    """Move a hard cut left so it does not split a combining mark or emoji sequence."""
    cut = end
    while cut > 1 and (
        text[cut] in _JOINERS
        or text[cut - 1] == "\u200d"
        or unicodedata.combining(text[cut])
        or 0x1F3FB <= ord(text[cut]) <= 0x1F3FF  # skin tone modifiers
    ):
        cut -= 1
    return cut if cut > end // 2 else end


def _split_point(text: str, end: int) -> int:
    """Where to cut `text`, at or before `end`, preferring natural boundaries."""
    floor = end // 2  # a boundary in the first half would make a stub of a message
    for separators in _BOUNDARIES:
        best = -1
        for sep in separators:
            found = text.rfind(sep, 0, end)
            if found > floor:
                best = max(best, found + len(sep))
        if best > 0:
            return min(best, end)
    return _safe_cut(text, end)


def split_text(text: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """Split plain text into parts of at most `limit` UTF-16 units, none blank.

    Telegram trims whitespace around a message, so parts are trimmed here too
    and their lengths are measured the way Telegram measures them.
    """
    rest = text.strip()
    parts: list[str] = []
    while rest:
        if utf16_units(rest) <= limit:
            parts.append(rest)
            break
        cut = max(_split_point(rest, max(fitting_prefix(rest, limit), 1)), 1)
        part, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if part:
            parts.append(part)
    return parts


def render_parts(text: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """Plain text to HTML message bodies, each within Telegram's length limit."""
    return [escape(part) for part in split_text(sanitize(text), limit)]
