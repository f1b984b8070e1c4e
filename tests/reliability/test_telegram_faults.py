"""The fake Bot API misbehaves while the whole Telegram path runs: nothing is lost.

The real adapter (long polling, inbox, dispatcher, delivery worker) runs against
the in-process fake, which injects 429 storms (with retry_after), 5xx storms,
timeouts and 10-second answers, on sends and on getUpdates. Members send
updates throughout. Afterwards every update has been handled once, every reply
reached its chat exactly once (except sends recorded `unknown`, which are never
resent), no request came before its `retry_after`, and a slow chat held up no
other chat.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest

from bot.app import BotApp
from tests.adapters.conftest import Records
from tests.fakes.fake_telegram import FakeTelegramServer

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

USERS = list(range(3101, 3109))


def send_starts(fake: FakeTelegramServer, users: list[int], text: str = "/start") -> None:
    for user in users:
        fake.add_update(fake.make_text_update(user, text, first_name="Robin"))


async def settle(records: Records, wait_until: Any, updates: int, timeout: float) -> None:
    def done() -> bool:
        inbox = records.inbox()
        return len(inbox) == updates and records.settled()

    await wait_until(done, timeout=timeout)


def check_exactly_once(records: Records, fake: FakeTelegramServer,
                       allow_unknown: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    """Each update handled once; each reply delivered once, or recorded `unknown`."""
    inbox = records.inbox()
    assert all(r.status == "done" for r in inbox)
    assert len({r.external_id for r in inbox}) == len(inbox)
    outbox = records.outbox()
    assert outbox, "the workload produced replies"
    statuses = Counter(r.status for r in outbox)
    assert set(statuses) <= {"sent", "unknown"}, statuses
    for row in outbox:
        if row.status == "unknown":
            assert int(row.chat_id) in allow_unknown, "unknown only where a timeout was injected"
    delivered = Counter((m["chat_id"], m["message_id"]) for m in fake.sent)
    assert all(n == 1 for n in delivered.values())
    for user in {int(r.chat_id) for r in outbox}:
        sent_rows = [r for r in outbox if r.chat_id == str(user) and r.status == "sent"]
        unknown = [r for r in outbox if r.chat_id == str(user) and r.status == "unknown"]
        texts = fake.texts_to(user)
        assert len(texts) == len(set(texts)), "a reply was delivered twice"
        assert len(sent_rows) <= len(texts) <= len(sent_rows) + len(unknown)
    assert fake.retry_after_violations == []


async def test_429_storms_on_sends_and_polls_lose_nothing_and_respect_retry_after(
    fake: FakeTelegramServer, tg_app: BotApp, records: Records, polling: Any, wait_until: Any,
) -> None:
    fake.retry_after_grace = 0.25  # requests already in flight when the 429 was sent
    for user in USERS[:4]:
        fake.fail_next("sendMessage", "429", count=3, retry_after=1, chat_id=user)
    fake.fail_next("getUpdates", "429", count=2, retry_after=1)
    send_starts(fake, USERS)
    async with polling():
        await settle(records, wait_until, len(USERS), timeout=40)
        # A second storm: the whole bot is under flood control for 2 seconds.
        fake.throttle_for(None, 2)
        send_starts(fake, USERS, "/help")
        await settle(records, wait_until, 2 * len(USERS), timeout=40)
    check_exactly_once(records, fake)
    refused = [r for r in fake.requests if r["status"] == 429]
    assert len(refused) >= 4 * 3 + 2, "the storm really happened"


async def test_flood_control_for_the_whole_bot_pauses_every_chat(
    fake: FakeTelegramServer, tg_app: BotApp, records: Records, polling: Any, wait_until: Any,
) -> None:
    """Telegram's 429 does not say whether it is about one chat or the whole bot.
    When a second chat is refused while a first is still waiting, every chat
    must wait; only requests already in flight may arrive after the 429."""
    fake.retry_after_grace = 0.25  # requests already in flight when the 429 was sent
    users = list(range(3201, 3241))
    send_starts(fake, users)
    async with polling():
        await wait_until(lambda: len(fake.sent) >= 5, timeout=20)
        fake.fail_next("sendMessage", "429", count=2, retry_after=2, scope="global")
        await settle(records, wait_until, len(users), timeout=60)
    check_exactly_once(records, fake)
    refused = [r["time"] for r in fake.requests if r["status"] == 429]
    assert len(refused) >= 2
    resumed = [r["time"] for r in fake.requests
               if r["method"] == "sendMessage" and r["status"] == 200 and r["time"] > refused[0]]
    assert resumed and resumed[0] - refused[0] >= 2.0, "every chat waited out the 429"


async def test_5xx_storms_and_dropped_connections_lose_nothing(
    fake: FakeTelegramServer, tg_app: BotApp, records: Records, polling: Any, wait_until: Any,
) -> None:
    async with polling():
        # Once connected (a failing getMe at start-up is waited out with long backoff).
        await wait_until(lambda: any(r["method"] == "getUpdates" for r in fake.requests), 10)
        fake.fail_next("getUpdates", "502", count=2)
        fake.fail_next("*", "500", count=6)
        fake.fail_next("sendMessage", "503", count=4)
        fake.fail_next("sendMessage", "disconnect", count=2)
        send_starts(fake, USERS)
        await settle(records, wait_until, len(USERS), timeout=60)
    check_exactly_once(records, fake)
    assert sum(1 for r in fake.requests if (r["status"] or 0) >= 500) >= 2 + 6 + 4


async def test_a_10_second_answer_for_one_chat_does_not_stall_the_others(
    fake: FakeTelegramServer, tg_app: BotApp, records: Records, polling: Any, wait_until: Any,
) -> None:
    slow, others = USERS[0], USERS[1:]
    # Telegram performs the send but answers after 10 s: past the bot's read
    # timeout, so the outcome is unknown to the bot and must never be resent.
    fake.fail_next("sendMessage", "timeout", delay=10.0, chat_id=slow)
    send_starts(fake, [slow])
    async with polling():
        await wait_until(lambda: any(r["method"] == "sendMessage" for r in fake.requests), 10)
        started = time.monotonic()
        send_starts(fake, others)
        await wait_until(lambda: all(len(fake.texts_to(u)) >= 2 for u in others), timeout=8)
        assert time.monotonic() - started < 8
        await settle(records, wait_until, len(USERS), timeout=30)
        await asyncio.sleep(max(0.0, started + 10.5 - time.monotonic()))  # the slow answer
    check_exactly_once(records, fake, allow_unknown={slow})
    slow_rows = [r for r in records.outbox() if r.chat_id == str(slow)]
    assert [r.status for r in slow_rows][0] == "unknown"
    assert all(r.status == "sent" for r in slow_rows[1:]), "the chat carries on after"
    assert fake.texts_to(slow).count(fake.texts_to(slow)[0]) == 1


async def test_slow_answers_within_the_timeout_and_slow_polls_lose_nothing(
    fake: FakeTelegramServer, tg_app: BotApp, records: Records, polling: Any, wait_until: Any,
) -> None:
    for user in USERS[:3]:
        fake.fail_next("sendMessage", "timeout", delay=3.0, chat_id=user)
    fake.fail_next("getUpdates", "timeout", delay=3.0, process=False)
    send_starts(fake, USERS)
    async with polling():
        await settle(records, wait_until, len(USERS), timeout=40)
    check_exactly_once(records, fake)  # 3 s is within the timeout: all `sent`
