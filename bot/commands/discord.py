"""`copro-bot discord sync-commands`: register the slash commands with Discord.

This is the only code path that calls Discord's command-sync endpoint. Run it
after installing or upgrading the bot, or after adding a feature command;
connecting and reconnecting never sync.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.config import Settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("discord", help="Discord set-up tasks")
    sub = parser.add_subparsers(dest="discord_command", required=True)
    sync = sub.add_parser(
        "sync-commands",
        help="register the slash commands with Discord (after install or upgrade)",
    )
    sync.add_argument(
        "--guild", nargs="?", const="configured", default=None, metavar="GUILD_ID",
        help="sync to one server only, where changes show at once (for testing); "
             "without an id, DISCORD_GUILD_ID. DMs only see the global commands.",
    )
    sync.set_defaults(func=cmd_sync_commands)


def cmd_sync_commands(settings: Settings, args: argparse.Namespace) -> int:
    from bot.adapters.discord_commands import sync_commands
    from bot.adapters.discord_guild import setting_id
    from bot.app import BotApp

    guild_id: int | None = None
    if args.guild == "configured":
        guild_id = setting_id(settings, "discord_guild_id")
        if guild_id is None:
            raise ValueError("--guild without an id needs DISCORD_GUILD_ID")
    elif args.guild is not None:
        if not str(args.guild).isdigit():
            raise ValueError("--guild takes a server id (digits)")
        guild_id = int(args.guild)
    app = BotApp(settings)
    try:
        names = asyncio.run(sync_commands(app, guild_id=guild_id))
    finally:
        app.engine.dispose()
    where = f"server {guild_id}" if guild_id is not None else "all servers and DMs"
    print(f"Synced {len(names)} slash commands to {where}: {', '.join(sorted(names))}")
    return 0
