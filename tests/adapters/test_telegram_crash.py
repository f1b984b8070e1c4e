"""Crash safety: SIGKILL the real bot process mid-stream, restart it, replay every update.

Each update must end up with exactly one effect: one inbox row, one set of
replies, and each reply delivered at most once (a send in flight at the kill
may be `unknown`, the one documented exception).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.app import BotApp
from tests.adapters.conftest import TOKEN
from tests.fakes.fake_telegram import FakeTelegramServer

pytestmark = pytest.mark.slow

USERS = list(range(1901, 1907))
NAME = "Zebedee"  # must never appear in the logs
def bot_command() -> list[str]:
    """The real entry point: `copro-bot run --platform telegram`."""
    return [sys.executable, "-m", "bot.cli", "run", "--platform", "telegram"]


class BotProcess:
    def __init__(self, tmp_path: Path, fake: FakeTelegramServer, db_url: str) -> None:
        self.tmp_path = tmp_path
        self.log = tmp_path / "bot.log"
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": fake.base_url,
            "DATABASE_URL": db_url,
            "LOG_LEVEL": "INFO",
        }
        for name in ("TELEGRAM_WEBHOOK_URL", "COPRO_CRASH_AT"):
            self.env.pop(name, None)
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, crash_at: str | None = None) -> None:
        env = dict(self.env)
        if crash_at:
            env["COPRO_CRASH_AT"] = crash_at
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *bot_command(), cwd=self.tmp_path, env=env, stdout=log, stderr=log)

    async def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.wait(10)


def faults_available() -> bool:
    return importlib.util.find_spec("bot.core.faults") is not None


async def test_sigkill_and_replay_give_each_update_exactly_one_effect(
    fake: FakeTelegramServer, tg_app: BotApp, db_url: str, tmp_path: Path, records: Any,
    wait_until: Any,
) -> None:
    updates = [fake.make_text_update(user, "/start", update_id=100 + n, first_name=NAME)
               for n, user in enumerate(USERS)]
    for update in updates:
        fake.add_update(update)
    proc = BotProcess(tmp_path, fake, db_url)

    if faults_available():
        # Killed right after storing the first getUpdates batch (one transaction, so
        # all six updates): nothing may be confirmed yet, nothing handled.
        await proc.start(crash_at="inbox.stored")
        assert await proc.wait(30) == -signal.SIGKILL
        assert len(fake.pending_updates) == len(USERS)
        assert [r.status for r in records.inbox()] == ["pending"] * len(USERS)
        assert records.outbox() == []

    # Killed from outside while replies are still going out (1 per second per chat).
    await proc.start()
    await fake.wait_for_sent(3, timeout=30)
    await proc.kill()
    assert len(fake.sent) < 2 * len(USERS)

    # Telegram sends every update again; the restarted bot finishes the rest.
    for update in updates:
        fake.add_update(update)
    await proc.start()

    def settled() -> bool:
        inbox, outbox = records.inbox(), records.outbox()
        return (len(inbox) == len(USERS) and all(r.status == "done" for r in inbox)
                and len(outbox) == 2 * len(USERS)
                and all(r.status in ("sent", "unknown") for r in outbox))

    await wait_until(settled, timeout=30)
    await fake.wait_until_confirmed(timeout=10)
    proc.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    assert await proc.wait(15) == 0  # a clean stop

    inbox = records.inbox()
    assert sorted(r.external_id for r in inbox) == [str(100 + n) for n in range(len(USERS))]
    outbox = records.outbox()
    assert Counter(r.source_event_id for r in outbox) == {r.id: 2 for r in inbox}
    unknown = Counter(r.chat_id for r in outbox if r.status == "unknown")
    assert all(n == 1 for n in unknown.values())  # at most the send in flight, per chat
    for user in USERS:
        texts = fake.texts_to(user)
        assert len(texts) == len(set(texts))  # nothing delivered twice
        sent_rows = [r for r in outbox if r.chat_id == str(user) and r.status == "sent"]
        # An `unknown` row may or may not have reached Telegram before the kill.
        assert len(sent_rows) <= len(texts) <= len(sent_rows) + unknown[str(user)]
    assert fake.rate_violations == [] and fake.retry_after_violations == []

    log = proc.log.read_text(errors="replace")
    assert TOKEN.split(":")[1] not in log
    assert NAME not in log and "Hello!" not in log
