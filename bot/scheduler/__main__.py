"""`python -m bot.scheduler`: run the scheduler on its own, as leader or standby.

Start it next to the bot on as many machines as you like; with PostgreSQL
exactly one leads and the others take over when it dies. The database must
already be migrated (`copro-bot db upgrade`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from bot.core.delivery import Sender


def main(argv: Sequence[str] | None = None, senders: dict[str, Sender] | None = None) -> int:
    """Entry point; `senders` lets a deployment (or a test) deliver from the leader too."""
    from bot.app import BotApp
    from bot.config import get_settings
    from bot.scheduler.runner import run_scheduler

    parser = argparse.ArgumentParser(prog="python -m bot.scheduler", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run every scanner once, then exit")
    parser.add_argument("--scan-seconds", type=float, default=None)
    parser.add_argument("--retry-seconds", type=float, default=None)
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    app = BotApp(settings)

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_scheduler(app, stop, senders=senders, once=args.once,
                            scan_seconds=args.scan_seconds, retry_seconds=args.retry_seconds)

    asyncio.run(go())
    app.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
