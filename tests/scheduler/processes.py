"""Starting scheduler subprocesses and reading what they sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import BotApp
from bot.core.members import find_identity
from bot.services.sessions import add_to_group, create_session, ensure_group, set_rsvp
from bot.storage.db import transaction
from bot.storage.models import utcnow

ROOT = Path(__file__).resolve().parents[2]


def env(db_url: str, sent_file: Path, **extra: str) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items()
              if not k.endswith("_BOT_TOKEN") and k != "COPRO_CRASH_AT"}
    values.update(DATABASE_URL=db_url, PYTHONPATH=str(ROOT), LOG_LEVEL="INFO",
                  COPRO_SENT_FILE=str(sent_file), **extra)
    return values


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.scheduler.proc", *args]


def run_once(db_url: str, sent_file: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command("--once"), env=env(db_url, sent_file, **extra), cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def sent(sent_file: Path) -> list[dict[str, Any]]:
    if not sent_file.exists():
        return []
    return [json.loads(line) for line in sent_file.read_text().splitlines() if line.strip()]


def reminders(sent_file: Path) -> list[dict[str, Any]]:
    return [line for line in sent(sent_file) if line["text"].startswith("Reminder")]


def session_with_hour_reminder(app: BotApp, user: str, title: str, due: datetime) -> int:
    """A session `user` is going to, whose 1-hour reminder is due at `due`."""
    now = utcnow()
    with transaction(app.engine) as s:
        identity = find_identity(s, "test", user)
        assert identity is not None
        group = ensure_group(s, "Panel")
        add_to_group(s, group, identity.member_id)
        gs, _ = create_session(s, app.i18n, title=title, starts_at=due + timedelta(hours=1),
                               timezone="Europe/London", mode="in_person", place="Town hall",
                               group_id=group.id, now=min(now, due - timedelta(seconds=1)))
        set_rsvp(s, app.settings, gs, identity.member_id, "going",
                 now=min(now, due - timedelta(seconds=1)))
        assert gs.id is not None
        return gs.id
