"""Outbox rows through TelegramSender and the DeliveryWorker to the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import Session, col, select
from telegram import Bot

from bot.adapters.telegram_sender import TelegramSender
from bot.app import BotApp
from bot.core.delivery import DeliveryWorker
from bot.core.events import Button, OutgoingMessage
from bot.core.members import resolve_member
from bot.core.ratelimit import RateLimiter
from bot.storage.models import OutboxMessage
from tests.adapters.conftest import FAST_INTERVAL, TOKEN
from tests.fakes.fake_telegram import FakeTelegramServer

# PTB 22.8 itself warns when it builds a RetryAfter from an int.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def bot(fake: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url) as client:
        yield client


@pytest.fixture
def worker(tg_app: BotApp, bot: Bot, fast_limiter: RateLimiter) -> DeliveryWorker:
    return DeliveryWorker(tg_app.engine, {"telegram": TelegramSender(bot, fast_limiter)})


def enqueue(app: BotApp, user: int, *messages: OutgoingMessage, chat: int | None = None) -> None:
    """Queue messages to a member, as a handler's ctx.reply() would."""
    with Session(app.engine) as session:
        member, identity = resolve_member(
            session, "telegram", str(user), str(chat or user),
            default_language="en", default_timezone="Europe/London",
        )
        for message in messages:
            session.add(OutboxMessage(member_id=member.id, platform="telegram",
                                      chat_id=identity.chat_id, payload=message.to_dict()))
        session.commit()


async def drain(app: BotApp, worker: DeliveryWorker, timeout: float = 10.0) -> list[OutboxMessage]:
    """Run the worker until no row is waiting; returns all rows."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await worker.run_once()
        with Session(app.engine) as session:
            rows = list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())
        if all(r.status not in ("pending", "claimed", "sending") for r in rows):
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError([(r.status, r.last_error) for r in rows])
        await asyncio.sleep(0.05)


def sends_to(fake: FakeTelegramServer, chat: int) -> list[dict[str, Any]]:
    return [r for r in fake.requests
            if r["method"] == "sendMessage" and str(r["params"].get("chat_id")) == str(chat)]


async def test_429_waits_retry_after_for_that_chat_only(
    tg_app: BotApp, fake: FakeTelegramServer, worker: DeliveryWorker
) -> None:
    throttled, other = 2001, 2002
    fake.add_chat(throttled)
    fake.add_chat(other)
    fake.fail_next("sendMessage", "429", retry_after=1, chat_id=throttled)
    enqueue(tg_app, throttled, OutgoingMessage("one"), OutgoingMessage("two"))
    enqueue(tg_app, other, OutgoingMessage("hello"))
    rows = await drain(tg_app, worker)
    assert [r.status for r in rows] == ["sent"] * 3
    assert fake.texts_to(throttled) == ["one", "two"]  # in order, once each
    assert fake.retry_after_violations == []
    first_429 = next(r["time"] for r in fake.requests if r["status"] == 429)
    retried = [r["time"] for r in sends_to(fake, throttled) if r["status"] == 200]
    assert retried[0] - first_429 >= 1.0
    assert fake.messages_to(other)[0]["time"] < retried[0]  # the other chat did not wait


async def test_blocked_or_deactivated_member_is_unreachable_after_one_attempt(
    tg_app: BotApp, fake: FakeTelegramServer, worker: DeliveryWorker, records: Any
) -> None:
    blocked, deactivated = 2101, 2102
    for user in (blocked, deactivated):
        fake.add_chat(user)
        enqueue(tg_app, user, OutgoingMessage("one"), OutgoingMessage("two"))
    fake.block(blocked)
    fake.deactivate(deactivated)
    rows = await drain(tg_app, worker)
    await asyncio.sleep(0.3)
    await worker.run_once()
    assert [r.status for r in rows] == ["unreachable"] * 4
    for user, reason in ((blocked, "blocked"), (deactivated, "deactivated")):
        assert len(sends_to(fake, user)) == 1  # one attempt, no retries
        identity = records.identity(user)
        assert identity.unreachable and identity.unreachable_reason == reason


async def test_a_missing_chat_is_unreachable_and_a_migrated_group_is_followed(
    tg_app: BotApp, fake: FakeTelegramServer, worker: DeliveryWorker, records: Any
) -> None:
    old, new = -4001, -1004001
    fake.add_chat(old, "group")
    fake.migrate(old, new)
    enqueue(tg_app, 2201, OutgoingMessage("anyone there?"))
    enqueue(tg_app, 2301, OutgoingMessage("to the group"), chat=old)
    gone, moved = await drain(tg_app, worker)
    assert (gone.status, gone.last_error) == ("unreachable", "chat_not_found")
    assert records.identity(2201).unreachable
    assert moved.status == "sent" and moved.chat_id == str(new)
    assert fake.texts_to(new) == ["to the group"]
    assert records.identity(2301).chat_id == str(new)


async def test_long_messages_are_split_and_documents_sent_from_memory(
    tg_app: BotApp, fake: FakeTelegramServer, worker: DeliveryWorker
) -> None:
    user, other = 2401, 2501
    fake.add_chat(user)
    fake.add_chat(other)
    text = ("Paragraph <b>&amp; text. " * 40 + "\n\n") * 12  # ~12,000 characters
    enqueue(tg_app, user, OutgoingMessage(text, [[Button("OK", "pause:7")]]))
    enqueue(tg_app, other, OutgoingMessage("Your data <all of it>", document_name="my-data.json",
                                           document_text='{"name": "Jo & Al"}'))
    long_row, doc_row = await drain(tg_app, worker)

    sent = fake.messages_to(user)
    assert long_row.status == "sent" and len(sent) == 3
    assert [bool(s["reply_markup"]) for s in sent] == [False, False, True]
    assert "".join(s["plain_text"] for s in sent).replace("\n", "").replace(" ", "") == \
        text.replace("\n", "").replace(" ", "")
    assert long_row.platform_message_id == str(sent[-1]["message_id"])

    intro, document = fake.messages_to(other)
    assert doc_row.status == "sent"
    assert intro["plain_text"] == "Your data <all of it>"
    assert document["method"] == "sendDocument" and document["filename"] == "my-data.json"
    assert document["content"] == b'{"name": "Jo & Al"}'


async def test_a_429_on_a_later_part_does_not_repeat_earlier_parts(
    tg_app: BotApp, fake: FakeTelegramServer, bot: Bot
) -> None:
    user = 2402
    fake.add_chat(user)

    class ThrottleSecondPart(RateLimiter):
        calls = 0

        async def acquire(self, scope: str) -> None:
            await super().acquire(scope)
            self.calls += 1
            if self.calls == 2:
                fake.fail_next("sendMessage", "429", retry_after=1, chat_id=user)

    worker = DeliveryWorker(
        tg_app.engine, {"telegram": TelegramSender(bot, ThrottleSecondPart(private_interval=0.1))}
    )
    enqueue(tg_app, user, OutgoingMessage("x" * 4000 + "\n\n" + "y" * 4000))
    rows = await drain(tg_app, worker)
    assert rows[0].status == "sent"
    assert [m["plain_text"][0] for m in fake.messages_to(user)] == ["x", "y"]
    assert fake.retry_after_violations == []


async def test_burst_to_many_chats_stays_within_telegram_limits(
    fake: FakeTelegramServer, bot: Bot
) -> None:
    """Real limits (30/s, 1/s per chat) and a scaled group window (3 per second)."""
    fake.per_chat_interval, fake.per_chat_tolerance = 1.0, 0.05
    fake.group_limit, fake.group_window = 3, 1.0
    sender = TelegramSender(bot, RateLimiter(group_rate=3, group_period=1.0))
    chats = list(range(3001, 3041))
    for chat in chats:
        fake.add_chat(chat)
    fake.add_chat(-5001, "group")

    async def to_chat(chat: int, count: int) -> None:
        for n in range(count):
            result = await sender.send(str(chat), OutgoingMessage(f"message {n}"))
            assert result.outcome == "sent", result

    jobs = [to_chat(chat, 1) for chat in chats[1:]]
    jobs += [to_chat(chats[0], 3), to_chat(-5001, 5)]
    await asyncio.gather(*jobs)
    assert len(fake.sent) == 39 + 3 + 5
    assert fake.rate_violations == []


async def test_a_crash_while_waiting_for_the_rate_limiter_loses_nothing(
    tg_app: BotApp, fake: FakeTelegramServer, bot: Bot
) -> None:
    user = 2601
    fake.add_chat(user)
    worker = DeliveryWorker(
        tg_app.engine, {"telegram": TelegramSender(bot, RateLimiter(private_interval=2.0))}
    )
    enqueue(tg_app, user, OutgoingMessage("one"), OutgoingMessage("two"))
    task = asyncio.create_task(worker.run_once())
    await fake.wait_for_sent(1, chat_id=user)
    await asyncio.sleep(0.2)  # "two" now waits its turn: nothing has been sent for it
    task.cancel()  # the process dies here
    with contextlib.suppress(asyncio.CancelledError):
        await task
    worker.recover_in_flight()
    with Session(tg_app.engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert [r.status for r in rows] == ["sent", "pending"]  # not `unknown`: it never left


async def test_a_read_timeout_is_recorded_unknown_and_never_sent_twice(
    tg_app: BotApp, fake: FakeTelegramServer, fast_limiter: RateLimiter
) -> None:
    """The fake delivers the message, then answers too late: the outcome is unknown."""
    from telegram.request import HTTPXRequest

    user = 2701
    fake.add_chat(user)
    fake.fail_next("sendMessage", "timeout", delay=1.5)
    request = HTTPXRequest(read_timeout=0.5, write_timeout=0.5, connect_timeout=0.5)
    async with Bot(TOKEN, base_url=fake.base_url, request=request) as slow_bot:
        worker = DeliveryWorker(tg_app.engine, {"telegram": TelegramSender(slow_bot, fast_limiter)})
        enqueue(tg_app, user, OutgoingMessage("once only"), OutgoingMessage("next"))
        rows = await drain(tg_app, worker)
        await asyncio.sleep(1.5)  # let the fake finish the slow request
    assert [r.status for r in rows] == ["unknown", "sent"]
    assert rows[0].last_error == "timed_out_unknown"
    texts = [m["plain_text"] for m in fake.messages_to(user)]
    assert texts.count("once only") == 1, "not resent"


def test_a_connect_timeout_is_safe_to_retry() -> None:
    import httpx
    from telegram.error import TimedOut

    sender = TelegramSender(Bot(TOKEN), RateLimiter())
    connect = TimedOut()
    connect.__cause__ = httpx.ConnectTimeout("no route")
    read = TimedOut()
    read.__cause__ = httpx.ReadTimeout("slow")
    assert sender._failure("1", connect).outcome == "retry"
    assert sender._failure("1", read).outcome == "unknown"


async def test_a_reserved_slot_is_used_by_the_next_send_and_only_once(
    fake: FakeTelegramServer, bot: Bot
) -> None:
    """reserve() takes the slot before the row is `sending`; send() must not wait again."""
    user = 2801
    fake.add_chat(user)
    sender = TelegramSender(bot, RateLimiter(global_rate=1, global_period=30.0))
    await asyncio.wait_for(sender.reserve(str(user)), 1)
    result = await asyncio.wait_for(sender.send(str(user), OutgoingMessage("once")), 2)
    assert result.outcome == "sent" and fake.texts_to(user) == ["once"]
    # The slot is spent: a second message waits for the (30 s) window, or is handed back.
    second = await asyncio.wait_for(sender.send(str(user), OutgoingMessage("twice")), 2)
    assert second.outcome == "retry" and second.error == "rate_limited"
    assert fake.texts_to(user) == ["once"]


async def test_a_broadcast_through_the_worker_keeps_the_global_limit(
    tg_app: BotApp, fake: FakeTelegramServer, bot: Bot
) -> None:
    """60 chats at 20/s against a fake that refuses anything over it (429)."""
    fake.global_limit, fake.enforce_limits = 20, True
    users = list(range(2901, 2961))
    for user in users:
        fake.add_chat(user)
        enqueue(tg_app, user, OutgoingMessage(f"update for {user}"))
    worker = DeliveryWorker(tg_app.engine, {"telegram": TelegramSender(
        bot, RateLimiter(global_rate=20, private_interval=FAST_INTERVAL, slack=0.02))})
    rows = await drain(tg_app, worker, timeout=20)
    assert [r.status for r in rows] == ["sent"] * 60
    assert all(fake.texts_to(user) == [f"update for {user}"] for user in users)
    assert fake.rate_violations == [] and not [r for r in fake.requests if r["status"] == 429]
    times = sorted(m["time"] for m in fake.sent)
    assert times[-1] - times[0] >= 2.0  # 60 sends at 20 a second take two windows
