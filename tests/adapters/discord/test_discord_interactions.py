"""Interactions: acknowledged within Discord's 3 seconds whatever the handlers do,
forged custom ids change nothing, and long button lists are paged."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlmodel import Session

from bot.app import BotApp
from bot.config import Settings
from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.privacy import has_consent
from handlers import build_router
from tests.adapters.discord.conftest import member_of
from tests.fakes.fake_discord import (
    DEADLINE,
    DiscordHarness,
    FakeClock,
    FakeDiscord,
    until,
)

ANNA = 310000000000000001
BOB = 310000000000000002
SLOW_SECONDS = 10.0
release = threading.Event()


def make_router(clock: FakeClock) -> Router:
    """The real router plus three test commands: slow, blocking and many buttons."""
    extra = Router("discord-test")

    @extra.command("slow")
    def slow(event: Event, ctx: Context) -> None:
        clock.advance(SLOW_SECONDS)  # the handler "takes" ten seconds
        time.sleep(0.2)
        ctx.reply("done")

    @extra.command("blocking")
    def blocking(event: Event, ctx: Context) -> None:
        release.wait(timeout=10)
        ctx.reply("unblocked")

    @extra.command("many")
    def many(event: Event, ctx: Context) -> None:
        choices = [Button(f"Choice {i}", f"pick:{i}") for i in range(30)]
        ctx.reply("Pick one.", [choices[i : i + 3] for i in range(0, 30, 3)])

    @extra.button("pick:")
    def picked(event: Event, ctx: Context) -> None:
        ctx.reply(f"You picked {(event.action or '').split(':')[1]}.")

    router = build_router()
    router.include(extra)
    return router


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dc_app(app: BotApp, dc_settings: Settings, clock: FakeClock) -> BotApp:
    return BotApp(dc_settings, engine=app.engine, router=make_router(clock))


async def test_a_slow_handler_is_still_acknowledged_in_time(bot: DiscordHarness,
                                                             fake: FakeDiscord) -> None:
    payload = await bot.slash(ANNA, "slow")
    ack = next(c for c in fake.callbacks if c["id"] == payload["id"])
    assert ack["type"] == 5  # "thinking": deferred before anything else happened
    assert ack["time"] - ack["created"] < DEADLINE
    reply = fake.messages_to(fake.dm_channel_for(ANNA))[-1]
    assert reply["content"] == "done"
    assert reply["time"] - ack["created"] >= SLOW_SECONDS  # the handler really was slow
    close = fake.webhooks[-1]  # then the thinking note was removed, within the token window
    assert close["method"] == "DELETE" and close["token"] == payload["token"]
    assert SLOW_SECONDS <= close["time"] - ack["created"] < 15 * 60


async def test_acks_do_not_wait_for_a_busy_inbox(bot: DiscordHarness, fake: FakeDiscord) -> None:
    release.clear()
    first = fake.command(ANNA, "blocking")
    bot.feed("interaction_create", first)
    await until(lambda: bot.stored(first["id"]))
    busy = asyncio.create_task(asyncio.to_thread(bot.app.process_pending))
    await asyncio.sleep(0.1)
    second = fake.command(BOB, "help")
    bot.feed("interaction_create", second)
    await until(lambda: any(c["id"] == second["id"] for c in fake.callbacks), timeout=2)
    assert not busy.done()  # acknowledged while a handler was still running
    release.set()
    await busy
    # (On SQLite the insert waits for the busy handler's write lock; the ack did not.)
    await until(lambda: bot.stored(second["id"]))
    await bot.deliver()
    assert "Here is what I can do" in fake.texts_to(fake.dm_channel_for(BOB))[0]


async def test_a_custom_id_not_on_the_message_goes_nowhere(bot: DiscordHarness,
                                                           fake: FakeDiscord) -> None:
    await bot.slash(ANNA, "start")
    message = fake.messages_to(fake.dm_channel_for(ANNA))[-1]
    forged = fake.press(ANNA, "onb:consent:pick:yes", message["object"])
    bot.feed("interaction_create", forged)
    await asyncio.sleep(0.3)
    await bot.deliver()
    assert not bot.stored(forged["id"])
    assert not consented(bot.app, ANNA)


async def test_a_forged_button_on_a_forged_message_changes_nothing(bot: DiscordHarness,
                                                                   fake: FakeDiscord) -> None:
    await bot.slash(ANNA, "start")  # Anna is at the language question
    message = dict(fake.messages_to(fake.dm_channel_for(ANNA))[-1]["object"])
    message["components"] = [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "Yes", "custom_id": "onb:consent:pick:yes"},
        {"type": 2, "style": 1, "label": "Welsh", "custom_id": "lang:cy"}]}]
    sent_before = len(fake.messages)
    for custom_id in ("onb:consent:pick:yes", "lang:cy"):
        forged = fake.press(ANNA, custom_id, message)
        bot.feed("interaction_create", forged)
        await until(lambda forged=forged: bot.stored(forged["id"]))  # type: ignore[misc]
        await bot.deliver()
    assert not consented(bot.app, ANNA)
    assert language(bot.app, ANNA) == "en"
    replies = [m["content"] for m in fake.messages[sent_before:]]
    assert replies and all("button has expired" in r for r in replies)


async def test_long_choice_lists_are_paged(bot: DiscordHarness, fake: FakeDiscord) -> None:
    await bot.slash(ANNA, "many")
    message = fake.messages_to(fake.dm_channel_for(ANNA))[-1]
    rows = message["components"]
    assert len(rows) == 5 and all(len(r["components"]) <= 5 for r in rows)
    assert [b["label"] for b in rows[-1]["components"]] == ["Next page"]
    assert rows[0]["components"][0]["custom_id"] == "pick:0"

    turn = fake.press(ANNA, "~page:1", message["object"])
    bot.feed("interaction_create", turn)
    await until(lambda: any(w["method"] == "PATCH" for w in fake.webhooks))
    assert not bot.stored(turn["id"])  # turning a page is not an event
    page = fake.webhooks[-1]["data"]["components"]
    assert page[0]["components"][0]["custom_id"] == "pick:12"
    assert [b["label"] for b in page[-1]["components"]] == ["Previous page", "Next page"]

    on_page_two = {**message["object"], "components": page}
    press = fake.press(ANNA, "pick:13", on_page_two)
    bot.feed("interaction_create", press)
    await until(lambda: bot.stored(press["id"]))
    await bot.deliver()
    assert fake.texts_to(fake.dm_channel_for(ANNA))[-1] == "You picked 13."


async def test_a_forged_page_number_changes_nothing(bot: DiscordHarness,
                                                    fake: FakeDiscord) -> None:
    await bot.slash(ANNA, "many")
    message = fake.messages_to(fake.dm_channel_for(ANNA))[-1]
    message["object"]["components"][-1]["components"].append(
        {"type": 2, "style": 2, "label": "x", "custom_id": "~page:99"})
    forged = fake.press(ANNA, "~page:99", message["object"])
    bot.feed("interaction_create", forged)
    await until(lambda: any(c["id"] == forged["id"] for c in fake.callbacks))
    await asyncio.sleep(0.2)
    assert not [w for w in fake.webhooks if w["method"] == "PATCH"]
    assert not bot.stored(forged["id"])


def consented(app: BotApp, user_id: int) -> bool:
    member_id = member_of(app, user_id).id
    assert member_id is not None
    with Session(app.engine) as session:
        return has_consent(session, member_id)


def language(app: BotApp, user_id: int) -> str:
    return member_of(app, user_id).language
