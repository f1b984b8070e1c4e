"""locales/status.toml and the status table for the README and the dashboard."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.translations import load_status, translation_status
from bot.translations.status import mark_reviewed, markdown_table
from tests.i18n.conftest import write_catalog, write_template

WEEK = ("{n} week", "{n} weeks")


def test_status_counts_reviewed_and_translated(tmp_path: Path) -> None:
    write_template(tmp_path, ["Yes", "No", "Later", WEEK])
    write_catalog(tmp_path, "pl", {"Yes": "Tak", "No": "Nie", "Later": "Później",
                                   WEEK: ("{n} tydzień", "{n} tygodnie", "")},
                  fuzzy=frozenset({"Later"}))
    write_catalog(tmp_path, "ar", {"Yes": "نعم"})
    mark_reviewed(tmp_path, "pl", "Ola", date(2026, 11, 25))
    rows = translation_status(tmp_path, ["en", "pl", "uk"])
    assert rows == [("en", "English", True, 4, 4), ("pl", "Polish", True, 2, 4),
                    ("uk", "Ukrainian", False, 0, 4), ("ar", "Arabic", False, 1, 4)]
    assert [r.label for r in rows] == ["source", "reviewed", "needs review", "needs review"]
    assert "| Polish | pl | reviewed | 2/4 |" in markdown_table(rows)
    record = load_status(tmp_path)["pl"]
    assert (record.reviewed, record.reviewer, record.date) == (True, "Ola", date(2026, 11, 25))
    mark_reviewed(tmp_path, "pl", "", date(2026, 12, 1), reviewed=False)
    assert load_status(tmp_path)["pl"].reviewed is False
    assert translation_status(tmp_path, ["pl"])[1].label == "needs review"


def test_the_repository_status_file_lists_every_catalog() -> None:
    locales = PROJECT_ROOT / "locales"
    records = load_status(locales)
    catalogs = {p.parent.parent.name for p in locales.glob("*/LC_MESSAGES/messages.po")}
    assert catalogs <= set(records)
    assert all(":" not in r.reviewer for r in records.values())  # never a platform id
