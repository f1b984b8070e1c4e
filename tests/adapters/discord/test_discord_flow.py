"""The Discord adapter end to end: real discord.py objects from raw gateway payloads,
the real HTTP client against the in-process fake, the real inbox, router and outbox."""

from __future__ import annotations

from discord import app_commands
from sqlmodel import Session, select

from bot.storage.models import InboxEvent
from tests.adapters.discord.conftest import member_of
from tests.fakes.fake_discord import DiscordHarness, FakeDiscord

ANNA = 310000000000000001
EPHEMERAL = 64


def buttons(fake: FakeDiscord, user_id: int) -> list[str]:
    return [b["label"] for b in fake.last_buttons(fake.dm_channel_for(user_id))]


async def test_onboarding_through_dms_with_buttons_skip_and_back(
        bot: DiscordHarness, fake: FakeDiscord) -> None:
    channel = fake.dm_channel_for(ANNA)
    start = await bot.slash(ANNA, "start")
    # Acknowledged as "thinking" first, then answered by DM, then closed.
    assert [c["type"] for c in fake.callbacks if c["id"] == start["id"]] == [5]
    assert "Hello! I am the chat bot for the Riverside group" in fake.texts_to(channel)[0]
    assert buttons(fake, ANNA) == ["English", "Cymraeg"]
    assert [w["method"] for w in fake.webhooks] == ["DELETE"]

    await bot.press(ANNA, "English")
    assert fake.callbacks[-1]["type"] == 6  # a deferred update: nothing shown, nothing to close
    assert "I will write to you in English" in "\n".join(fake.texts_to(channel))
    assert "Yes, save my details" in buttons(fake, ANNA)

    await bot.press(ANNA, "Yes, save my details")
    assert "What would you like me to call you?" in fake.texts_to(channel)[-1]
    assert buttons(fake, ANNA) == ["Back", "Skip"]

    await bot.press(ANNA, "Skip")
    after_skip = fake.texts_to(channel)[-1]
    assert "What would you like me to call you?" not in after_skip
    await bot.press(ANNA, "Back")
    assert "What would you like me to call you?" in fake.texts_to(channel)[-1]

    await bot.dm(ANNA, "Anna")
    assert any("Nice to meet you, Anna." in t for t in fake.texts_to(channel))
    assert member_of(bot.app, ANNA).display_name == "Anna"


async def test_a_dm_is_stored_once_by_its_message_id(bot: DiscordHarness,
                                                     fake: FakeDiscord) -> None:
    payload = await bot.dm(ANNA, "hello")
    bot.feed("message_create", payload)  # the gateway replays it
    await bot.deliver()
    with Session(bot.app.engine) as session:
        rows = session.exec(select(InboxEvent).where(InboxEvent.platform == "discord")).all()
    assert [r.external_id for r in rows] == [payload["id"]]
    assert rows[0].payload["chat_id"] == fake.dm_channel_for(ANNA)


async def test_a_command_in_the_server_is_answered_by_dm(bot: DiscordHarness,
                                                         fake: FakeDiscord) -> None:
    guild_id = 320000000000000001
    payload = await bot.slash(ANNA, "help", guild_id=guild_id)
    ack = [c for c in fake.callbacks if c["id"] == payload["id"]]
    assert ack[0]["type"] == 5 and ack[0]["data"]["flags"] == EPHEMERAL
    assert fake.calls("POST", "/users/@me/channels")  # found the DM channel
    assert "Here is what I can do" in fake.texts_to(fake.dm_channel_for(ANNA))[0]
    edit = fake.webhooks[-1]
    assert edit["method"] == "PATCH" and edit["data"]["content"] == (
        "I have replied in a private message.")



async def test_typed_commands_reach_the_handlers(bot: DiscordHarness, fake: FakeDiscord) -> None:
    await bot.dm(ANNA, "/help")
    assert "Here is what I can do" in fake.texts_to(fake.dm_channel_for(ANNA))[0]
    assert not fake.callbacks  # a typed message needs no acknowledgement


async def test_every_router_command_is_a_slash_command(bot: DiscordHarness) -> None:
    tree = bot.client.tree.get_commands()
    assert {c.name for c in tree} == set(bot.app.router.commands)
    for name in ("start", "help", "profile", "mydata", "forget"):
        command = bot.client.tree.get_command(name)
        assert isinstance(command, app_commands.Command)
        assert [p.name for p in command.parameters] == ["text"]
        assert not command.parameters[0].required
