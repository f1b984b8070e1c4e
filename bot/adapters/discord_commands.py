"""Slash commands from the router, and the one place that syncs them with Discord.

Every router command becomes a slash command with one optional `text`
option, so a feature that registers `@router.command(...)` appears on Discord
without touching this module. Team commands are listed too: Discord cannot
know our roles, and the dispatcher refuses them to members, as on Telegram.

Registering commands with Discord (a "sync") is rate limited and rewrites
what every user sees, so it happens only when an operator runs
`copro-bot discord sync-commands`, never on connect or reconnect.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.app import BotApp
from bot.i18n import N_

log = logging.getLogger(__name__)

OnCommand = Callable[[discord.Interaction[Any], str, str | None], Awaitable[None]]

MAX_COMMANDS = 100  # Discord's limit of global slash commands
MAX_DESCRIPTION = 100
NAME = re.compile(r"^[a-z0-9_-]{1,32}$")
TEXT_OPTION = N_("Anything you want to add")
# Usable in the server and in the bot's DMs; installed to servers, not to users.
CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)
INSTALLS = app_commands.AppInstallationType(guild=True, user=False)


def make_command(name: str, description: str, msgid: str | None,
                 on_command: OnCommand) -> app_commands.Command[Any, Any, None]:
    """One slash command that hands `/name text` to the adapter."""

    @app_commands.describe(text=app_commands.locale_str(TEXT_OPTION, msgid=TEXT_OPTION))
    async def invoke(interaction: discord.Interaction[Any], text: str | None = None) -> None:
        await on_command(interaction, name, text)

    return app_commands.Command(
        name=name,
        description=app_commands.locale_str(description, msgid=msgid or ""),
        callback=invoke,
        allowed_contexts=CONTEXTS,
        allowed_installs=INSTALLS,
    )


def build_tree(client: discord.Client, app: BotApp,
               on_command: OnCommand) -> app_commands.CommandTree[Any]:
    """The command tree for `client`, derived from `app.router.commands`."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    base = app.i18n.translator(app.settings.default_language)
    added = 0
    for name, spec in sorted(app.router.commands.items()):
        if not NAME.match(name):
            log.warning("command %r cannot be a Discord slash command", name)
            continue
        if added == MAX_COMMANDS:
            log.warning("more than %d commands; the rest are text only", MAX_COMMANDS)
            break
        text = base.gettext(spec.description) if spec.description else name
        tree.add_command(make_command(name, text[:MAX_DESCRIPTION], spec.description, on_command))
        added += 1
    return tree


def discord_language(locale: discord.Locale) -> str:
    """Discord's `pt-BR` or `en-GB` as our `pt` or `en`."""
    return str(locale.value).split("-", 1)[0].lower()


class GettextTranslator(app_commands.Translator):
    """Command and option descriptions in every offered language Discord supports.

    Names are never translated: they are what people type and what we route on.
    """

    def __init__(self, app: BotApp) -> None:
        super().__init__()
        self.app = app

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if context.location not in (Where.command_description, Where.parameter_description):
            return None
        msgid = string.extras.get("msgid")
        lang = discord_language(locale)
        settings = self.app.settings
        if not msgid or lang not in settings.languages or lang == settings.default_language:
            return None
        text = self.app.i18n.translator(lang).gettext(msgid)
        if text == msgid and lang != "en":
            return None  # not translated yet: Discord shows the default language
        return text[:MAX_DESCRIPTION]


async def _not_running(interaction: discord.Interaction[Any], name: str,
                       text: str | None) -> None:
    """The sync-only client never connects to the gateway, so never gets commands."""


async def sync_commands(app: BotApp, *, guild_id: int | None = None,
                        client: discord.Client | None = None) -> list[str]:
    """Register the router's commands with Discord; returns the synced names.

    Global commands work in DMs and in every server, but Discord may take a
    while to show changes; `guild_id` also copies them to one server, where
    they show at once (handy while testing).
    """
    token = app.settings.discord_bot_token
    if token is None:
        raise ValueError("DISCORD_BOT_TOKEN is not set")
    client = client or discord.Client(intents=discord.Intents.none())
    tree = build_tree(client, app, _not_running)
    await tree.set_translator(GettextTranslator(app))
    async with client:
        await client.login(token.get_secret_value())
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
        else:
            synced = await tree.sync()
    log.info("discord: synced %d slash commands", len(synced))
    return [command.name for command in synced]
