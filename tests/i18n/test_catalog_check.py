"""The catalog check: what fails CI, what is only reported, and the runtime guard."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from bot.config import PROJECT_ROOT
from bot.i18n import I18n
from bot.i18n_check import check_catalog, report, untranslated
from tests.i18n.conftest import write_catalog, write_template

LOCALES = PROJECT_ROOT / "locales"
# Babel's (CLDR-derived) gettext rules. Welsh is 5 in Babel: CLDR's "zero"
# (n=0) shares a form with "other" (n=4, 5, 7...).
PLURAL_COUNTS = {"cy": 5, "ar": 6, "pl": 3, "uk": 3, "ro": 3, "ur": 2, "pa": 2, "bn": 2, "so": 2}


def _source(root: Path, *calls: str) -> Path:
    for folder in ("bot", "handlers"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "bot" / "strings.py").write_text("\n".join(calls) + "\n", encoding="utf-8")
    return root


def whats(problems: list) -> set[str]:  # type: ignore[type-arg]
    return {p.what for p in problems}


def test_every_configured_language_has_a_catalog_with_the_right_plural_forms() -> None:
    for lang, count in PLURAL_COUNTS.items():
        path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        assert path.is_file(), lang
        catalog = Catalog(locale=lang)
        with path.open("rb") as fh:
            from babel.messages.pofile import read_po

            catalog = read_po(fh, locale=lang)
        assert catalog.num_plurals == count, lang
        header = [p for p in check_catalog(catalog, lang, set()) if not p.msgid]
        assert header == [], header


def test_errors_fail_but_untranslated_strings_are_only_reported(tmp_path: Path) -> None:
    root = _source(tmp_path / "src", '_("Hello {name}")', '_("Send /help")', '_("New one")',
                   'ngettext("{n} week", "{n} weeks", n)', '_("<b>Bold</b> move")')
    locales = tmp_path / "locales"
    write_template(locales, ["Hello {name}", "Send /help", ("{n} week", "{n} weeks"),
                             "<b>Bold</b> move"])  # "New one" is not extracted yet
    pl = write_catalog(locales, "pl", {
        "Hello {name}": "Cześć {imie}",  # placeholder renamed
        "Send /help": "Wyślij /pomoc",  # command translated
        ("{n} week", "{n} weeks"): ("{n} tydzień", "{n} tygodnie", "{n} tygodni"),
        "<b>Bold</b> move": "<b>Odważny ruch",  # markup unbalanced
    })
    text = pl.read_text(encoding="utf-8")  # Babel always writes 3 forms: drop one by hand
    pl.write_text(text.replace('msgstr[2] "{n} tygodni"\n', ""), encoding="utf-8")
    write_catalog(locales, "cy", {"Hello {name}": "", "Send /help": "Anfon /help",
                                  ("{n} week", "{n} weeks"): ("",) * 5,
                                  "<b>Bold</b> move": "Symudiad <b>beiddgar</b>"},
                  fuzzy=frozenset({"Send /help"}))
    result = report(locales, root)
    errors = {(p.lang, p.what, p.msgid) for p in result.errors}
    assert ("pot", "not in messages.pot", "New one") in errors
    assert ("pl", "placeholders differ", "Hello {name}") in errors
    assert ("pl", "commands differ", "Send /help") in errors
    assert ("pl", "has 2 plural forms, needs 3", "{n} week") in errors
    assert ("pl", "markup unbalanced", "<b>Bold</b> move") in errors
    assert ("pl", "missing", "New one") in errors
    # Welsh: nothing unsafe. Empty, fuzzy and missing strings are reported, not errors.
    assert {p for p in result.errors if p.lang == "cy"} == {
        p for p in result.errors if p.lang == "cy" and p.what == "missing"}
    assert result.untranslated["cy"] == ["Hello {name}", "New one", "Send /help", "{n} week"]
    assert not result.ok


def test_a_plural_form_may_leave_out_the_number_but_not_add_a_placeholder() -> None:
    catalog = Catalog(locale="ar")
    one = ("{n} week", "{n} weeks")
    catalog.add(one, ("لا أسابيع", "أسبوع واحد", "أسبوعان",
                      "{n} أسابيع", "{n} أسبوع", "{n} أسبوعًا"))
    assert check_catalog(catalog, "ar", {"{n} week"}) == []
    bad = Catalog(locale="ar")
    bad.add(one, ("{n}", "{x}", "{n}", "{n}", "{n}", "{n}"))
    assert whats(check_catalog(bad, "ar", {"{n} week"})) == {"placeholders differ"}
    short = Catalog(locale="ar")
    short.add(one, ("{n}", "{n}"))
    assert whats(check_catalog(short, "ar", {"{n} week"})) == {"needs 6 plural forms"}


def test_a_wrong_plural_forms_header_is_an_error(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, "pl", {"Hi": "Cześć"})
    text = path.read_text(encoding="utf-8")
    start = text.index('"Plural-Forms:')
    end = text.index("\n", text.index(';\\n"', start)) + 1
    text = text[:start] + '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n' + text[end:]
    path.write_text(text, encoding="utf-8")
    from bot.i18n_check import load

    problems = check_catalog(load(path, "pl"), "pl", {"Hi"})
    assert [p.what for p in problems] == ["Plural-Forms has 2 forms, Babel's rule for pl has 3"]


def test_untranslated_counts_missing_entries_too() -> None:
    catalog = Catalog(locale="so")
    catalog.add("Yes", "Haa")
    catalog.add("No", "")
    assert untranslated(catalog, {"Yes", "No", "Later"}) == ["Later", "No"]


def test_an_unsafe_translation_falls_back_to_english_at_runtime(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    write_catalog(locales, "pl", {"Hello {name}": "Cześć {imie}", "Thanks": "Dzięki",
                                  ("{n} day", "{n} days"): ("{n} dzień", "{x} dni", "{n} dni")})
    t = I18n(locales, ["en", "pl"]).translator("pl")
    assert t.gettext("Hello {name}").format(name="Ola") == "Hello Ola"
    assert t.gettext("Thanks") == "Dzięki"
    assert t.ngettext("{n} day", "{n} days", 5).format(n=5) == "5 days"
    assert t.gettext("Not in the catalog") == "Not in the catalog"


def test_a_compiled_mo_is_checked_the_same_way(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    po = write_catalog(locales, "uk", {"Hello {name}": "Привіт {імʼя}", "Thanks": "Дякую"})
    catalog = Catalog(locale="uk")
    catalog.add("Hello {name}", "Привіт {імʼя}")
    catalog.add("Thanks", "Дякую")
    catalog.add("Thanks", "Дяка", context="easy")  # Babel's read_mo cannot reload this
    catalog.add(("{n} day", "{n} days"), ("{n} день", "{n} дні", "{x} днів"))
    buf = io.BytesIO()
    write_mo(buf, catalog)
    mo = po.with_suffix(".mo")
    mo.write_bytes(buf.getvalue())
    t = I18n(locales, ["en", "uk"]).translator("uk")
    assert t.gettext("Thanks") == "Дякую" and t.pgettext("easy", "Thanks") == "Дяка"
    assert t.gettext("Hello {name}") == "Hello {name}"
    assert t.ngettext("{n} day", "{n} days", 2) == "{n} дні"
    assert t.ngettext("{n} day", "{n} days", 5) == "{n} days"  # unsafe form: English
