"""Translations and locale formatting, per member.

Catalogs are read straight from `locales/<lang>/LC_MESSAGES/messages.po` and
compiled in memory, so a fresh clone works without a compile step. A compiled
`messages.mo` next to the `.po` is used when it is newer.
"""

from __future__ import annotations

import gettext
import io
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

DOMAIN = "messages"

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

    def _load(self, lang: str) -> gettext.NullTranslations:
        folder = self.locales_dir / lang / "LC_MESSAGES"
        po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
        if mo_path.is_file() and (
            not po_path.is_file() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
        ):
            with mo_path.open("rb") as fh:
                return gettext.GNUTranslations(fh)
        if not po_path.is_file():
            return gettext.NullTranslations()
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        return gettext.GNUTranslations(buf)


# Plain language codes mean the UK variant where Babel has one: "en" alone would
# be US English ("November 27, 2026" instead of "27 November 2026").
REGIONAL = {"en": "en_GB", "pa": "pa_Guru_IN", "bn": "bn_BD", "so": "so_SO", "ar": "ar_001"}


def babel_locale(lang: str) -> Locale:
    try:
        return Locale.parse(REGIONAL.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


@dataclass
class Translator:
    """A member's language: gettext functions plus Babel formatting."""

    lang: str
    translations: gettext.NullTranslations
    timezone: str = "Europe/London"

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    _ = gettext

    @property
    def locale(self) -> Locale:
        return babel_locale(self.lang)

    def money(self, amount: Decimal, currency: str = "GBP") -> str:
        return format_currency(amount, currency, locale=self.locale)

    def number(self, value: Decimal | int | float) -> str:
        return format_decimal(value, locale=self.locale)

    def date(self, value: date, fmt: str = "long") -> str:
        return format_date(value, format=fmt, locale=self.locale)

    def datetime(self, value: datetime, fmt: str = "medium") -> str:
        """Format a UTC (naive or aware) datetime in the member's time zone."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo("UTC"))
        return format_datetime(
            value, format=fmt, tzinfo=ZoneInfo(self.timezone), locale=self.locale
        )


class I18n:
    """Hands out translators; one per process, passed explicitly (no globals)."""

    def __init__(self, locales_dir: Path, languages: list[str], default: str = "en") -> None:
        self.store = CatalogStore(locales_dir)
        self.languages = languages
        self.default = default

    def translator(self, lang: str | None, timezone: str = "Europe/London") -> Translator:
        lang = lang if lang in self.languages else self.default
        return Translator(lang, self.store.get(lang), timezone)
