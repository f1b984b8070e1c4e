"""Long polling that never loses an update.

Telegram confirms every update below the `offset` of the next getUpdates
call. PTB's Updater moves the offset before handlers run, so a crash there
loses updates. Here each update is stored in the inbox first, and only then
does the offset move past it. A crash at any point means Telegram sends the
unconfirmed updates again, and the inbox's unique key makes them no-ops.
"""

from __future__ import annotations

import asyncio
import logging
import random
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.adapters.telegram_inbound import ALLOWED_UPDATES
from bot.adapters.telegram_sender import retry_after_seconds
from bot.core.logsafe import log_failure
from bot.core.loops import pause

log = logging.getLogger(__name__)
# We call getUpdates through do_api_request on purpose (see Poller.fetch).
warnings.filterwarnings(
    "ignore", message=r".*do_api_request\(\"getUpdates\"", category=PTBUserWarning
)

T = TypeVar("T")
MAX_BACKOFF = 60.0
CONFLICT_PAUSE = 10.0
READ_TIMEOUT = 10.0  # on top of the long-poll timeout


async def until_stopped(awaitable: Awaitable[T], stop: asyncio.Event) -> T | None:
    """Await `awaitable`, or cancel it and return None as soon as `stop` is set.

    Cancelling a long poll is safe: nothing is confirmed until the next call.
    """
    task = asyncio.ensure_future(awaitable)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([task, stopper], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):  # noqa: S110 - it was cancelled on purpose
        pass
    return None




class Poller:
    """Calls getUpdates in a loop and hands each update to `ingest` in order.

    `ingest` must store the update durably before it returns; if it raises,
    the offset stays where it was and the same update comes again. With
    `ingest_batch`, each getUpdates batch is stored by one call instead (one
    commit for the batch); the same rule holds for the whole batch.
    """

    def __init__(
        self,
        bot: Bot,
        ingest: Callable[[Update], Awaitable[object]],
        *,
        timeout: int = 25,
        limit: int = 100,
        allowed_updates: Sequence[str] = tuple(ALLOWED_UPDATES),
        conflict_pause: float = CONFLICT_PAUSE,
        ingest_batch: Callable[[list[Update]], Awaitable[object]] | None = None,
    ) -> None:
        self.bot = bot
        self.ingest = ingest
        self.ingest_batch = ingest_batch
        self.timeout = timeout
        self.limit = limit
        self.allowed_updates = list(allowed_updates)
        self.conflict_pause = conflict_pause
        self.offset: int | None = None
        self.failures = 0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                updates = await until_stopped(self.fetch(), stop)
            except InvalidToken:
                log.critical("telegram rejected the bot token; check TELEGRAM_BOT_TOKEN")
                raise
            except Conflict:
                log.error(
                    "telegram answered 409 Conflict: another process is polling with this "
                    "token, or a webhook is set. Run one poller, or use webhook mode only."
                )
                await pause(self.conflict_pause, stop)
                continue
            except RetryAfter as exc:
                await pause(retry_after_seconds(exc), stop)
                continue
            except (TimedOut, NetworkError) as exc:
                await self._back_off(type(exc).__name__, stop)
                continue
            if updates is None:
                return
            try:
                await self.handle(updates)
            except Exception as exc:  # e.g. the database is down: keep the offset, retry
                log_failure(log, "could not store an update", exc)
                await self._back_off(type(exc).__name__, stop)
                continue
            self.failures = 0

    async def fetch(self) -> list[tuple[int, Update | None]]:
        """One getUpdates call, each update parsed on its own.

        `bot.get_updates()` parses the whole batch at once: one update PTB cannot
        read would then block polling for good, and PTB logs its raw content.
        Here it becomes (update_id, None) and is skipped after those before it.
        """
        raw = await self.bot.do_api_request(
            "getUpdates",
            api_kwargs={"offset": self.offset, "limit": self.limit, "timeout": self.timeout,
                        "allowed_updates": self.allowed_updates},
            read_timeout=READ_TIMEOUT + self.timeout,
        )
        batch: list[tuple[int, Update | None]] = []
        for item in raw or []:
            if not isinstance(item, dict) or not isinstance(item.get("update_id"), int):
                log.warning("skipping an update without an update_id")
                continue
            update_id = item["update_id"]
            try:
                batch.append((update_id, Update.de_json(item, self.bot)))
            except Exception as exc:
                log.warning("skipping unreadable update %s: %s", update_id, type(exc).__name__)
                batch.append((update_id, None))
        return batch

    async def handle(self, batch: Sequence[tuple[int, Update | None]]) -> None:
        """Store each update, then move the offset past it (in memory; the next
        getUpdates call is what confirms it to Telegram)."""
        if self.ingest_batch is not None and batch:
            await self.ingest_batch([update for _, update in batch if update is not None])
            self.offset = batch[-1][0] + 1
            return
        for update_id, update in batch:
            if update is not None:
                await self.ingest(update)
            self.offset = update_id + 1

    async def _back_off(self, reason: str, stop: asyncio.Event) -> None:
        self.failures += 1
        delay = min(MAX_BACKOFF, 2 ** min(self.failures - 1, 6)) * random.uniform(0.5, 1.0)
        log.warning("telegram polling failed (%s); retrying in %.1fs", reason, delay)
        await pause(delay, stop)
