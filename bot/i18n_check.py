"""Catalog checks: the template is current, and every catalog is complete and safe.

Run by the test suite and by `copro-bot translations check`, so a string that
was added without a translation, or a translation that would crash `.format()`,
is caught before a member sees it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.config import PROJECT_ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "n_": (1, 2)}
SOURCE_DIRS = ("bot", "handlers")


@dataclass(frozen=True)
class Problem:
    lang: str
    msgid: str
    what: str


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


def placeholders(text: str) -> set[str]:
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError:
        return {"<broken braces>"}


def tags(text: str) -> list[str]:
    return re.findall(r"</?[a-zA-Z][^>]*>", text)


def check_catalog(catalog: Catalog, lang: str, wanted: set[str]) -> list[Problem]:
    problems = []
    have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    for msgid in sorted(wanted - set(have)):
        problems.append(Problem(lang, msgid, "missing"))
    for msgid, message in have.items():
        raw = message.string
        strings = tuple(str(x) for x in raw) if isinstance(raw, (tuple, list)) else (str(raw or ""),)
        if not all(strings):  # empty msgstr means untranslated
            problems.append(Problem(lang, msgid, "untranslated"))
            continue
        if message.fuzzy:
            problems.append(Problem(lang, msgid, "fuzzy"))
        for text in strings:
            if placeholders(text) != placeholders(msgid):
                problems.append(Problem(lang, msgid, "placeholders differ"))
            if len(tags(text)) != len(tags(msgid)):
                problems.append(Problem(lang, msgid, "markup differs"))
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(Problem(lang, msgid, f"needs {catalog.num_plurals} plural forms"))
    return problems


def check_all(locales_dir: Path, root: Path = PROJECT_ROOT) -> list[Problem]:
    """Problems across the template and every catalog; empty means all good."""
    wanted = source_msgids(root)
    template = load(locales_dir / "messages.pot")
    in_template = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    problems = [Problem("pot", m, "not in messages.pot") for m in sorted(wanted - in_template)]
    for po in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
        lang = po.parent.parent.name
        problems += check_catalog(load(po, lang), lang, wanted)
    return problems
