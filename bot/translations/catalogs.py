"""Reading and writing one `.po` catalog, safely, for status and review.

Corrections are written with Babel (`read_po` / `write_po`) at pybabel's
default width and without locations, the same shape `pybabel update
--no-location` produces, so the lead's next update gives a small diff.
"""

from __future__ import annotations

import gettext
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN

PO_WIDTH = 76


def po_path(locales_dir: Path, lang: str) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def write_catalog(path: Path, catalog: Catalog) -> None:
    """Write atomically: a crash mid-write never leaves half a catalog."""
    buf = io.BytesIO()
    write_po(buf, catalog, width=PO_WIDTH, no_location=True, ignore_obsolete=True,
             include_previous=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".messages.", suffix=".po")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def forms_of(message: Message) -> tuple[str, ...]:
    raw = message.string
    if isinstance(raw, (tuple, list)):
        return tuple(str(x or "") for x in raw)
    return (str(raw or ""),)


def is_translated(message: Message) -> bool:
    """Members see this translation (not English): every form filled, not fuzzy."""
    return bool(message.id) and not message.fuzzy and all(forms_of(message))


@dataclass(frozen=True)
class Entry:
    """One string as a reviewer sees it."""

    english: tuple[str, ...]  # (msgid,) or (singular, plural)
    context: str | None
    forms: tuple[str, ...]
    translated: bool
    fuzzy: bool = False

    @property
    def msgid(self) -> str:
        return self.english[0]

    @property
    def plural(self) -> bool:
        return len(self.english) > 1


def entries(catalog: Catalog) -> list[Entry]:
    out = []
    for message in catalog:
        if not message.id:
            continue
        english = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        forms = forms_of(message)
        if len(english) > 1 and len(forms) != catalog.num_plurals:
            forms = (forms + ("",) * catalog.num_plurals)[: catalog.num_plurals]
        out.append(Entry(english, message.context, forms, is_translated(message),
                         bool(message.fuzzy)))
    return out


def find(catalog: Catalog, entry: Entry) -> Message | None:
    key = entry.english[0] if len(entry.english) == 1 else entry.english
    message = catalog.get(key, context=entry.context)
    return message if isinstance(message, Message) else None


def set_translation(catalog: Catalog, entry: Entry, forms: tuple[str, ...]) -> None:
    """Store a reviewed translation and clear the fuzzy flag."""
    message = find(catalog, entry)
    if message is None:
        raise LookupError(f"not in the catalog: {entry.msgid!r}")
    message.string = forms if entry.plural else forms[0]
    message.flags.discard("fuzzy")


def plural_examples(catalog: Catalog, upto: int = 200, per_form: int = 4) -> list[list[int]]:
    """For each plural form, a few numbers that use it: shown to translators."""
    examples: list[list[int]] = [[] for _ in range(catalog.num_plurals)]
    rule = gettext.c2py(catalog.plural_expr)
    for n in range(upto + 1):
        index = int(rule(n))
        if 0 <= index < len(examples) and len(examples[index]) < per_form:
            examples[index].append(n)
    return examples
