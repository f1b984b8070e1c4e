"""How a message reads: plain English, emoji, button labels, splitting and pauses.

The domain brief asks for a reading age of about 9 to 11, short sentences,
few emoji and only at the end (screen readers read their names aloud), words
on buttons, and larger gaps between messages for members who asked for them.
These checks run over every English msgid in tests/i18n; the splitting and
pause helpers are for delivery.

Readability rule (`plain_english`):
- A message of `MIN_WORDS_FOR_GRADE` words or more must score at most US
  grade `MAX_GRADE` on Flesch-Kincaid (textstat), after each `{placeholder}`
  becomes "Sam", each `/command` "this" and each link "link".
- Below that the formula means nothing (one two-syllable word, "Payment",
  scores 8.4), so a short label fails only on a word of 5 or more syllables.
- `JARGON` words fail anywhere. Each listed exception needs a reason:
  `locales/plain_english.toml`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from statistics import mean
from typing import Any

from bot.i18n_text import COMMAND, FSI, LRI, PDI, RLI

MAX_GRADE = 8.0
MIN_WORDS_FOR_GRADE = 5
MAX_SYLLABLES_IN_LABEL = 4

# From the domain brief ("Learning updates and languages", "Human"), plus two
# obvious relatives. "engag..." is listed in every form: whether it is used as
# a judgement cannot be told by a program, so a fair use needs an exception.
JARGON: dict[str, str] = {
    r"service[- ]users?": "'member', 'co-producer' or the person's name",
    r"hard[- ]to[- ]reach": "'under-served'",
    r"non[- ]?complian(?:t|ce)": "say what happened, without blame",
    r"(?:dis|non[- ]?)?engag(?:e|es|ed|ing|ement)":
        "'taking part', or say nothing: silence is fine",
    r"vulnerab(?:le|ility)": "say what the risk or need is",
    r"no[- ]shows?|failed to attend|did not attend": "'could not come', or say nothing",
}

# --- plain English ------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_URL = re.compile(r"https?://\S+|www\.\S+")


def prepare(msgid: str) -> str:
    """The message as a reader meets it: short stand-ins for values, commands, links."""
    text = _URL.sub("link", msgid)
    text = _PLACEHOLDER.sub("Sam", text)
    return COMMAND.sub("this", text)


@cache
def _textstat() -> Any:
    """A private textstat instance in US English, unrounded (no shared global state)."""
    from textstat.textstat import textstatistics

    ts = textstatistics()
    ts.set_lang("en_US")
    ts.set_rounding_points(None)
    return ts


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'’-]*", text)


def grade(msgid: str) -> float | None:
    """Flesch-Kincaid US grade, or None when the message is too short to score."""
    text = prepare(msgid)
    if len(words(text)) < MIN_WORDS_FOR_GRADE:
        return None
    return round(float(_textstat().flesch_kincaid_grade(text)), 1)


def long_words(msgid: str) -> list[str]:
    ts = _textstat()
    return [w for w in words(prepare(msgid)) if ts.syllable_count(w) > MAX_SYLLABLES_IN_LABEL]


def jargon(msgid: str) -> list[str]:
    """Listed words found in a message, as written."""
    found = []
    for pattern in JARGON:
        found += [m.group(0) for m in re.finditer(rf"\b(?:{pattern})\b", msgid, re.IGNORECASE)]
    return found


@dataclass(frozen=True)
class Violation:
    msgid: str
    why: str
    grade: float | None = None


@dataclass
class PlainReport:
    grades: dict[str, float] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    excepted: list[str] = field(default_factory=list)

    @property
    def mean_grade(self) -> float:
        return round(mean(self.grades.values()), 2) if self.grades else 0.0

    @property
    def max_grade(self) -> tuple[float, str]:
        if not self.grades:
            return 0.0, ""
        msgid = max(self.grades, key=lambda m: (self.grades[m], m))
        return self.grades[msgid], msgid

    def summary(self) -> str:
        top, which = self.max_grade
        return (f"Plain English: {len(self.grades)} messages scored, mean grade "
                f"{self.mean_grade}, max {top} ({which!r}); {len(self.violations)} problems, "
                f"{len(self.excepted)} listed exceptions")


def plain_english(msgids: Iterable[str], exceptions: dict[str, str] | None = None) -> PlainReport:
    """Score every message; list the ones over grade 8, with long words, or with jargon."""
    exceptions = exceptions or {}
    report = PlainReport()
    for msgid in sorted(set(msgids)):
        score = grade(msgid)
        found: list[Violation] = []
        if score is not None:
            report.grades[msgid] = score
            if score > MAX_GRADE:
                found.append(Violation(msgid, f"grade {score}", score))
        else:
            found += [Violation(msgid, f"long word {w!r}") for w in long_words(msgid)]
        found += [Violation(msgid, f"jargon {w!r}", score) for w in jargon(msgid)]
        if found and msgid in exceptions:
            report.excepted.append(msgid)
        else:
            report.violations += found
    return report


def load_exceptions(path: Path) -> dict[str, str]:
    """`[exceptions]` msgid = "reason" from a TOML file; a missing file means none."""
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return {str(k): str(v) for k, v in tomllib.load(fh).get("exceptions", {}).items()}


# --- emoji and buttons --------------------------------------------------------------

# Pictographs, dingbats, arrows and shapes: screen readers read each one's name aloud.
_EMOJI_RANGES = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x2300, 0x23FF),
                 (0x2190, 0x21FF), (0x25A0, 0x25FF))
_EMOJI_JOINERS = {0x200D, 0xFE0F, 0xFE0E, 0x20E3} | set(range(0x1F3FB, 0x1F400))


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _EMOJI_RANGES)


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _keycap(text: str, i: int) -> bool:
    return text[i] in "0123456789#*" and "\u20e3" in text[i + 1 : i + 3]


def emoji_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each emoji (a ZWJ family, a flag or a keycap counts as one)."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if not (_is_emoji(text[i]) or _keycap(text, i)):
            i += 1
            continue
        start, first, i = i, text[i], i + 1
        while i < len(text):
            code = ord(text[i])
            if code == 0x200D and i + 1 < len(text) and _is_emoji(text[i + 1]):
                i += 2
            elif code in _EMOJI_JOINERS or (_regional(first) and _regional(text[i])
                                             and i == start + 1):
                i += 1
            else:
                break
        spans.append((start, i))
    return spans


def _has_words(text: str) -> bool:
    text = _PLACEHOLDER.sub("x", text)
    for start, end in reversed(emoji_spans(text)):
        text = text[:start] + text[end:]
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def emoji_problems(text: str) -> list[str]:
    """At most one emoji, only at the end, never instead of words."""
    spans = emoji_spans(text)
    problems = []
    if len(spans) > 1:
        problems.append("more than one emoji")
    if spans and text[spans[-1][1]:].strip():
        problems.append("emoji not at the end")
    if not _has_words(text):
        problems.append("no words")
    return problems


def button_label_problems(label: str) -> list[str]:
    """A button label is words (a number counts): never only a symbol or an emoji."""
    problems = emoji_problems(label)
    bare = [ch for ch in label if unicodedata.category(ch)[0] not in "SPZ"]
    if not bare and "no words" not in problems:
        problems.append("no words")
    return problems


# --- splitting and pauses -----------------------------------------------------------

DEFAULT_MAX_CHARS = 500  # about one phone screen
SHORT_MAX_CHARS = 250  # for members who asked for short messages or Easy Read
PAUSE_SECONDS = 2.0  # between the parts of one message, so they arrive in order
MORE_TIME_MIN_SECONDS = 10.0  # members who asked for more time between messages
MORE_TIME_MAX_SECONDS = 60.0
SLOW_WORDS_PER_SECOND = 1.5  # about 90 words a minute
# Strongest break first: paragraph, line, sentence (Latin, Arabic, Urdu, Indic), word.
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"),
           re.compile(r"(?<=[.!?؟۔।])\s+"), re.compile(r"\s+"))


def _cuts(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split at `pattern`, never inside an isolate, keeping each separator on its left part."""
    parts, start, depth, depth_at = [], 0, 0, []
    for ch in text:
        depth = depth + 1 if ch in (LRI, RLI, FSI) else max(0, depth - 1) if ch == PDI else depth
        depth_at.append(depth)
    for match in pattern.finditer(text):
        if match.start() > 0 and depth_at[match.start() - 1] == 0 and match.end() > start:
            parts.append(text[start:match.end()])
            start = match.end()
    parts.append(text[start:])
    return [p for p in parts if p]


def _split(text: str, max_chars: int, level: int) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    if level == len(_BREAKS):
        return [text[i:i + max_chars] for i in range(0, len(text), max_chars)]
    chunks: list[str] = []
    current = ""
    for part in _cuts(text, _BREAKS[level]):
        if len((current + part).rstrip()) <= max_chars:
            current += part
            continue
        if current.strip():
            chunks.append(current.rstrip())
        current = ""
        if len(part.rstrip()) > max_chars:
            chunks += _split(part.strip(), max_chars, level + 1)
        else:
            current = part
    if current.strip():
        chunks.append(current.rstrip())
    return chunks


def split_for_reading(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[str]:
    """Cut a long message into short ones at paragraphs, then lines, sentences, words."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    return [c for c in _split(text.strip(), max_chars, 0) if c.strip()] or [text]


def max_chars_for(needs: Iterable[str]) -> int:
    return SHORT_MAX_CHARS if {"short", "easy_read"} & set(needs) else DEFAULT_MAX_CHARS


def pause_after(chunk: str, needs: Iterable[str]) -> float:
    """Seconds to wait after sending `chunk`: longer, by reading time, for "more_time"."""
    if "more_time" not in set(needs):
        return PAUSE_SECONDS
    seconds = len(words(chunk) or chunk.split()) / SLOW_WORDS_PER_SECOND
    return max(MORE_TIME_MIN_SECONDS, min(MORE_TIME_MAX_SECONDS, round(seconds, 1)))


def reading_plan(text: str, needs: Iterable[str] = ()) -> list[tuple[str, float]]:
    """The parts of a message, each with its delay in seconds after the first part.

    Delivery can put the delay on each outbox row's `not_before`; buttons go
    on the last part.
    """
    needs = list(needs)
    plan, delay = [], 0.0
    for chunk in split_for_reading(text, max_chars_for(needs)):
        plan.append((chunk, delay))
        delay += pause_after(chunk, needs)
    return plan
