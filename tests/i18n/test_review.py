"""`copro-bot translations review`: scripted console review, .po write-back, the record."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot import cli
from bot.config import get_settings
from bot.i18n import I18n
from bot.i18n_check import load
from bot.storage import load_all_models, migrate
from bot.storage.db import make_engine, transaction
from bot.storage.models import Identity, Member
from bot.storage.translation_models import TranslationReview
from bot.translations.contributions import contributions
from bot.translations.review import ReviewSession
from bot.translations.status import load_status, translation_status
from tests.i18n.conftest import write_catalog, write_template

WEEK = ("{n} week", "{n} weeks")
ENTRIES = {"Hello {name}": "Helo {name}", "Thanks": "", "Send /help": "Anfon /help",
           WEEK: ("",) * 5}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    load_all_models()
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with transaction(engine) as session:
        member = Member(display_name="Alys")
        session.add(member)
        session.flush()
        assert member.id is not None
        session.add(Identity(member_id=member.id, platform="telegram", user_id="42",
                             chat_id="42"))
    yield engine
    engine.dispose()


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    locales = tmp_path / "locales"
    write_template(locales, ["Hello {name}", "Thanks", "Send /help", WEEK])
    write_catalog(locales, "cy", ENTRIES)  # type: ignore[arg-type]
    return locales


def test_scripted_review_approves_corrects_refuses_and_records(engine: Engine,
                                                               locales: Path) -> None:
    script = "\n".join([
        "a",                                   # Hello {name}: approve
        "a", "c", "Diolch",                    # Thanks: nothing to approve, then translate
        "c", "Anfon /cymorth", "s",            # Send /help: refused (command changed), skip
        "c", "{n} wythnosau", "1 wythnos", "2 wythnos", "{n} wythnos", "{n} wythnos",
    ]) + "\n"                                  # then end of input: quit
    out = io.StringIO()
    summary = ReviewSession(engine, locales, "cy", "telegram:42", io.StringIO(script), out).run()
    text = out.getvalue()
    assert (summary.approved, summary.corrected, summary.skipped, summary.refused) == (1, 2, 1, 1)
    assert "There is no translation to approve yet" in text
    assert "Not saved. Please keep these commands exactly as they are: /help." in text
    assert "form 1 (n = 1)" in text or "Form 1 (n = 1)" in text

    catalog = load(locales / "cy" / "LC_MESSAGES" / "messages.po", "cy")
    assert catalog.get("Thanks").string == "Diolch"  # type: ignore[union-attr]
    assert catalog.get(WEEK).string[1] == "1 wythnos"  # type: ignore[index,union-attr]
    assert catalog.get("Send /help").string == "Anfon /help"  # type: ignore[union-attr]
    t = I18n(locales, ["en", "cy"]).translator("cy")
    assert t.gettext("Thanks") == "Diolch" and t.ngettext(*WEEK, 1) == "1 wythnos"

    with transaction(engine) as session:
        rows = session.exec(select(TranslationReview).order_by(col(TranslationReview.id))).all()
        assert [(r.msgid, r.action) for r in rows] == [
            ("Hello {name}", "approved"), ("Thanks", "corrected"), ("{n} week", "corrected")]
        assert rows[1].old_forms is None and rows[1].new_forms == ["Diolch"]
        assert {r.reviewer for r in rows} == {"telegram:42"}
        assert all(r.member_id is not None for r in rows) and len({r.sitting for r in rows}) == 1
        [paid] = contributions(session)
        assert (paid.reviewer, paid.approved, paid.corrected, paid.reviewed) == (
            "telegram:42", 1, 2, 3)

    # A second sitting only shows what nobody has reviewed yet.
    again = ReviewSession(engine, locales, "cy", "telegram:42", io.StringIO(""), io.StringIO())
    assert [e.msgid for e in again.queue()] == ["Send /help"]
    assert translation_status(locales, ["en", "cy"])[1][3] == 4  # all four now translated


def test_an_unsafe_fuzzy_guess_cannot_be_approved(engine: Engine, tmp_path: Path) -> None:
    locales = tmp_path / "l"
    write_catalog(locales, "cy", {"Pay {amount}": "Talu {swm}"}, fuzzy=frozenset({"Pay {amount}"}))
    out = io.StringIO()
    summary = ReviewSession(engine, locales, "cy", "console:sam", io.StringIO("a\nq\n"),
                            out).run()
    assert summary.approved == 0 and "{amount}" in out.getvalue()
    assert "not a member yet" in out.getvalue()


def test_bad_reviewer_or_language_is_a_clear_error(engine: Engine, locales: Path) -> None:
    with pytest.raises(ValueError, match="PLATFORM:USER_ID"):
        ReviewSession(engine, locales, "cy", "alice", io.StringIO(), io.StringIO())
    with pytest.raises(LookupError, match="no catalog"):
        ReviewSession(engine, locales, "xx", "telegram:1", io.StringIO(), io.StringIO())


@pytest.fixture
def run_cli(db_url: str, locales: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LOCALES_DIR", str(locales))
    monkeypatch.setenv("LANGUAGES", '["en", "cy"]')
    get_settings.cache_clear()

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    get_settings.cache_clear()


def test_cli_review_contributions_status_and_mark(run_cli, locales: Path) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("db", "upgrade")[0] == 0
    code, out, _ = run_cli("translations", "review", "cy", "--as", "console:sam", "--limit", "2",
                           stdin="a\nc\nDiolch yn fawr\n")
    assert code == 0 and "Approved 1, corrected 1" in out
    code, out, _ = run_cli("translations", "contributions")
    assert "console:sam (not a member): 2 reviewed (1 corrected, 1 approved)" in out
    code, out, _ = run_cli("export", "translation_contributions", "--format", "json")
    assert code == 0 and '"reviewed": 2' in out
    code, out, _ = run_cli("translations", "status", "--markdown")
    assert "| Welsh | cy | needs review | 3/4 |" in out
    assert run_cli("translations", "mark-reviewed", "cy", "--reviewer", "telegram:1")[0] == 2
    assert run_cli("translations", "mark-reviewed", "cy", "--reviewer", "Siân")[0] == 0
    assert load_status(locales)["cy"].reviewer == "Siân"
    assert "| Welsh | cy | reviewed | 3/4 |" in run_cli("translations", "status", "--markdown")[1]
    code, out, _ = run_cli("translations", "check")
    assert code == 1 and "ERROR cy: missing:" in out and "strings not translated yet" in out
