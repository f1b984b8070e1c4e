"""`copro-bot web`: serve the web app (dashboard, /healthz, Telegram webhook)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.config import Settings


def register(sub: Any) -> None:
    web = sub.add_parser("web", help="serve the web app: dashboard, webhook, /healthz")
    web.add_argument("--host", help="default: WEB_HOST")
    web.add_argument("--port", type=int, help="default: WEB_PORT")
    web.set_defaults(func=cmd_web)


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM. With a Telegram webhook configured, this also
    processes and delivers Telegram updates."""
    from bot.app import BotApp
    from bot.web.app import run_web

    app = BotApp(settings)
    app.upgrade_database()
    asyncio.run(run_web(app, host=args.host, port=args.port))
    return 0
