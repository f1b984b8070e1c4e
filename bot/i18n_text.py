"""Text rules for translated strings: placeholders, markup, commands and direction.

Two jobs share this module because both must hold for every string a member
sees, and both are needed by `bot.i18n` at load time (without the heavier
checking code):

- **Safety.** A translation must keep the English `{placeholders}`, `/commands`
  and markup, or `.format()` crashes and commands stop working.
- **Direction.** Urdu and Arabic run right to left. A left-to-right run inside
  them (an amount, a date, a payment reference, an English name) can be
  reordered by the phone so that it reads wrongly. Each such run is wrapped in
  Unicode isolates (LRI ... PDI), which keeps it whole and stops it pulling the
  punctuation around it into its own direction. A line that starts with such a
  run gets an RLM first, so the phone still sees a right-to-left line.
"""

from __future__ import annotations

import re
import string
import unicodedata

RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "he", "ps", "sd", "ug", "yi", "ckb", "dv"})
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
LRM, RLM, ALM = "\u200e", "\u200f", "\u061c"
_OPENERS = frozenset({LRI, RLI, FSI})
_MARKS = frozenset({LRM, RLM, ALM})
# Embeddings, overrides and isolates: a name containing U+202E could flip the
# rest of a message, so they are removed from anything a member typed.
_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# Neutral characters that may sit inside a left-to-right run (URLs, names, refs).
_JOINERS = frozenset("'’&@_=?~*#")
_BODY = frozenset({"L", "EN", "ES", "ET", "CS", "NSM", "WS", "BN"})
_STRONG_RTL = frozenset({"R", "AL"})

_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)>")
COMMAND = re.compile(r"(?<![\w/:.<])/[a-z][a-z0-9_]*")


# --- safety -------------------------------------------------------------------------

def placeholders(text: str) -> set[str]:
    """The `{names}` that `.format()` will look up; a broken brace is its own problem."""
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError:
        return {"<broken braces>"}


def tags(text: str) -> list[str]:
    """Markup tags such as `<b>` and `</b>`, in order."""
    return [m.group(0) for m in _TAG.finditer(text)]


def markup_balanced(text: str) -> bool:
    """Every opening tag is closed, in the right order."""
    stack: list[str] = []
    for match in _TAG.finditer(text):
        name, self_closing = match.group(1).lower(), match.group(2)
        if self_closing:
            continue
        if match.group(0).startswith("</"):
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def tag_names(text: str) -> list[str]:
    return sorted(m.group(0).split()[0].strip("</>").lower() for m in _TAG.finditer(text))


def commands(text: str) -> list[str]:
    """`/commands` in a message; a translation must keep them exactly."""
    return sorted(COMMAND.findall(text))


def translation_problems(english: str | tuple[str, ...], forms: tuple[str, ...]) -> list[str]:
    """Why a translation is unsafe to show, or [] when it is fine.

    `english` is the msgid, or (singular, plural) for a plural entry. A plural
    form may leave out a placeholder (many languages say "one week" in words),
    but may never add one English does not have, and between them the forms
    must use every English placeholder.
    """
    originals = (english,) if isinstance(english, str) else tuple(english)
    wanted = set().union(*(placeholders(e) for e in originals))
    problems: list[str] = []
    for text in forms:
        have = placeholders(text)
        plural = len(originals) > 1
        if (have - wanted) if plural else (have != wanted):
            problems.append("placeholders differ")
        if not markup_balanced(text):
            problems.append("markup unbalanced")
        elif tag_names(text) != tag_names(originals[0]):
            problems.append("markup differs")
        if set(commands(text)) != set(commands(originals[0])):
            problems.append("commands differ")
    if len(originals) > 1 and forms and set().union(*(placeholders(f) for f in forms)) != wanted:
        problems.append("placeholders differ")
    return sorted(set(problems))


def unsafe(english: str | tuple[str, ...], forms: tuple[str, ...]) -> bool:
    """True when showing this translation could crash `.format()` or lose a value.

    Used when a catalog loads: such a string falls back to English. Missing
    markup or commands are left to the catalog check; they do not crash.
    """
    if isinstance(english, str):
        return any(placeholders(f) != placeholders(english) for f in forms)
    wanted = set().union(*(placeholders(e) for e in english))
    return any(placeholders(f) - wanted for f in forms)


# --- direction ----------------------------------------------------------------------

def is_rtl(lang: str | None) -> bool:
    """True for right-to-left languages, whatever the region (`ar`, `ar_001`, `ur-PK`)."""
    return (lang or "").replace("-", "_").split("_")[0].lower() in RTL_LANGUAGES


def strip_controls(text: str) -> str:
    """Remove embedding, override and isolate controls a member may have typed."""
    return text.translate(_CONTROLS)


def first_strong(text: str) -> str | None:
    """"ltr" or "rtl" for the first strong character (isolated parts skipped), else None."""
    depth = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch == PDI:
            depth = max(0, depth - 1)
        elif depth == 0:
            kind = unicodedata.bidirectional(ch)
            if kind == "L":
                return "ltr"
            if kind in _STRONG_RTL:
                return "rtl"
    return None


def _wrap(text: str) -> str:
    return (RLI if first_strong(text) == "rtl" else LRI) + text + PDI


def isolate_value(value: str, lang: str) -> str:
    """A formatted amount, number or date as one unit in right-to-left text.

    Babel's own marks (Arabic's RLM before an amount) are kept. Its Latin runs
    are isolated too, or Arabic's "1,234.50 UK£" would show as "£UK", and the
    whole value is isolated so nothing around it can reorder it. Left-to-right
    languages get the value back unchanged.
    """
    if not value or not is_rtl(lang):
        return value
    inner = _isolate_runs(value)
    if inner.startswith(LRI) and _skip_isolate(inner, 0) == len(inner):
        return inner  # one Latin run, e.g. Urdu "£1,234.50": already whole
    return _wrap(inner)


def isolate(text: str, lang: str) -> str:
    """Text a member typed (a name, a note), safe to put inside a message.

    Controls are stripped. In a right-to-left message the text is always
    isolated; in a left-to-right one only when it contains right-to-left
    letters, so English names in English messages stay untouched.
    """
    text = strip_controls(text)
    if not text:
        return text
    if is_rtl(lang):
        return _wrap(text)
    if any(unicodedata.bidirectional(ch) in _STRONG_RTL for ch in text):
        return _wrap(text)
    return text


def _starts_run(text: str, i: int) -> bool:
    ch = text[i]
    if ch in _MARKS:
        return False
    kind = unicodedata.bidirectional(ch)
    if kind in ("L", "EN"):
        return True
    # "£5", "+44", "/help", "@name", "#12": a prefix joined to what follows.
    if (kind in ("ET", "ES") or ch in "/@#") and i + 1 < len(text):
        return unicodedata.bidirectional(text[i + 1]) in ("L", "EN")
    return False


def _in_run(ch: str) -> bool:
    if ch in _MARKS or ch in _OPENERS or ch == PDI:
        return False
    return unicodedata.bidirectional(ch) in _BODY or ch in _JOINERS


def _ends_run(ch: str) -> bool:
    return ch not in _MARKS and unicodedata.bidirectional(ch) in ("L", "EN", "ET")


def _skip_isolate(text: str, i: int) -> int:
    """Index just after the PDI matching the isolate opened at `i`."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] in _OPENERS:
            depth += 1
        elif text[j] == PDI:
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def _isolate_runs(line: str) -> str:
    """Each left-to-right run in LRI ... PDI; existing isolates are left as they are."""
    out: list[str] = []
    i = 0
    while i < len(line):
        if line[i] in _OPENERS:
            j = _skip_isolate(line, i)
            out.append(line[i:j])
            i = j
        elif _starts_run(line, i):
            last = i
            j = i + 1
            while j < len(line) and _in_run(line[j]):
                if _ends_run(line[j]):
                    last = j
                j += 1
            out.append(LRI + line[i : last + 1] + PDI)
            i = last + 1
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def _wrap_line(line: str) -> str:
    wrapped = _isolate_runs(line)
    if wrapped and unicodedata.bidirectional(wrapped[0]) not in _STRONG_RTL:
        wrapped = RLM + wrapped
    return wrapped


def bidi_wrap(text: str, lang: str) -> str:
    """Isolate the left-to-right runs of a finished right-to-left message.

    Apply it once, after `.format()` (never to a msgid: `{amount}` would be
    wrapped too). Lines without right-to-left letters (an English fallback)
    and left-to-right languages are returned unchanged. Running it twice
    changes nothing.
    """
    if not is_rtl(lang):
        return text
    lines = text.split("\n")
    return "\n".join(
        _wrap_line(line)
        if any(unicodedata.bidirectional(ch) in _STRONG_RTL for ch in line) else line
        for line in lines
    )
