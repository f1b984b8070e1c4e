"""Dates, times, numbers and GBP in each of the ten languages, through `Translator`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.i18n import LANGUAGE_NAMES, I18n, language_name
from tests.i18n.conftest import write_catalog

LOCALES = PROJECT_ROOT / "locales"
LANGS = ["en", "cy", "pl", "ro", "pa", "ur", "bn", "ar", "so", "uk"]
BIDI = re.compile("[\u200e\u200f\u061c\u2066-\u2069]")
# March in each language, as Babel (CLDR) writes it in a long date.
MARCH = {"en": "March", "cy": "Mawrth", "pl": "marca", "ro": "martie", "pa": "ਮਾਰਚ",
         "ur": "مارچ", "bn": "মার্চ", "ar": "مارس", "so": "Maarso", "uk": "березня"}


def plain(text: str) -> str:
    """The text without direction marks, spaces normalised: what the digits say."""
    return BIDI.sub("", text).replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n(LOCALES, LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_dates_use_the_member_language(i18n: I18n, lang: str) -> None:
    t = i18n.translator(lang)
    text = plain(t.date(date(2026, 3, 29)))
    assert MARCH[lang] in text and "29" in text and "2026" in text


@pytest.mark.parametrize("lang", LANGS)
def test_times_are_in_the_member_time_zone(i18n: I18n, lang: str) -> None:
    moment = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert plain(i18n.translator(lang, "Europe/London").time(moment, "HH:mm")) == "10:00"
    assert plain(i18n.translator(lang, "Asia/Karachi").time(moment, "HH:mm")) == "14:00"
    assert plain(i18n.translator(lang, "Asia/Dhaka").datetime(moment, "HH:mm")) == "15:00"
    short = plain(i18n.translator(lang, "Europe/London").time(moment))
    assert "10" in short and "00" in short


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_and_pounds_use_latin_digits_and_are_unambiguous(i18n: I18n, lang: str) -> None:
    t = i18n.translator(lang)
    number = plain(t.number(Decimal("1234.5")))
    money = plain(t.money(Decimal("1234.5")))
    # Grouping and decimal signs differ (1,234.5 / 1 234,5 / 1.234,5); the digits never do.
    assert re.sub(r"\D", "", number) == "12345"
    assert re.sub(r"\D", "", money) == "123450"
    assert "£" in money or "GBP" in money
    decimal_sign = "," if lang in ("pl", "ro", "uk") else "."
    assert money.split(decimal_sign)[-1].startswith("50")


def test_every_default_and_issue_language_has_a_name() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    for code in {*settings.languages, *LANGS}:
        assert code in LANGUAGE_NAMES, code
    assert language_name("fr") == "français"  # configured but not listed: Babel's name
    assert I18n(LOCALES, ["en", "ur"]).names() == {"en": "English", "ur": "اردو"}


PLURAL_CASES = {
    # lang: {n: form index}, from Babel's (CLDR-derived) gettext rules
    "cy": {0: 0, 1: 1, 2: 2, 3: 3, 4: 0, 6: 4, 11: 0},
    "ar": {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 5, 99: 5, 100: 4, 103: 3},
    "pl": {1: 0, 2: 1, 4: 1, 5: 2, 12: 2, 22: 1, 25: 2, 112: 2},
    "uk": {1: 0, 21: 0, 11: 2, 2: 1, 24: 1, 5: 2, 111: 2},
    "ro": {1: 0, 0: 1, 2: 1, 19: 1, 20: 2, 101: 1},
}


@pytest.mark.parametrize("lang", sorted(PLURAL_CASES))
def test_ngettext_picks_the_catalog_plural_form(tmp_path: Path, lang: str) -> None:
    count = max(PLURAL_CASES[lang].values()) + 1
    forms = tuple(f"form{i} {{n}}" for i in range(count))
    write_catalog(tmp_path, lang, {("{n} week", "{n} weeks"): forms})
    t = I18n(tmp_path, ["en", lang]).translator(lang)
    for n, index in PLURAL_CASES[lang].items():
        assert t.ngettext("{n} week", "{n} weeks", n).format(n=n) == f"form{index} {n}", n


def test_english_plurals_without_a_catalog(i18n: I18n) -> None:
    t = i18n.translator("en")
    assert t.ngettext("{n} week", "{n} weeks", 1) == "{n} week"
    assert t.ngettext("{n} week", "{n} weeks", 0) == "{n} weeks"


def test_exports_can_ask_for_values_without_direction_marks(i18n: I18n) -> None:
    t = i18n.translator("ur")
    assert t.money(Decimal("25"), marks=False) == "£25.00"
    assert t.money(Decimal("25")) != "£25.00"
