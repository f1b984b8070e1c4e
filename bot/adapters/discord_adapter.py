"""The Discord adapter: DMs, slash commands and buttons in through the inbox,
replies out through the outbox.

Four loops run side by side: the gateway connection (discord.py), processing
the inbox through the core, the delivery worker, and closing deferred slash
commands. They talk only through the database and wake-up events, so a crash
in any of them loses nothing and repeats nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

import discord
from sqlmodel import Session, col, select

from bot.adapters import discord_guild as guild_side
from bot.adapters.discord_commands import build_tree
from bot.adapters.discord_inbound import (
    PLATFORM,
    button_event,
    command_event,
    in_dm,
    join_event,
    message_event,
    valid_action,
)
from bot.adapters.discord_interactions import (
    InteractionCloser,
    acknowledge,
    dm_channel_id,
    page_message,
)
from bot.adapters.discord_metrics import DiscordMetrics
from bot.adapters.discord_sender import MENTIONS, DiscordSender, discord_limiter
from bot.adapters.discord_views import (
    NEXT_PAGE,
    PREVIOUS_PAGE,
    ActionButton,
    build_view,
    page_count,
    parse_page,
)
from bot.app import BotApp
from bot.core.delivery import DeliveryWorker
from bot.core.events import Event
from bot.core.logsafe import log_failure
from bot.core.loops import Loop, process_inbox, run_together
from bot.core.members import find_identity
from bot.core.ratelimit import RateLimiter
from bot.storage.models import Identity, Member

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only what we use. DMs (and their text) and slash commands need no privileged
    intent; Server Members (privileged) brings joins and role changes."""
    wanted = discord.Intents.none()
    wanted.guilds = True  # servers, channels and roles, to read members' roles
    wanted.members = True  # privileged: join welcome and the role map
    wanted.dm_messages = True  # DMs; Discord sends their text without Message Content
    return wanted


def quiet_library_logs() -> None:
    """discord.py's debug logs show message payloads and webhook URLs with tokens."""
    floor = max(logging.INFO, logging.getLogger().getEffectiveLevel())
    for name in ("discord", "discord.http", "discord.gateway", "discord.webhook"):
        logging.getLogger(name).setLevel(floor)


class CoproClient(discord.Client):
    """A discord.py client that hands everything to the adapter and syncs nothing."""

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        options.setdefault("intents", intents())
        options.setdefault("allowed_mentions", MENTIONS)
        options.setdefault("max_ratelimit_timeout", 30.0)
        options.setdefault("http_trace", adapter.metrics.trace_config())
        options.setdefault("max_messages", None)  # keep no message text in memory
        options.setdefault("chunk_guilds_at_startup", False)
        super().__init__(**options)
        self.adapter = adapter
        self.tree = build_tree(self, adapter.app, adapter.on_command)
        self.tree.error(self._command_error)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)

    async def on_ready(self) -> None:
        log.info("discord: connected as bot %s", self.user.id if self.user else "?")
        await self.adapter.reconcile_roles()

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)

    async def on_action_button(self, interaction: discord.Interaction[Any], action: str) -> None:
        await self.adapter.on_button(interaction, action)

    async def on_member_join(self, member: discord.Member) -> None:
        await self.adapter.on_member_join(member)

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if before.roles != after.roles:
            await self.adapter.sync_member_roles(after)

    async def on_member_remove(self, member: discord.Member) -> None:
        await self.adapter.sync_member_roles(member, roles=[])

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log_failure(log, f"discord {event_method} failed", sys.exc_info()[1] or Exception())

    async def _command_error(self, interaction: discord.Interaction[Any],
                             error: discord.app_commands.AppCommandError) -> None:
        log_failure(log, "discord command failed", error)


class DiscordAdapter:
    """One bot account's receiving, processing and delivery for one process."""

    def __init__(self, app: BotApp, *, limiter: RateLimiter | None = None,
                 metrics: DiscordMetrics | None = None, idle: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, **client_options: Any) -> None:
        self.app = app
        self.metrics = metrics or DiscordMetrics()
        self.idle = idle
        self.received = asyncio.Event()
        self.roles = guild_side.role_map(app.settings)
        self.guild_id = guild_side.setting_id(app.settings, "discord_guild_id")
        self.welcome_channel_id = guild_side.setting_id(app.settings, "discord_welcome_channel_id")
        self.client = CoproClient(self, **client_options)
        self.sender = DiscordSender(self.client, limiter or discord_limiter(), self.metrics,
                                    labels=self.page_labels, on_dms_closed=self.dms_closed)
        self.worker = DeliveryWorker(app.engine, {PLATFORM: self.sender},
                                     max_in_flight=app.settings.delivery_max_in_flight)
        self.closer = InteractionCloser(app, clock)

    # ------------------------------------------------------------------ receiving

    async def store(self, event: Event, external_id: str) -> int | None:
        """Store durably (None for a duplicate) and wake the processing loop."""
        inbox_id = await asyncio.to_thread(self.app.receive, event, external_id)
        if inbox_id is not None:
            self.received.set()
        return inbox_id

    async def on_message(self, message: discord.Message) -> None:
        me = self.client.user.id if self.client.user else None
        event = message_event(message, me)
        if event is not None:
            await self.store(event, str(message.id))

    async def on_command(self, interaction: discord.Interaction[Any], name: str,
                         text: str | None) -> None:
        """Defer first (Discord's 3 s), then store; the closer tidies up later."""
        await acknowledge(interaction, thinking=True, ephemeral=not in_dm(interaction))
        chat_id = await dm_channel_id(interaction)
        if chat_id is None:
            return
        inbox_id = await self.store(command_event(interaction, chat_id, name, text),
                                    str(interaction.id))
        self.closer.track(interaction, inbox_id)

    async def on_button(self, interaction: discord.Interaction[Any], action: str) -> None:
        await acknowledge(interaction)
        page = parse_page(action)
        if page is not None:
            await self.turn_page(interaction, page)
            return
        if not valid_action(action):
            return
        chat_id = await dm_channel_id(interaction)
        if chat_id is not None:
            await self.store(button_event(interaction, chat_id, action), str(interaction.id))

    async def turn_page(self, interaction: discord.Interaction[Any], page: int) -> None:
        """Show another page of a message's buttons; nothing is stored or handled."""
        if interaction.message is None or not in_dm(interaction):
            return
        chat_id = str(interaction.channel_id)
        message = await asyncio.to_thread(page_message, self.app, chat_id,
                                          str(interaction.message.id))
        if message is None or page >= page_count(message):
            return  # not ours, not sent yet, or a forged page number
        view = build_view(message, page, await self.page_labels(chat_id))
        try:
            await interaction.edit_original_response(view=view)
        except discord.HTTPException as exc:
            log.info("could not turn a page: %s", type(exc).__name__)

    async def page_labels(self, chat_id: str) -> tuple[str, str]:
        """"Previous page" / "Next page" in the language of the member in that chat."""
        lang = await asyncio.to_thread(self._language_of_chat, chat_id)
        t = self.app.i18n.translator(lang or self.app.settings.default_language)
        return t.gettext(PREVIOUS_PAGE), t.gettext(NEXT_PAGE)

    def _language_of_chat(self, chat_id: str) -> str | None:
        with Session(self.app.engine) as session:
            return session.exec(
                select(Member.language).join(Identity, col(Identity.member_id) == col(Member.id))
                .where(Identity.platform == PLATFORM, Identity.chat_id == chat_id)
            ).first()

    # ------------------------------------------------------------------ the server

    def our_guild(self, guild: discord.Guild) -> bool:
        return self.guild_id is None or guild.id == self.guild_id

    async def on_member_join(self, member: discord.Member) -> None:
        """Welcome by DM: a synthetic /start, so onboarding begins as on Telegram."""
        if member.bot or not self.our_guild(member.guild):
            return
        try:
            channel = await member.create_dm()
        except discord.HTTPException as exc:
            log.warning("could not open a DM for a new member: %s", type(exc).__name__)
            return
        await self.sync_member_roles(member, chat_id=str(channel.id))
        event, key = join_event(member, str(channel.id))
        await self.store(event, key)

    async def sync_member_roles(self, member: discord.Member, *, roles: list[int] | None = None,
                                chat_id: str | None = None) -> None:
        """Mapped bot roles follow the server roles; `roles=[]` when they left."""
        if not self.roles or member.bot or not self.our_guild(member.guild):
            return
        role_ids = [r.id for r in member.roles] if roles is None else roles
        wanted = guild_side.wanted_roles(self.roles, role_ids)
        if wanted and chat_id is None:
            chat_id = await self._chat_for_new_member(member)
        await asyncio.to_thread(guild_side.sync_roles, self.app, self.roles, str(member.id),
                                role_ids, chat_id)

    async def _chat_for_new_member(self, member: discord.Member) -> str | None:
        """The DM channel a new member record needs; None for someone already stored.

        After a restart no DM channel is cached, and Discord limits opening DMs:
        catching up on roles must not open one for every known member.
        """
        channel = member.dm_channel
        if channel is None:
            if await asyncio.to_thread(self._known, str(member.id)):
                return None
            with contextlib.suppress(discord.HTTPException):
                channel = await member.create_dm()
        return str(channel.id) if channel is not None else None

    def _known(self, user_id: str) -> bool:
        with Session(self.app.engine) as session:
            return find_identity(session, PLATFORM, user_id) is not None

    async def reconcile_roles(self) -> None:
        """After (re)connecting, catch up with role changes made while we were away."""
        if not self.roles:
            return
        for guild in self.client.guilds:
            if not self.our_guild(guild):
                continue
            if not guild.chunked:
                with contextlib.suppress(discord.HTTPException, asyncio.TimeoutError):
                    await guild.chunk(cache=True)
            for member in guild.members:
                await self.sync_member_roles(member)

    async def dms_closed(self, chat_id: str) -> None:
        """The sender got 50007: if it was a welcome, leave a note in the channel."""
        if self.welcome_channel_id is not None:
            await asyncio.to_thread(guild_side.queue_dms_closed_note, self.app, chat_id,
                                    self.welcome_channel_id)

    # ------------------------------------------------------------------ loops

    async def process_forever(self, stop: asyncio.Event) -> None:
        """Run the core on stored events as they arrive (and every `idle` seconds)."""
        await process_inbox(self.app, stop, self.received, self.worker, self.idle)

    async def gateway(self, stop: asyncio.Event) -> None:
        """Stay connected (discord.py reconnects and resumes) until `stop`."""
        connect = asyncio.create_task(self.client.connect(reconnect=True))
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait([connect, stopper], return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if not connect.done():
            await self.client.close()
        await connect

    async def run(self, stop: asyncio.Event, *, deliver: bool = True,
                  process: bool = True) -> None:
        """Log in, then run every loop until `stop`. With `deliver=False` another
        worker (one per process, shared by all platforms) sends `self.sender`'s rows."""
        token = self.app.settings.discord_bot_token
        if token is None:
            raise ValueError("DISCORD_BOT_TOKEN is not set")
        quiet_library_logs()
        try:
            await self.client.login(token.get_secret_value())
            loops: list[Loop] = [self.gateway, self.closer.run_forever]
            if process:
                loops.append(self.process_forever)
            if deliver:
                loops.append(self.worker.run_forever)
            await run_together(stop, *loops)
        except discord.PrivilegedIntentsRequired:
            log.critical("discord: turn on the Server Members intent for this bot in the "
                         "Developer Portal (Bot > Privileged Gateway Intents)")
            raise
        finally:
            await self.client.close()

