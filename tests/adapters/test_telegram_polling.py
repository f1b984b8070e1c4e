"""The poll loop on its own: offsets, poison updates, conflicts and network errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Bot, Update

from bot.adapters.telegram_adapter import run_telegram
from bot.adapters.telegram_polling import Poller
from bot.app import BotApp
from tests.adapters.conftest import TOKEN
from tests.fakes.fake_telegram import FakeTelegramServer

pytestmark = pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")


@pytest.fixture
async def bot(fake: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url) as client:
        yield client


async def run_poller(poller: Poller, until: Any, timeout: float = 10.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not until():
            assert asyncio.get_running_loop().time() < deadline, "timed out"
            assert not task.done(), task
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_offset_moves_only_past_stored_updates(
    fake: FakeTelegramServer, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    stored: list[int] = []
    fail_once = {3}

    async def ingest(update: Update) -> None:
        if update.update_id in fail_once:  # e.g. the database is briefly down
            fail_once.clear()
            raise ConnectionError("db down")
        stored.append(update.update_id)

    for n in range(1, 6):
        fake.add_update(fake.make_text_update(4000 + n, "hi", update_id=n))
    poller = Poller(bot, ingest, timeout=1)
    with caplog.at_level(logging.INFO):
        await run_poller(poller, lambda: len(stored) == 5 and not fake.pending_updates)
    assert "db down" not in caplog.text  # exception text may hold personal data
    assert stored == [1, 2, 3, 4, 5]  # 3 came again after the failure, nothing was lost
    offsets = [r["params"].get("offset") for r in fake.requests if r["method"] == "getUpdates"]
    assert offsets[0] is None and "3" in offsets  # it asked again from the update it lacked


async def test_an_unreadable_update_is_skipped_not_fatal(
    fake: FakeTelegramServer, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    stored: list[int] = []

    async def ingest(update: Update) -> None:
        stored.append(update.update_id)

    poison = fake.make_text_update(4099, "secret words", update_id=1)
    poison["message"]["from"] = {"id": 4099}  # no is_bot or first_name: PTB cannot read it
    fake.add_update(poison)
    fake.add_update(fake.make_text_update(4100, "hi", update_id=2))
    await run_poller(Poller(bot, ingest, timeout=1),
                     lambda: stored == [2] and not fake.pending_updates)
    assert "secret words" not in caplog.text and "skipping unreadable update 1" in caplog.text


async def test_conflict_and_server_errors_are_survived(
    fake: FakeTelegramServer, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    stored: list[int] = []

    async def ingest(update: Update) -> None:
        stored.append(update.update_id)

    fake.fail_next("getUpdates", "409")
    fake.fail_next("getUpdates", "502")
    fake.add_update(fake.make_text_update(4200, "hi", update_id=1))
    with caplog.at_level(logging.WARNING):
        await run_poller(Poller(bot, ingest, timeout=1, conflict_pause=0.05),
                         lambda: stored == [1])
    assert "409 Conflict" in caplog.text and "another process" in caplog.text
    assert "retrying" in caplog.text


async def test_a_rejected_token_stops_with_a_clear_error(tg_app: BotApp) -> None:
    settings = tg_app.settings.model_copy(
        update={"telegram_bot_token": SecretStr("999:WRONG")})
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN"):
        await asyncio.wait_for(run_telegram(BotApp(settings, engine=tg_app.engine),
                                            asyncio.Event()), 10)


async def test_a_batch_is_confirmed_only_after_all_of_it_is_stored(
    fake: FakeTelegramServer, bot: Bot
) -> None:
    stored: list[int] = []
    calls: list[list[int]] = []

    async def ingest_batch(updates: list[Update]) -> None:
        calls.append([u.update_id for u in updates])
        if len(calls) == 1:  # the database is briefly down: nothing of it counts
            raise ConnectionError("db down")
        stored.extend(u.update_id for u in updates if u.update_id not in stored)

    async def ingest(update: Update) -> None:
        raise AssertionError("one by one must not be used when a batch ingest is given")

    poison = fake.make_text_update(4399, "secret words", update_id=3)
    poison["message"]["from"] = {"id": 4399}  # unreadable: skipped, never blocks the batch
    for n in (1, 2):
        fake.add_update(fake.make_text_update(4300 + n, "hi", update_id=n))
    fake.add_update(poison)
    fake.add_update(fake.make_text_update(4304, "hi", update_id=4))
    await run_poller(Poller(bot, ingest, timeout=1, ingest_batch=ingest_batch),
                     lambda: stored == [1, 2, 4] and not fake.pending_updates)
    assert calls[0] == calls[1] == [1, 2, 4]  # the same batch came again after the failure
    offsets = [r["params"].get("offset") for r in fake.requests if r["method"] == "getUpdates"]
    assert offsets[:2] == [None, None] and "5" in offsets  # confirmed past the whole batch
