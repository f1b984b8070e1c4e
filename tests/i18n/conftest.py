"""Tiny catalogs built in tmp_path: the real ones are not translated yet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

Entries = dict[str | tuple[str, str], str | tuple[str, ...]]


def write_catalog(locales: Path, lang: str, entries: Entries, *,
                  fuzzy: frozenset[str] = frozenset()) -> Path:
    """Write locales/<lang>/LC_MESSAGES/messages.po with Babel's header for `lang`."""
    catalog = Catalog(locale=lang, project="copro-bot")
    for msgid, msgstr in entries.items():
        flags = ["fuzzy"] if (msgid if isinstance(msgid, str) else msgid[0]) in fuzzy else []
        catalog.add(msgid, msgstr, flags=flags)
    path = locales / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)
    return path


def write_template(locales: Path, msgids: list[str | tuple[str, str]]) -> Path:
    catalog = Catalog(project="copro-bot")
    for msgid in msgids:
        catalog.add(msgid)
    locales.mkdir(parents=True, exist_ok=True)
    path = locales / "messages.pot"
    with path.open("wb") as fh:
        write_po(fh, catalog)
    return path


@pytest.fixture
def make_catalog(tmp_path: Path) -> Callable[..., Path]:
    locales = tmp_path / "locales"

    def make(lang: str, entries: Entries, **kwargs: object) -> Path:
        write_catalog(locales, lang, entries, **kwargs)  # type: ignore[arg-type]
        return locales

    return make
