"""`copro-bot broadcast`: create from a file, preview, send (twice), report, export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.config import PROJECT_ROOT, get_settings
from bot.i18n import I18n
from bot.storage import migrate
from bot.storage.db import make_engine
from tests.broadcasts.conftest import add_member

CliRunner = Callable[..., tuple[int, str, str]]

UPDATE = '''
kind = "learning"
audience = "everyone"

[text.en]
title = "What happened next"
body = "You told us the room was too cold. We got a heater."
'''


@pytest.fixture
def run_cli(run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The shared `run_cli`, with Welsh on and two members: en1, and cy1 whose
    quiet hours last all day."""
    monkeypatch.setenv("LANGUAGES", '["en", "cy"]')
    get_settings.cache_clear()
    engine = make_engine(get_settings().database_url)
    migrate.upgrade(engine)
    with Session(engine) as s:
        add_member(s, "en1")
        add_member(s, "cy1", language="cy", quiet=("00:00", "23:59"))
        s.commit()
    engine.dispose()
    return run_cli


def test_create_preview_send_report(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "update.toml"
    file.write_text(UPDATE, encoding="utf-8")
    code, out, _ = run_cli("broadcast", "create", "--file", str(file))
    assert code == 0 and "Draft broadcast 1 saved" in out
    code, out, _ = run_cli("broadcast", "preview", "1")
    assert "English (en): 1 person," in out and "Cymraeg (cy): 1 person (no translation" in out
    note = I18n(PROJECT_ROOT / "locales", ["en", "cy"]).translator("cy").gettext(
        "There is no translation in your language yet.")
    assert note in out, "the note is in the member's own language"
    code, out, _ = run_cli("broadcast", "send", "1")
    assert code == 0 and "2 recipients (2 added now)" in out
    code, out, _ = run_cli("broadcast", "send", "1")
    assert "2 recipients (0 added now)" in out
    code, out, _ = run_cli("broadcast", "report", "1")
    lines = out.splitlines()
    assert lines[1].split()[:4] == ["language", "platform", "sent", "going"]
    assert "Cymraeg (cy)  test" in out and "Waiting until" in out
    code, out, _ = run_cli("export", "broadcasts")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["language"], r["going_out"], r["waiting"]) for r in rows} == {
        ("en", "1", "0"), ("cy", "0", "1")}


def test_file_errors_are_clear_and_exit_2(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "update.toml"
    file.write_text(UPDATE.replace('"everyone"', '"group:Nobody"'), encoding="utf-8")
    code, _, err = run_cli("broadcast", "create", "--file", str(file))
    assert code == 2 and err.startswith("copro-bot: ")
    assert "group" in err
    code, _, err = run_cli("broadcast", "send", "99")
    assert code == 2 and "there is no broadcast 99" in err


def test_a_cancelled_broadcast_cannot_be_sent(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "update.toml"
    file.write_text(UPDATE, encoding="utf-8")
    run_cli("broadcast", "create", "--file", str(file))
    assert "cancelled" in run_cli("broadcast", "cancel", "1")[1]
    code, _, err = run_cli("broadcast", "send", "1")
    assert code == 2 and "was cancelled" in err


@pytest.mark.parametrize("odd", ["99999999999999999999", "³"])
def test_an_odd_or_too_long_id_is_a_usage_error_not_a_traceback(
    run_cli: CliRunner, capsys: pytest.CaptureFixture[str], odd: str
) -> None:
    for command in (("broadcast", "preview", odd),
                    ("feedback", "send", odd, "--audience", "everyone"),
                    ("feedback", "tag", odd, "heating"),  # a BIGINT id: 18 digits at most
                    ("payments", "approve", odd)):
        with pytest.raises(SystemExit) as exited:
            run_cli(*command)
        assert exited.value.code == 2
        assert "is not a row number" in capsys.readouterr().err
