"""Every message of every catalog, in every language, through Telegram and the console.

Layer (b) of the render test (layer (a), the scripted journeys, is in
test_render_journeys.py). Each msgid (each plural form too) is translated,
filled with sample values (money, dates and numbers by Babel, user text with
`&` and `<`), and rendered by the real `TelegramSender` against the fake Bot
API, which parses the HTML entities and checks lengths and buttons, and by the
console adapter. Messages are batched (many msgids to one message, short ones
also as buttons) so ten languages take seconds; a batch that fails is sent
again one msgid at a time, so the report names the msgid.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

import pytest

import bot.adapters.telegram_text as telegram_text
from bot.config import PROJECT_ROOT
from bot.core.events import Button, OutgoingMessage
from bot.i18n import I18n, Translator
from bot.i18n_check import load, message_key, source_msgids
from tests.i18n.render import render_problems

LOCALES = PROJECT_ROOT / "locales"
LANGUAGES = ("en", "cy", "pl", "ro", "pa", "ur", "bn", "ar", "so", "uk")
PLURAL_NS = (0, 1, 2, 3, 5, 11, 21, 100)
BATCH_CHARS = 3000
BUTTONS_PER_BATCH = 24
MAX_BUTTON_CHARS = 40
# Typed by people: markup characters, an apostrophe, a non-Latin name.
USER_TEXT = {"name": "Zoë & <Jo>", "member": "Zoë & <Jo> (#7)", "note": "a < b & c > d",
             "text": "We *need* <b>heat</b> & light", "title": "Room & <news>",
             "reason": "no budget <yet>", "reply": "Yes & thanks", "answer": "4 < 5",
             "response": "Fine & you?", "mention": "@zoe_jo", "place": "Town hall & café",
             "prepare": "Read <p>1-3</p>", "label": "Travel & food", "group": "Riverside & co",
             "orgs": "Bridge Trust, NHS Riverside", "question": "How was it?",
             "topic": "Housing", "info": "Step-free", "tags": "heat, room",
             "reference": "BACS-42", "code": "K7P-2Q", "url": "https://example.org/a?b=1&c=2",
             "link": "https://example.org/x", "advice": "Citizens Advice (citizensadvice.org.uk)",
             "zone": "Europe/London", "platform": "Telegram", "source": "Discord",
             "version": "2026-11", "role": "finance", "status": "paid", "method": "bank transfer",
             "activity": "Meeting", "language": "Cymraeg", "languages": "English, Cymraeg",
             "choice": "Every week", "plan": "every Monday at 10:00", "payment": "#12",
             "value": "not set", "words": "help, stop", "mood": "Good", "target": "5 days",
             "when": "tomorrow", "day": "Monday", "month": "November 2026"}
MONEY = {"amount", "fee", "rate", "total"}
NUMBERS = {"count", "n", "hours", "days", "minutes", "number", "id", "limit", "sent",
           "answered", "max", "median", "p90", "average"}
WHEN = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)


def samples(t: Translator) -> dict[str, str]:
    values = dict(USER_TEXT)
    values.update({k: t.money(Decimal("1234.50")) for k in MONEY})
    values.update({k: t.number(Decimal("12.5") if k == "hours" else 3) for k in NUMBERS})
    values.update(date=t.date(date(2026, 11, 27)), time=t.time(WHEN), start=t.time(WHEN),
                  end=t.time(WHEN))
    return values


class Blanks(dict[str, str]):
    """Any placeholder not listed above still gets a value, never a KeyError."""

    def __missing__(self, key: str) -> str:
        return f"sample {key}"


@cache
def i18n() -> I18n:
    return I18n(LOCALES, list(LANGUAGES))


@cache
def entries() -> tuple[tuple[str | None, str, str | None], ...]:
    """(msgctxt, singular, plural) for the template, every catalog and the code."""
    found: set[tuple[str | None, str, str | None]] = set()
    paths = [LOCALES / "messages.pot"] + [LOCALES / lang / "LC_MESSAGES" / "messages.po"
                                          for lang in LANGUAGES if lang != "en"]
    for path in paths:
        for message in load(path):
            if not message.id:
                continue
            plural = None if isinstance(message.id, str) else message.id[1]
            found.add((message.context, message_key(message), plural))
    found |= {(None, msgid, None) for msgid in source_msgids()}
    return tuple(sorted(found, key=lambda e: (e[0] or "", e[1], e[2] or "")))


def rendered(t: Translator) -> Iterator[tuple[str, str]]:
    """(msgid, text as a member would read it) for every entry and plural form."""
    values = Blanks(samples(t))
    for context, msgid, plural in entries():
        if plural is None:
            forms = [t.pgettext(context, msgid) if context else t.gettext(msgid)]
        else:
            forms = [t.npgettext(context, msgid, plural, n) if context
                     else t.ngettext(msgid, plural, n) for n in PLURAL_NS]
        for form in dict.fromkeys(forms):
            yield msgid, t.wrap(string.Formatter().vformat(form, (), values))


def batches(lang: str) -> list[list[tuple[str, str]]]:
    groups: list[list[tuple[str, str]]] = [[]]
    size = 0
    for item in rendered(i18n().translator(lang)):
        if size + len(item[1]) > BATCH_CHARS and groups[-1]:
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += len(item[1]) + 2
    return groups


def as_message(items: list[tuple[str, str]]) -> OutgoingMessage:
    labels = [text for _, text in items if "\n" not in text and len(text) <= MAX_BUTTON_CHARS]
    buttons = [Button(label, f"r:{i}") for i, label in enumerate(labels[:BUTTONS_PER_BATCH])]
    return OutgoingMessage("\n\n".join(text for _, text in items),
                           [buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def test_every_entry_is_covered() -> None:
    found = {msgid for _, msgid, _ in entries()}
    assert len(found) > 500 and source_msgids() <= found
    assert "Has it arrived?" in found and "Chosen: {choice}" in found


def test_sample_values_fill_every_placeholder() -> None:
    t = i18n().translator("ar")
    text = dict(rendered(t))["Total: {total}"]
    assert "{" not in text and "1,234.50" in text and "\u2066" in text  # isolated amount


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_renders_in(lang: str) -> None:
    groups = batches(lang)
    assert sum(len(g) for g in groups) >= len(entries())
    problems = render_problems([(f"{lang} batch {i}", as_message(g))
                                for i, g in enumerate(groups)])
    if problems:  # name the msgids: send the failing batches one message at a time
        failing = {int(p.split()[2].rstrip(":")) for p in problems}
        singles = [(f"{lang} {msgid!r}", as_message([(msgid, text)]))
                   for i in sorted(failing) for msgid, text in groups[i]]
        problems = render_problems(singles) or problems
    assert problems == []



def test_the_render_check_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unescaped markup is refused by the fake, and the report says which message."""
    monkeypatch.setattr(telegram_text, "escape", lambda text: text)
    problems = render_problems([("broken", OutgoingMessage("Tea & <cake"))])
    assert problems and problems[0].startswith("broken: failed parse_error")


def test_long_text_is_split_and_unsplit_it_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram's length limit is checked: the sender must split, or the fake refuses."""
    long = OutgoingMessage("x" * 5000 + " & <")
    assert render_problems([("long", long)]) == [], "long text is split, not refused"
    monkeypatch.setattr(telegram_text, "split_text", lambda text, limit=4096: [text])
    problems = render_problems([("long", long)])
    assert problems and "too_long" in problems[0]
