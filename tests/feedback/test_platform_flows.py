"""Anonymous feedback end to end: through the Telegram fake and the console adapter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.storage.db import make_engine
from bot.storage.feedback_models import FeedbackItem
from tests.adapters.conftest import (  # noqa: F401 - fixtures used by name
    adapter,
    fake,
    fast_limiter,
    polling,
    records,
    tg_app,
    tg_settings,
    wait_until,
)
from tests.fakes.fake_telegram import FakeTelegramServer

pytestmark = pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")
ROOT = Path(__file__).resolve().parents[2]
WORDS = "The lift was broken again"


def buttons_of(record: dict[str, Any]) -> dict[str, str]:
    markup = record["reply_markup"] or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def test_anonymous_feedback_through_telegram(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any  # noqa: F811
) -> None:
    user = 4242
    async with polling():
        fake.add_update(fake.make_text_update(user, "/feedback"))
        await fake.wait_for_sent(1, chat_id=user)
        data = buttons_of(fake.messages_to(user)[-1])["Without my name"]
        fake.add_update(fake.make_callback_update(user, data))
        await fake.wait_for_sent(2, chat_id=user)
        fake.add_update(fake.make_text_update(user, WORDS, update_id=9001))
        await fake.wait_for_sent(3, chat_id=user)
        await wait_until(records.settled)
    assert "without your name" in fake.messages_to(user)[-1]["plain_text"]
    with records.session() as session:
        [item] = session.exec(select(FeedbackItem)).all()
    assert item.text == WORDS and item.member_id is None and item.created_at is None
    scrubbed = next(r for r in records.inbox() if r.external_id == "9001")
    assert scrubbed.payload == {"scrubbed": True}
    assert all(WORDS not in str(r.payload) for r in records.inbox() + records.outbox())


def test_anonymous_feedback_through_the_console(db_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env.update(DATABASE_URL=db_url, PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING")
    env.pop("COPRO_CRASH_AT", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], input=f"/feedback\n2\n{WORDS}\n", text=True,
        capture_output=True, env=env, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "2. Without my name" in result.stdout
    assert "saved without your name" in result.stdout
    assert WORDS not in result.stderr
    engine = make_engine(db_url)
    with Session(engine) as session:
        [item] = session.exec(select(FeedbackItem)).all()
    engine.dispose()
    assert item.text == WORDS and item.anonymous and item.member_id is None
