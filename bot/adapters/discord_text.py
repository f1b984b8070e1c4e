"""Plain text to Discord message content: escaped, then cut into 2000-character parts.

Handlers write plain text; Discord renders Markdown, so a member's `*` or `_`
would turn into formatting. We escape first and split after, so a part never
ends between a backslash and the character it protects. Lengths are counted in
UTF-16 code units, which is never less than Discord's own count, so a part we
accept is never refused as too long.
"""

from __future__ import annotations

from discord.utils import escape_markdown

from bot.adapters.utf16 import fitting_prefix, utf16_units

MAX_CONTENT = 2000
MAX_LABEL = 80
# Split points, best first: between paragraphs, between lines, between words.
SEPARATORS = ("\n\n", "\n", " ")


def escape(text: str) -> str:
    """Show the text as typed: Markdown characters are escaped, links are kept."""
    return escape_markdown(text)


def render_parts(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Escaped content parts, each within `limit`; empty text gives no parts."""
    return split_text(escape(text), limit)


def split_text(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """Cut at paragraph, line or word breaks where possible, hard cut otherwise."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_units(rest) <= limit:
            parts.append(rest)
            break
        fit = fitting_prefix(rest, limit)
        head, tail = _cut(rest, fit)
        if head.strip():
            parts.append(head.rstrip())
        rest = tail.lstrip()
    return parts


def _cut(text: str, fit: int) -> tuple[str, str]:
    window = text[:fit]
    for separator in SEPARATORS:
        at = window.rfind(separator)
        # A break in the first half would leave a tiny part.
        if at > fit // 2 and not _odd_backslashes(text[:at]):
            return text[:at], text[at + len(separator) :]
    cut = fit
    # Never separate an escaping backslash from the character after it.
    while cut > 1 and _odd_backslashes(text[:cut]):
        cut -= 1
    return text[:cut], text[cut:]


def _odd_backslashes(head: str) -> bool:
    run = len(head) - len(head.rstrip("\\"))
    return run % 2 == 1


def button_label(text: str) -> str:
    """Discord labels are 1 to 80 characters and are not Markdown."""
    label = " ".join(text.split())
    if len(label) > MAX_LABEL:
        label = label[: MAX_LABEL - 1].rstrip() + "…"
    return label or "•"
