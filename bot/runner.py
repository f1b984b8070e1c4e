"""Starting the bot: the console, or the platforms with their shared machinery.

One process runs, for all its platforms together: the adapters' inbound loops,
one inbox-processing loop, the scheduler, and one delivery worker. The
scheduler and the delivery worker run only while this process holds the
leader lock (PostgreSQL advisory lock), so with several processes exactly one
sends; the others receive and process, and take over if the leader dies.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from bot.app import BotApp
from bot.config import Settings
from bot.core.delivery import DeliveryWorker, Sender
from bot.core.loops import Loop, process_inbox, run_together, stop_on_signals

log = logging.getLogger(__name__)


def choose_platforms(settings: Settings, platform: str) -> list[str]:
    """`auto` means every platform with a token, or the console when there is none."""
    if platform == "all":
        return ["telegram", "discord"]
    if platform != "auto":
        return [platform]
    chosen = []
    if settings.telegram_bot_token:
        chosen.append("telegram")
    if settings.discord_bot_token:
        chosen.append("discord")
    return chosen or ["console"]


async def run(settings: Settings, platform: str, as_user: str, roles: list[str],
              web: bool = False) -> int:
    platforms = choose_platforms(settings, platform)
    for name in ("telegram", "discord"):
        if name in platforms and not getattr(settings, f"{name}_bot_token"):
            raise ValueError(f"{name.upper()}_BOT_TOKEN is not set")
    app = BotApp(settings)
    app.upgrade_database()
    if platforms == ["console"]:
        from bot.adapters.console_adapter import ConsoleAdapter

        console = ConsoleAdapter(app, user=as_user)
        for role in roles:
            console.grant(role)
        await console.run(sys.stdin)
        return 0


    stop = asyncio.Event()
    with stop_on_signals(stop):
        await serve(app, platforms, stop, web=web)
    return 0


async def serve(app: BotApp, platforms: list[str], stop: asyncio.Event, *,
                web: bool = False) -> None:
    """Run the given platforms (and the web app) in this process until `stop`."""

    from bot.scheduler import run_scheduler

    received = asyncio.Event()
    senders: dict[str, Sender] = {}
    loops: list[Loop] = []
    telegram = None
    if "telegram" in platforms:
        from bot.adapters.telegram_adapter import TelegramAdapter

        telegram = TelegramAdapter(app)
        telegram.received = received
        senders["telegram"] = telegram.sender
        if app.settings.telegram_webhook_url:
            web = True
            loops.append(lambda s: telegram.run_webhook_side(s, inbound_only=True))
        else:
            loops.append(lambda s: telegram.run_polling(s, inbound_only=True))
    if "discord" in platforms:
        from bot.adapters.discord_adapter import DiscordAdapter

        discord = DiscordAdapter(app)
        discord.received = received
        senders["discord"] = discord.sender
        loops.append(lambda s: discord.run(s, deliver=False, process=False))
    worker = DeliveryWorker(app.engine, senders,
                            max_in_flight=app.settings.delivery_max_in_flight)
    loops.append(lambda s: process_inbox(app, s, received, worker))
    loops.append(lambda s: run_scheduler(app, s, worker=worker))
    if web:
        from bot.web.app import run_web

        loops.append(lambda s: run_web(app, s, telegram=telegram, serve_only=True))
    log.info("running: %s%s", ", ".join(platforms), " + web" if web else "")
    await run_together(stop, *loops)
