"""Slash commands come from the router, and only `copro-bot discord sync-commands`
ever calls Discord's command-sync endpoint."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.adapters.discord_adapter import DiscordAdapter, intents
from bot.adapters.discord_commands import GettextTranslator, discord_language, sync_commands
from bot.app import BotApp
from bot.cli import build_parser
from bot.commands.discord import cmd_sync_commands
from bot.config import Settings
from tests.fakes.fake_discord import APP_ID, DiscordHarness, FakeDiscord, guild

ANNA = 310000000000000001
GUILD = 330000000000000001


async def test_running_the_bot_never_syncs(dc_app: BotApp, fake: FakeDiscord) -> None:
    async with DiscordHarness(dc_app, fake) as bot:
        await bot.client.setup_hook()
        bot.feed("guild_create", guild(GUILD, []))
        await bot.client.on_ready()  # what a connect or reconnect runs
        await bot.slash(ANNA, "help")
        await bot.dm(ANNA, "hello")
    assert not fake.syncs
    assert not [r for r in fake.requests if "/commands" in r["path"]]


async def test_sync_commands_registers_every_router_command(dc_app: BotApp,
                                                            fake: FakeDiscord) -> None:
    names = await sync_commands(dc_app)
    assert sorted(names) == sorted(dc_app.router.commands)
    (sync,) = fake.syncs
    assert sync["path"] == f"/applications/{APP_ID}/commands"
    by_name = {c["name"]: c for c in sync["commands"]}
    start = by_name["start"]
    assert start["description"] == "Start again from the welcome"
    assert start["options"][0]["name"] == "text" and not start["options"][0]["required"]
    assert start["contexts"] == [0, 1] and start["integration_types"] == [0]
    assert all(1 <= len(c["description"]) <= 100 for c in sync["commands"])


async def test_sync_to_one_server(dc_app: BotApp, fake: FakeDiscord) -> None:
    await sync_commands(dc_app, guild_id=GUILD)
    assert [s["path"] for s in fake.syncs] == [f"/applications/{APP_ID}/guilds/{GUILD}/commands"]


async def test_the_run_loop_logs_in_and_stops_without_syncing(
        dc_app: BotApp, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = DiscordAdapter(dc_app)
    closed = asyncio.Event()

    async def connect(*, reconnect: bool = True) -> None:  # no gateway in tests
        await closed.wait()

    async def close() -> None:
        closed.set()
        await discord.Client.close(adapter.client)

    monkeypatch.setattr(adapter.client, "connect", connect)
    monkeypatch.setattr(adapter.client, "close", close)
    stop = asyncio.Event()
    task = asyncio.create_task(adapter.run(stop))
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert fake.calls("GET", "/users/@me") and not fake.syncs


async def test_running_needs_a_token(app: BotApp) -> None:
    with pytest.raises(ValueError, match="DISCORD_BOT_TOKEN"):
        await DiscordAdapter(app).run(asyncio.Event())


def test_only_server_members_is_a_privileged_intent() -> None:
    wanted = intents()
    assert wanted.members and wanted.dm_messages and wanted.guilds
    assert not wanted.message_content and not wanted.presences
    assert not wanted.guild_messages


def test_the_cli_command_is_registered() -> None:
    args = build_parser().parse_args(["discord", "sync-commands", "--guild", "123"])
    assert args.func is cmd_sync_commands and args.guild == "123"
    assert build_parser().parse_args(["discord", "sync-commands"]).guild is None


def test_the_cli_needs_a_token(settings: Settings) -> None:
    args = build_parser().parse_args(["discord", "sync-commands"])
    with pytest.raises(ValueError, match="DISCORD_BOT_TOKEN"):
        cmd_sync_commands(settings, args)


async def test_descriptions_are_offered_in_discord_languages(dc_app: BotApp) -> None:
    translator = GettextTranslator(dc_app)
    context = discord.app_commands.TranslationContext(  # type: ignore[call-overload]
        discord.app_commands.TranslationContextLocation.command_description, None)
    string = discord.app_commands.locale_str("See what I can do", msgid="See what I can do")
    assert discord_language(discord.Locale.british_english) == "en"
    assert discord_language(discord.Locale.brazil_portuguese) == "pt"
    # English is the default here: Discord shows the base text; Welsh is not a Discord locale.
    assert await translator.translate(string, discord.Locale.british_english, context) is None
    assert await translator.translate(string, discord.Locale.polish, context) is None
    name = discord.app_commands.TranslationContext(  # type: ignore[call-overload]
        discord.app_commands.TranslationContextLocation.command_name, None)
    assert await translator.translate(string, discord.Locale.polish, name) is None
    # With Welsh as the default, English-speaking Discord apps get the English text.
    welsh_first = BotApp(dc_app.settings.model_copy(update={"default_language": "cy"}),
                         engine=dc_app.engine)
    english = await GettextTranslator(welsh_first).translate(
        string, discord.Locale.american_english, context)
    assert english == "See what I can do"
