"""Easy Read: a member who asked for it gets the shorter variant, in their language."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import N_, I18n
from tests.i18n.conftest import write_catalog

NORMAL = N_("We will pay you by bank transfer. It should arrive by {date}.")
EASY = N_("Your money comes by {date}.")


def test_choose_follows_the_easy_read_flag(tmp_path: Path) -> None:
    write_catalog(tmp_path, "cy", {NORMAL: "Byddwn yn talu drwy drosglwyddiad banc erbyn {date}.",
                                   EASY: "Daw eich arian erbyn {date}."})
    i18n = I18n(tmp_path, ["en", "cy"])
    assert i18n.translator("en").choose(NORMAL, EASY) == NORMAL
    assert i18n.translator("en", easy=True).choose(NORMAL, EASY) == EASY
    assert i18n.translator("cy", easy=True).choose(NORMAL, EASY) == "Daw eich arian erbyn {date}."
    assert i18n.translator("cy").choose(NORMAL, EASY).startswith("Byddwn")


def test_an_untranslated_easy_variant_falls_back_to_english_easy(tmp_path: Path) -> None:
    write_catalog(tmp_path, "pl", {NORMAL: "Zapłacimy przelewem do {date}."})
    t = I18n(tmp_path, ["en", "pl"]).translator("pl", "Europe/London", easy=True)
    assert t.choose(NORMAL, EASY) == EASY


def test_context_variants_with_pgettext(tmp_path: Path) -> None:
    write_catalog(tmp_path, "cy", {"Open": "Agored"})
    path = tmp_path / "cy" / "LC_MESSAGES" / "messages.po"
    path.write_text(path.read_text(encoding="utf-8")
                    + '\nmsgctxt "verb"\nmsgid "Open"\nmsgstr "Agor"\n', encoding="utf-8")
    t = I18n(tmp_path, ["en", "cy"]).translator("cy")
    assert t.gettext("Open") == "Agored"
    assert t.pgettext("verb", "Open") == "Agor"
    assert t.pgettext("other", "Open") == "Open"
    assert t.npgettext("verb", "{n} file", "{n} files", 2) == "{n} files"


def test_the_flag_is_positional_compatible() -> None:
    i18n = I18n(Path("/nowhere"), ["en"])
    t = i18n.translator("en", "Asia/Karachi")  # existing callers pass the zone second
    assert t.timezone == "Asia/Karachi" and t.easy is False
