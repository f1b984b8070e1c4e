"""SIGKILL between firing a reminder and sending it, then restart: sent exactly once."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.storage.models import utcnow
from bot.storage.session_models import SessionReminder
from tests.scheduler.helpers import add_member
from tests.scheduler.processes import reminders, run_once, session_with_hour_reminder


@pytest.mark.slow
@pytest.mark.parametrize("point", ["scheduler.before_commit", "scheduler.fired"])
def test_sigkill_between_firing_and_sending_then_restart_sends_once(
        app: BotApp, db_url: str, tmp_path: Path, point: str) -> None:
    add_member(app, "u1", quiet=(None, None))
    session_with_hour_reminder(app, "u1", "Budget panel", utcnow() - timedelta(seconds=5))
    sent_file = tmp_path / "sent.jsonl"

    crashed = run_once(db_url, sent_file, COPRO_CRASH_AT=point)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert reminders(sent_file) == [], "killed before anything was sent"
    with Session(app.engine) as s:
        fired = s.exec(select(SessionReminder)).one().status
    # before the commit nothing happened; after it, fired and queued but not sent
    assert fired == ("sent" if point == "scheduler.fired" else "pending")

    restarted = run_once(db_url, sent_file)
    assert restarted.returncode == 0, restarted.stderr
    again = run_once(db_url, sent_file)
    assert again.returncode == 0, again.stderr
    got = reminders(sent_file)
    assert len(got) == 1 and "Budget panel" in got[0]["text"]
    assert "late" not in got[0]["text"]
    with Session(app.engine) as s:
        row = s.exec(select(SessionReminder)).one()
        assert row.status == "sent"
