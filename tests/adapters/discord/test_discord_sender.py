"""Outbound through the outbox: 2000-character parts, files, 50007, 429s and the
invalid-request budget, with discord.py's real HTTP client against the fake."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import Session, select

from bot.adapters.discord_metrics import DiscordMetrics
from bot.adapters.discord_sender import DiscordSender
from bot.app import BotApp
from bot.core.events import Button, OutgoingMessage
from bot.storage.models import Identity, Member, OutboxMessage, utcnow
from tests.fakes.fake_discord import DiscordHarness, FakeDiscord

CHAT = "420000000000000001"
OTHER = "420000000000000002"


def posts(fake: FakeDiscord, chat: str) -> list[dict]:  # type: ignore[type-arg]
    return fake.calls("POST", f"/channels/{chat}/messages")


def add_member(app: BotApp, chat: str, *rows: OutgoingMessage) -> int:
    """A Discord member with queued outbox rows; returns the member id."""
    with Session(app.engine) as session:
        member = Member()
        session.add(member)
        session.flush()
        assert member.id is not None
        session.add(Identity(member_id=member.id, platform="discord", user_id="7" + chat[1:],
                             chat_id=chat))
        for row in rows:
            session.add(OutboxMessage(member_id=member.id, platform="discord", chat_id=chat,
                                      payload=row.to_dict()))
        session.commit()
        return member.id


async def test_long_text_is_split_at_2000_with_buttons_on_the_last_part(
        bot: DiscordHarness, fake: FakeDiscord) -> None:
    paragraph = "A line about the next session, with *stars* and _underscores_. " * 10
    text = "\n\n".join([paragraph.strip()] * 8)
    message = OutgoingMessage(text, [[Button("Yes", "rsvp:yes"), Button("No", "rsvp:no")]])
    result = await bot.adapter.sender.send(CHAT, message)
    assert result.outcome == "sent"
    sent = fake.messages_to(CHAT)
    assert len(sent) >= 3
    assert all(len(m["content"]) <= 2000 for m in sent)
    assert all(not m["components"] for m in sent[:-1])
    assert [b["custom_id"] for b in sent[-1]["components"][0]["components"]] == [
        "rsvp:yes", "rsvp:no"]
    assert result.message_id == sent[-1]["id"]
    assert "\\*stars\\*" in sent[0]["content"]  # shown as typed, not as Markdown
    joined = "\n\n".join(m["content"] for m in sent).replace("\\", "")
    assert joined == text


async def test_a_document_goes_with_the_last_part(bot: DiscordHarness, fake: FakeDiscord) -> None:
    message = OutgoingMessage("Your data.", document_name="my-data.json",
                              document_text='{"a": 1}')
    assert (await bot.adapter.sender.send(CHAT, message)).outcome == "sent"
    assert fake.messages_to(CHAT)[0]["files"] == ["my-data.json"]


async def test_dms_closed_is_unreachable_after_one_attempt(bot: DiscordHarness,
                                                           fake: FakeDiscord) -> None:
    fake.close_dms(CHAT)
    add_member(bot.app, CHAT, OutgoingMessage("one"), OutgoingMessage("two"))
    await bot.adapter.worker.run_once()
    await bot.adapter.worker.run_once()
    assert len(posts(fake, CHAT)) == 1  # one attempt; the second row is never tried
    with Session(bot.app.engine) as session:
        identity = session.exec(select(Identity).where(Identity.chat_id == CHAT)).one()
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == CHAT)).all()
    assert identity.unreachable and identity.unreachable_reason == "dms_closed"
    assert [r.status for r in rows] == ["unreachable", "unreachable"]
    assert bot.adapter.metrics.invalid[403] == 1


async def test_a_429_is_waited_out_before_the_retry(bot: DiscordHarness,
                                                    fake: FakeDiscord) -> None:
    fake.rate_limit(CHAT, 0.4)
    result = await bot.adapter.sender.send(CHAT, OutgoingMessage("hello"))
    assert result.outcome == "sent"
    first, second = posts(fake, CHAT)
    assert first["status"] == 429 and second["status"] == 200
    assert second["time"] - first["time"] >= 0.4
    assert not fake.violations
    assert bot.adapter.metrics.invalid[429] == 1


async def test_a_global_429_holds_every_chat(bot: DiscordHarness, fake: FakeDiscord) -> None:
    fake.rate_limit(None, 0.5, global_=True)
    first = asyncio.create_task(bot.adapter.sender.send(CHAT, OutgoingMessage("one")))
    while not posts(fake, CHAT):
        await asyncio.sleep(0.005)
    other = await bot.adapter.sender.send(OTHER, OutgoingMessage("two"))
    assert (await first).outcome == "sent" and other.outcome == "sent"
    limited = posts(fake, CHAT)[0]
    assert limited["status"] == 429
    assert all(r["time"] - limited["time"] >= 0.5 for r in posts(fake, OTHER))
    assert not fake.violations


async def test_a_long_429_goes_back_to_the_outbox(bot: DiscordHarness,
                                                  fake: FakeDiscord) -> None:
    fake.rate_limit(CHAT, 120.0)
    add_member(bot.app, CHAT, OutgoingMessage("one"), OutgoingMessage("two"))
    await bot.adapter.worker.run_once()
    assert len(posts(fake, CHAT)) == 1  # not slept inside the send, not retried
    with Session(bot.app.engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == CHAT)).all()
    later = utcnow() + timedelta(seconds=100)
    assert [r.status for r in rows] == ["pending", "pending"]
    assert all(r.not_before.replace(tzinfo=later.tzinfo) > later for r in rows)
    assert bot.adapter.sender.limiter.blocked_for(CHAT) > 100
    assert await bot.adapter.worker.run_once() == 0  # held: nothing due now


async def test_sending_stops_when_the_invalid_budget_is_spent(bot: DiscordHarness,
                                                             fake: FakeDiscord) -> None:
    metrics = DiscordMetrics(budget=3)
    for _ in range(3):
        metrics.record(403)
    sender = DiscordSender(bot.client, metrics=metrics)
    result = await sender.send(CHAT, OutgoingMessage("hello"))
    assert result.outcome == "retry" and result.error == "invalid_budget"
    assert result.retry_after > 500
    assert not posts(fake, CHAT)


async def test_shared_429s_do_not_count(bot: DiscordHarness) -> None:
    metrics = DiscordMetrics()
    metrics.record(429, "shared")
    metrics.record(401)
    metrics.record(200)
    assert metrics.snapshot() == {"requests": 3, "invalid_401": 1, "invalid_403": 0,
                                  "invalid_429": 0, "shared_429": 1, "invalid_last_10_min": 1}
