"""Starting the bot on the chosen platforms."""

from __future__ import annotations

import logging
import sys

from bot.app import BotApp
from bot.config import Settings

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


async def run(settings: Settings, platform: str, as_user: str, roles: list[str]) -> int:
    app = BotApp(settings)
    app.upgrade_database()
    platforms = choose_platforms(settings, platform)
    if platforms == ["console"]:
        from bot.adapters.console_adapter import ConsoleAdapter

        console = ConsoleAdapter(app, user=as_user)
        for role in roles:
            console.grant(role)
        await console.run(sys.stdin)
        return 0
    if "telegram" in platforms and not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    if "discord" in platforms and not settings.discord_bot_token:
        raise ValueError("DISCORD_BOT_TOKEN is not set")
    raise ValueError(f"platform not available yet: {', '.join(platforms)}")
