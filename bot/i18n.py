"""Translations and locale formatting, per member.

Catalogs are read straight from `locales/<lang>/LC_MESSAGES/messages.po` and
compiled in memory, so a fresh clone works without a compile step. A compiled
`messages.mo` next to the `.po` is used when it is newer.

A translation that would crash `.format()` (a changed `{placeholder}`) is
dropped when the catalog loads, so that one string falls back to English
instead of breaking the message. The catalog check reports it too.
"""

from __future__ import annotations

import gettext
import io
import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from bot.i18n_text import bidi_wrap, is_rtl, isolate, isolate_value, unsafe

DOMAIN = "messages"
log = logging.getLogger(__name__)

# Native names shown on the language buttons, so people can find their own.
LANGUAGE_NAMES = {
    "en": "English",
    "cy": "Cymraeg",
    "pl": "Polski",
    "ro": "Română",
    "pa": "ਪੰਜਾਬੀ",
    "ur": "اردو",
    "bn": "বাংলা",
    "ar": "العربية",
    "so": "Soomaali",
    "uk": "Українська",
    "gu": "ગુજરાતી",
}


def N_(message: str) -> str:  # noqa: N802 - gettext convention
    """Mark a string for extraction without translating it yet."""
    return message


def language_name(code: str) -> str:
    """The language's own name; Babel's for a configured code missing from the list."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        name = None
    return name or code


def drop_unsafe(catalog: Catalog, lang: str) -> int:
    """Blank translations that would crash or break a message; English shows instead."""
    dropped = 0
    for message in catalog:
        if not message.id or not message.string:
            continue
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        english = message.id if isinstance(message.id, str) else tuple(message.id)
        if unsafe(english, tuple(str(f) for f in forms if f)):
            message.string = ("",) * len(forms) if isinstance(message.id, tuple) else ""
            dropped += 1
    if dropped:
        log.warning("i18n: dropped %d unsafe translations in %s", dropped, lang)
    return dropped


def drop_unsafe_compiled(compiled: gettext.GNUTranslations, lang: str) -> int:
    """The same guard for a compiled `.mo` (its messages live in `_catalog`)."""
    table: dict[str | tuple[str, int], str] = compiled._catalog  # type: ignore[attr-defined]
    bad = []
    for key, text in table.items():
        english = (key[0] if isinstance(key, tuple) else key).split("\x04")[-1]
        if not english:
            continue  # the header
        if unsafe(english if isinstance(key, str) else (english,), (text,)):
            bad.append(key)
    for key in bad:
        del table[key]
    if bad:
        log.warning("i18n: dropped %d unsafe compiled translations in %s", len(bad), lang)
    return len(bad)


class CatalogStore:
    """Loads and caches one `GNUTranslations` per language."""

    def __init__(self, locales_dir: Path) -> None:
        self.locales_dir = locales_dir
        self._cache: dict[str, gettext.NullTranslations] = {}
        self._lock = threading.Lock()

    def available(self) -> list[str]:
        found = ["en"]
        if self.locales_dir.is_dir():
            for child in sorted(self.locales_dir.iterdir()):
                if (child / "LC_MESSAGES" / f"{DOMAIN}.po").is_file() and child.name != "en":
                    found.append(child.name)
        return found

    def get(self, lang: str) -> gettext.NullTranslations:
        with self._lock:
            if lang not in self._cache:
                self._cache[lang] = self._load(lang)
            return self._cache[lang]

    def clear(self) -> None:
        """Forget loaded catalogs, e.g. after a review wrote a correction."""
        with self._lock:
            self._cache.clear()

    def _load(self, lang: str) -> gettext.NullTranslations:
        folder = self.locales_dir / lang / "LC_MESSAGES"
        po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
        if mo_path.is_file() and (
            not po_path.is_file() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
        ):
            with mo_path.open("rb") as fh:
                compiled = gettext.GNUTranslations(fh)
            drop_unsafe_compiled(compiled, lang)
            return compiled
        if not po_path.is_file():
            return gettext.NullTranslations()
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        drop_unsafe(catalog, lang)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        return gettext.GNUTranslations(buf)


# Plain language codes mean the UK variant where Babel has one: "en" alone would
# be US English ("November 27, 2026" instead of "27 November 2026"). Arabic is
# Modern Standard Arabic (ar_001). Every locale formats with Latin digits
# (Babel's default numbering system), so amounts, dates and references match
# UK bank statements and letters; see tests/i18n/test_rtl.py.
REGIONAL = {"en": "en_GB", "pa": "pa_Guru_IN", "bn": "bn_BD", "so": "so_SO", "ar": "ar_001"}


def babel_locale(lang: str) -> Locale:
    try:
        return Locale.parse(REGIONAL.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@dataclass
class Translator:
    """A member's language: gettext functions plus Babel formatting.

    `easy` is set when the member asked for Easy Read: `choose(normal, easy)`
    then picks the shorter variant. In right-to-left languages every formatted
    amount, number and date comes back isolated (see `bot.i18n_text`), so it
    can be dropped into a sentence safely; pass `marks=False` for exports.
    """

    lang: str
    translations: gettext.NullTranslations
    timezone: str = "Europe/London"
    easy: bool = False

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    _ = gettext

    def pgettext(self, context: str, message: str) -> str:
        """A string with a msgctxt, for the same English meaning two things."""
        return self.translations.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.translations.npgettext(context, singular, plural, n)

    def choose(self, normal: str, easy: str) -> str:
        """The Easy Read variant when the member asked for it, translated.

        Mark both with `N_()` so both are extracted and translated, e.g.
        `ctx.t.choose(N_("We will pay you by {date}."), N_("Money by {date}."))`.
        """
        return self.gettext(easy if self.easy else normal)

    @property
    def locale(self) -> Locale:
        return babel_locale(self.lang)

    @property
    def rtl(self) -> bool:
        return is_rtl(self.lang)

    def _mark(self, value: str, marks: bool) -> str:
        return isolate_value(value, self.lang) if marks else value

    def money(self, amount: Decimal, currency: str = "GBP", *, marks: bool = True) -> str:
        return self._mark(format_currency(amount, currency, locale=self.locale), marks)

    def number(self, value: Decimal | int | float, *, marks: bool = True) -> str:
        return self._mark(format_decimal(value, locale=self.locale), marks)

    def date(self, value: date, fmt: str = "long", *, marks: bool = True) -> str:
        return self._mark(format_date(value, format=fmt, locale=self.locale), marks)

    def _aware(self, value: datetime) -> datetime:
        return value.replace(tzinfo=ZoneInfo("UTC")) if value.tzinfo is None else value

    def time(self, value: datetime, fmt: str = "short", *, marks: bool = True) -> str:
        """The clock time of a UTC datetime, in the member's time zone."""
        text = format_time(
            self._aware(value), format=fmt, tzinfo=ZoneInfo(self.timezone), locale=self.locale
        )
        return self._mark(text, marks)

    def datetime(self, value: datetime, fmt: str = "medium", *, marks: bool = True) -> str:
        """Format a UTC (naive or aware) datetime in the member's time zone."""
        text = format_datetime(
            self._aware(value), format=fmt, tzinfo=ZoneInfo(self.timezone), locale=self.locale
        )
        return self._mark(text, marks)

    def isolate(self, user_text: str) -> str:
        """A name or note someone typed, safe to put into this member's message."""
        return isolate(user_text, self.lang)

    def wrap(self, text: str) -> str:
        """A finished message with its left-to-right runs isolated (RTL languages only)."""
        return bidi_wrap(text, self.lang)


class I18n:
    """Hands out translators; one per process, passed explicitly (no globals)."""

    def __init__(self, locales_dir: Path, languages: list[str], default: str = "en") -> None:
        self.store = CatalogStore(locales_dir)
        self.languages = languages
        self.default = default

    def translator(
        self, lang: str | None, timezone: str = "Europe/London", *, easy: bool = False
    ) -> Translator:
        lang = lang if lang in self.languages else self.default
        return Translator(lang, self.store.get(lang), timezone, easy)

    def names(self) -> dict[str, str]:
        """Every configured language with its own name, for buttons and the dashboard."""
        return {code: language_name(code) for code in self.languages}
