"""Which catalogs a fluent speaker has reviewed, and how much of each is translated.

`locales/status.toml` holds one table per language:

    [cy]
    reviewed = false
    reviewer = ""        # only what the reviewer agreed to publish, never a platform id
    date = 2026-11-25    # when it was marked (left out when never)

Unreviewed catalogs are still used; the README table and the dashboard list
them as "needs review" so nobody mistakes a first draft for checked text.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from babel import Locale, UnknownLocaleError

from bot.translations.catalogs import is_translated, po_path, read_catalog

STATUS_FILE = "status.toml"
HEADER = """\
# Has a fluent speaker reviewed each catalog? (see README "Translations")
# Unreviewed catalogs are used, but listed as "needs review".
# `reviewer` is only what the reviewer agreed to publish (a name, or "a volunteer"),
# never a platform id. Change it with:
#   copro-bot translations mark-reviewed LANG --reviewer "NAME"
"""
# English names for staff pages and the README (CLDR now says "Bangla").
ENGLISH_NAMES = {"bn": "Bengali", "pa": "Punjabi", "so": "Somali"}


@dataclass(frozen=True)
class ReviewRecord:
    reviewed: bool = False
    reviewer: str = ""
    date: date | None = None


class LanguageStatus(NamedTuple):
    """One row of the status table: (code, name, reviewed, translated, total)."""

    code: str
    name: str
    reviewed: bool
    translated: int
    total: int

    @property
    def label(self) -> str:
        if self.code == "en":
            return "source"
        return "reviewed" if self.reviewed else "needs review"


def english_name(code: str) -> str:
    if code in ENGLISH_NAMES:
        return ENGLISH_NAMES[code]
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return None


def load_status(locales_dir: Path) -> dict[str, ReviewRecord]:
    path = locales_dir / STATUS_FILE
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {
        lang: ReviewRecord(bool(row.get("reviewed", False)), str(row.get("reviewer", "")),
                           _as_date(row.get("date")))
        for lang, row in data.items() if isinstance(row, dict)
    }


def save_status(locales_dir: Path, records: dict[str, ReviewRecord]) -> None:
    lines = [HEADER.rstrip("\n")]
    for lang in sorted(records):
        record = records[lang]
        lines += ["", f"[{lang}]", f"reviewed = {'true' if record.reviewed else 'false'}",
                  f"reviewer = {json.dumps(record.reviewer, ensure_ascii=False)}"]
        if record.date:
            lines.append(f"date = {record.date.isoformat()}")
    path = locales_dir / STATUS_FILE
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def mark_reviewed(locales_dir: Path, lang: str, reviewer: str, when: date,
                  reviewed: bool = True) -> ReviewRecord:
    """Record that a fluent speaker reviewed (or no longer vouches for) a catalog."""
    records = load_status(locales_dir)
    record = ReviewRecord(reviewed, reviewer if reviewed else "", when)
    records[lang] = record
    save_status(locales_dir, records)
    return record


_COUNTS: dict[tuple[str, int, int], tuple[int, int]] = {}


def _counts(locales_dir: Path, lang: str) -> tuple[int, int]:
    """(translated, total) against the template; cached by both files' mtimes."""
    pot, po = locales_dir / "messages.pot", po_path(locales_dir, lang)
    if not pot.is_file():
        return 0, 0
    key = (str(po), pot.stat().st_mtime_ns, po.stat().st_mtime_ns if po.is_file() else 0)
    if key not in _COUNTS:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_catalog(pot) if m.id}
        done = 0
        if lang == "en":
            done = len(wanted)
        elif po.is_file():
            catalog = read_catalog(po, lang)
            done = sum(1 for m in catalog if is_translated(m)
                       and (m.id if isinstance(m.id, str) else m.id[0]) in wanted)
        _COUNTS[key] = (done, len(wanted))
    return _COUNTS[key]


def catalog_languages(locales_dir: Path) -> list[str]:
    return sorted(p.parent.parent.name for p in locales_dir.glob("*/LC_MESSAGES/messages.po"))


def translation_status(locales_dir: Path,
                       languages: list[str] | None = None) -> list[LanguageStatus]:
    """English first, then each language: reviewed?, strings translated, strings in total.

    `languages` is usually `Settings.languages`; catalogs on disk that are not
    configured are listed after them, so nothing is hidden.
    """
    order = list(dict.fromkeys(["en", *(languages or []), *catalog_languages(locales_dir)]))
    records = load_status(locales_dir)
    rows = []
    for code in order:
        translated, total = _counts(locales_dir, code)
        reviewed = code == "en" or records.get(code, ReviewRecord()).reviewed
        rows.append(LanguageStatus(code, english_name(code), reviewed, translated, total))
    return rows


def markdown_table(rows: list[LanguageStatus]) -> str:
    """The README "Translations" table."""
    lines = ["| Language | Code | Status | Translated |", "| --- | --- | --- | --- |"]
    for row in rows:
        lines.append(f"| {row.name} | {row.code} | {row.label} | {row.translated}/{row.total} |")
    return "\n".join(lines)
