"""Catalogs are complete and safe; formatting follows the member's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from babel.messages.catalog import Catalog

from bot.config import PROJECT_ROOT
from bot.i18n import I18n
from bot.i18n_check import check_all, check_catalog

LOCALES = PROJECT_ROOT / "locales"


def test_every_catalog_is_complete_and_matches_the_code() -> None:
    problems = check_all(LOCALES)
    assert problems == [], "\n".join(f"{p.lang}: {p.what}: {p.msgid}" for p in problems)


def test_the_check_catches_a_broken_placeholder() -> None:
    catalog = Catalog(locale="cy")
    catalog.add("Hello {name}", "Helo {enw}")
    problems = check_catalog(catalog, "cy", {"Hello {name}", "Bye"})
    assert {p.what for p in problems} == {"placeholders differ", "missing"}


def test_unknown_language_falls_back_to_english() -> None:
    i18n = I18n(LOCALES, ["en", "cy"])
    assert i18n.translator("xx").lang == "en"
    assert i18n.translator("cy").gettext("no such string") == "no such string"


def test_missing_locales_dir_does_not_crash(tmp_path: Path) -> None:
    i18n = I18n(tmp_path / "nowhere", ["en", "cy"])
    assert i18n.translator("cy").gettext("1 week") == "1 week"


def test_money_and_dates_follow_the_member_locale() -> None:
    i18n = I18n(LOCALES, ["en", "cy"])
    en, cy = i18n.translator("en"), i18n.translator("cy")
    assert en.money(Decimal("1234.5")) == "£1,234.50"
    assert cy.money(Decimal("1234.5")) == "£1,234.50"
    assert "Mawrth" in cy.date(date(2026, 3, 29))
    assert "March" in en.date(date(2026, 3, 29))


def test_times_are_shown_in_the_member_time_zone() -> None:
    i18n = I18n(LOCALES, ["en"])
    karachi = i18n.translator("en", timezone="Asia/Karachi")
    assert "14:00" in karachi.datetime(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), "HH:mm")
    london = i18n.translator("en", timezone="Europe/London")
    assert london.datetime(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), "HH:mm") == "10:00"
    assert london.datetime(datetime(2026, 1, 1, 9, 0, tzinfo=UTC), "HH:mm") == "09:00"
