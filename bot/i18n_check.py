"""Catalog checks: the template is current, and every catalog is complete and safe.

Run by the test suite and by `copro-bot translations check`.

Errors (fail CI, `check_all` returns only these):
- a string in the code is not in `messages.pot` ("not in messages.pot");
- a catalog has no entry for a string in the code ("missing": run `pybabel update`);
- a translation changes a `{placeholder}`, a `/command` or markup, or its
  markup is unbalanced (it would crash `.format()` or break a message);
- a plural entry has the wrong number of forms for its catalog's
  `Plural-Forms`, or that header disagrees with Babel's (CLDR) rule.

Reported, never failing (`untranslated`): entries with an empty or fuzzy
translation. Members see those strings in English, one by one, so a new
string never blocks a release; the count shows up in the status table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, unescape

from bot.config import PROJECT_ROOT
from bot.i18n_text import commands, markup_balanced, placeholders, tags, translation_problems

__all__ = [
    "KEYWORDS", "Problem", "Report", "check_all", "check_catalog", "commands", "load",
    "message_key", "placeholders", "report", "source_msgids", "tags", "template_msgids",
    "untranslated",
]

KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "n_": (1, 2),
    "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
}
SOURCE_DIRS = ("bot", "handlers")


@dataclass(frozen=True)
class Problem:
    lang: str
    msgid: str
    what: str


@dataclass
class Report:
    """Everything `copro-bot translations check` prints."""

    errors: list[Problem]
    untranslated: dict[str, list[str]]  # lang -> msgids shown in English for now
    total: int

    @property
    def ok(self) -> bool:
        return not self.errors


def source_msgids(root: Path = PROJECT_ROOT) -> set[str]:
    """Every translatable string in the code, found the way pybabel finds them."""
    found: set[str] = set()
    for folder in SOURCE_DIRS:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            root / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    found.discard("")
    return found


def load(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def message_key(message: Message) -> str:
    """The English singular: how the checks name an entry."""
    return message.id if isinstance(message.id, str) else message.id[0]


def template_msgids(locales_dir: Path) -> set[str]:
    return {message_key(m) for m in load(locales_dir / "messages.pot") if m.id}


def _forms(message: Message) -> tuple[str, ...]:
    raw = message.string
    if isinstance(raw, (tuple, list)):
        return tuple(str(x or "") for x in raw)
    return (str(raw or ""),)


def _header_problem(catalog: Catalog, lang: str) -> str | None:
    """The catalog's Plural-Forms must match Babel's rule for its language."""
    try:
        expected = get_plural(lang)
    except (UnknownLocaleError, ValueError):
        return None
    if catalog.num_plurals != expected.num_plurals:
        return (f"Plural-Forms has {catalog.num_plurals} forms, "
                f"Babel's rule for {lang} has {expected.num_plurals}")
    return None


def plural_form_counts(path: Path) -> dict[str, int]:
    """msgid -> how many `msgstr[N]` lines its plural entry has, read from the file.

    Babel pads or cuts the forms to the header's count when it reads a catalog,
    so a wrong count is only visible in the text itself.
    """
    counts: dict[str, int] = {}
    msgid: list[str] = []
    state = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comments and obsolete (#~) entries
        key = "".join(msgid)
        if line.startswith("msgid_plural"):
            state, counts[key] = "plural", 0
        elif line.startswith("msgid "):
            state, msgid = "msgid", [unescape(line[6:])]
        elif line.startswith("msgstr["):
            state = "msgstr"
            if key in counts:
                counts[key] += 1
        elif line.startswith('"'):
            if state == "msgid":
                msgid.append(unescape(line))
        else:
            state = ""
    return counts


def check_catalog(catalog: Catalog, lang: str, wanted: set[str]) -> list[Problem]:
    """Errors in one catalog: missing entries, unsafe translations, plural counts."""
    problems: list[Problem] = []
    have = {message_key(m): m for m in catalog if m.id}
    for msgid in sorted(wanted - set(have)):
        problems.append(Problem(lang, msgid, "missing"))
    header = _header_problem(catalog, lang) if catalog.locale else None
    if header:
        problems.append(Problem(lang, "", header))
    for msgid, message in have.items():
        forms = _forms(message)
        if not all(forms) or message.fuzzy:
            continue  # untranslated or fuzzy: shown in English, see untranslated()
        english = message.id if isinstance(message.id, str) else tuple(message.id)
        for what in translation_problems(english, forms):
            problems.append(Problem(lang, msgid, what))
        if isinstance(message.id, tuple) and len(forms) != catalog.num_plurals:
            problems.append(Problem(lang, msgid, f"needs {catalog.num_plurals} plural forms"))
    return problems


def untranslated(catalog: Catalog, wanted: set[str] | None = None) -> list[str]:
    """Msgids members currently see in English: missing, empty, partly empty, or fuzzy."""
    out = set()
    present = set()
    for message in catalog:
        if not message.id:
            continue
        key = message_key(message)
        present.add(key)
        if wanted is not None and key not in wanted:
            continue
        if message.fuzzy or not all(_forms(message)):
            out.add(key)
    return sorted(out | ((wanted or set()) - present))


def _english_problems(wanted: set[str]) -> list[Problem]:
    problems = []
    for msgid in sorted(wanted):
        if not markup_balanced(msgid):
            problems.append(Problem("en", msgid, "markup unbalanced"))
        if "<broken braces>" in placeholders(msgid):
            problems.append(Problem("en", msgid, "placeholders broken"))
    return problems


def catalogs(locales_dir: Path) -> list[tuple[str, Path]]:
    return [(po.parent.parent.name, po)
            for po in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po"))]


def report(locales_dir: Path, root: Path = PROJECT_ROOT) -> Report:
    """Errors plus the untranslated strings of every catalog."""
    wanted = source_msgids(root)
    in_template = template_msgids(locales_dir)
    errors = [Problem("pot", m, "not in messages.pot") for m in sorted(wanted - in_template)]
    errors += _english_problems(wanted)
    todo: dict[str, list[str]] = {}
    for lang, po in catalogs(locales_dir):
        catalog = load(po, lang)
        errors += check_catalog(catalog, lang, wanted)
        errors += [Problem(lang, msgid, f"has {count} plural forms, needs {catalog.num_plurals}")
                   for msgid, count in sorted(plural_form_counts(po).items())
                   if count != catalog.num_plurals]
        todo[lang] = untranslated(catalog, wanted | in_template)
    return Report(errors, todo, len(wanted | in_template))


def check_all(locales_dir: Path, root: Path = PROJECT_ROOT) -> list[Problem]:
    """Errors across the template and every catalog; empty means all good."""
    return report(locales_dir, root).errors
