"""The Telegram adapter: updates in through the inbox, replies out through the outbox.

Three loops run side by side: receiving (long polling here, or the webhook
route of the web app), processing the inbox through the core, and the
delivery worker. They talk only through the database and two wake-up events,
so a crash in any of them loses nothing and repeats nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Bot, CallbackQuery, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.adapters.telegram_inbound import (
    ALLOWED_UPDATES,
    PLATFORM,
    BotIdentity,
    update_to_event,
)
from bot.adapters.telegram_polling import Poller
from bot.adapters.telegram_sender import TelegramSender
from bot.app import BotApp
from bot.config import Settings
from bot.core.delivery import DeliveryWorker
from bot.core.events import Event
from bot.core.inbox import store_events
from bot.core.loops import pause, process_inbox, run_together, stop_on_signals
from bot.core.ratelimit import RateLimiter

log = logging.getLogger(__name__)

SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SHUTDOWN_GRACE = 5.0
# Button spinners stopped at once. A getUpdates batch can hold 100 presses; 100
# requests at once would open 100 connections, and httpx checks every pooled
# connection on every request, which made these answers cost as much CPU as
# all the replies.
ANSWERS_AT_ONCE = 4
# Connections beyond the delivery worker's sends in flight: the button answers, with room.
EXTRA_CONNECTIONS = 8


def quiet_library_logs() -> None:
    """httpx logs every request URL, and the Bot API URL contains the token; PTB's
    debug logs show message text. Neither may reach our logs."""
    for name, floor in (("httpx", logging.WARNING), ("httpcore", logging.WARNING),
                        ("telegram", logging.INFO)):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < floor:  # only ever quieter, never louder
            logger.setLevel(floor)


def make_bot(settings: Settings) -> Bot:
    """A PTB Bot for our settings; TELEGRAM_API_URL allows a local Bot API server."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    quiet_library_logs()
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_url,
        # Sends to many chats go out concurrently, so give them a real pool, but
        # no bigger than needed: httpx checks each pooled connection per request.
        request=HTTPXRequest(
            connection_pool_size=settings.delivery_max_in_flight + EXTRA_CONNECTIONS,
            pool_timeout=10.0),
        get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=10.0),
    )


class TelegramAdapter:
    """One bot account's receiving, processing and delivery for one process."""

    def __init__(
        self,
        app: BotApp,
        bot: Bot | None = None,
        *,
        limiter: RateLimiter | None = None,
        poll_timeout: int = 25,
        idle: float = 1.0,
    ) -> None:
        self.app = app
        self.bot = bot or make_bot(app.settings)
        self.limiter = limiter or RateLimiter()
        self.sender = TelegramSender(self.bot, self.limiter)
        self.worker = DeliveryWorker(app.engine, {PLATFORM: self.sender},
                                     max_in_flight=app.settings.delivery_max_in_flight)
        self.poll_timeout = poll_timeout
        self.idle = idle
        self.received = asyncio.Event()
        self.me: BotIdentity | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._answering = asyncio.Semaphore(ANSWERS_AT_ONCE)

    async def start(self) -> None:
        """Log in (getMe), so we know our own id and @username."""
        if self.me is None:
            await self.bot.initialize()
            self.me = BotIdentity.of(self.bot.bot)

    async def connect(self, stop: asyncio.Event) -> bool:
        """`start()`, retried while Telegram is unreachable; False if stopped first.

        A rejected token is a configuration error, raised as ValueError for the CLI.
        """
        try:
            return await retry_network(self.start, stop)
        except InvalidToken:
            raise ValueError("Telegram rejected TELEGRAM_BOT_TOKEN") from None

    async def close(self) -> None:
        if self._background:
            await asyncio.wait(self._background, timeout=SHUTDOWN_GRACE)
        if self.me is not None:
            await self.bot.shutdown()
            self.me = None

    # ------------------------------------------------------------------ receiving

    async def ingest(self, update: Update) -> bool:
        """Store an update durably (True when new), then acknowledge it.

        Raises when it could not be stored: the caller must then not confirm it.
        """
        event = self._event_of(update)
        stored = False
        if event is not None:
            inbox_id = await asyncio.to_thread(self.app.receive, event, str(update.update_id))
            stored = inbox_id is not None
        if update.callback_query is not None:
            self._spawn(self._answer(update.callback_query))
        if stored:
            self.received.set()
        return stored

    async def ingest_many(self, updates: list[Update]) -> int:
        """Store a getUpdates batch in one transaction; returns how many were new.

        Raises when it could not be stored: the caller must then confirm none.
        """
        items = [(event, str(update.update_id))
                 for update in updates if (event := self._event_of(update)) is not None]
        ids = await asyncio.to_thread(store_events, self.app.engine, items) if items else []
        for update in updates:
            if update.callback_query is not None:
                self._spawn(self._answer(update.callback_query))
        stored = sum(inbox_id is not None for inbox_id in ids)
        if stored:
            self.received.set()
        return stored

    def _event_of(self, update: Update) -> Event | None:
        """The update as an event; None for one we ignore or cannot read."""
        if self.me is None:
            raise RuntimeError("call start() first")
        try:
            return update_to_event(update, self.me)
        except Exception as exc:  # the same update would fail again: skip, don't block
            log.warning("skipping update %s: %s", update.update_id, type(exc).__name__)
            return None

    async def _answer(self, query: CallbackQuery) -> None:
        """Stop the button's spinner; the real answer comes as a message."""
        try:
            async with self._answering:
                await self.bot.answer_callback_query(query.id)
        except TelegramError as exc:  # too old after a restart, or a network blip
            log.info("could not answer a button press: %s", type(exc).__name__)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ------------------------------------------------------------------ loops

    async def process_forever(self, stop: asyncio.Event) -> None:
        """Run the core on stored events as they arrive (and every `idle` seconds)."""
        await process_inbox(self.app, stop, self.received, self.worker, self.idle)

    async def run_polling(self, stop: asyncio.Event, *, inbound_only: bool = False) -> None:
        """Long polling: delete any webhook (else getUpdates gets 409), then run.

        `inbound_only` leaves processing and delivery to the process runner,
        which shares one of each between all platforms.
        """
        if not await self.connect(stop):
            return
        try:
            if not await retry_network(self._delete_webhook, stop):
                return
            poller = Poller(self.bot, self.ingest, timeout=self.poll_timeout,
                            ingest_batch=self.ingest_many)
            loops = [poller.run] if inbound_only else [
                poller.run, self.process_forever, self.worker.run_forever]
            await run_together(stop, *loops)
        finally:
            await self.close()

    async def _delete_webhook(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def set_webhook(self) -> None:
        """Point Telegram at our webhook URL, with the secret it must send back."""
        url, secret = webhook_config(self.app.settings)
        await self.start()
        await self.bot.set_webhook(
            url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        log.info("telegram webhook set")

    async def run_webhook_side(self, stop: asyncio.Event, *, inbound_only: bool = False) -> None:
        """Webhook mode minus the HTTP route: set the webhook, process and deliver.

        `run_web()` runs this beside the server, whose route feeds `ingest()`.
        With `inbound_only` it only sets the webhook and waits (see run_polling).
        """
        webhook_config(self.app.settings)  # a bad URL or secret fails before anything runs
        if not await self.connect(stop):
            return
        try:
            if not await retry_network(self.set_webhook, stop):
                return
            if inbound_only:
                await stop.wait()
            else:
                await run_together(stop, self.process_forever, self.worker.run_forever)
        finally:
            await self.close()


async def retry_network(call: Callable[[], Awaitable[None]], stop: asyncio.Event) -> bool:
    """Run `call` until it gets through; network trouble is waited out with backoff.

    Returns False when stopped first. Telegram's refusals (BadRequest, a bad
    token) are raised: waiting would not change them.
    """
    failures = 0
    while not stop.is_set():
        try:
            await call()
            return True
        except BadRequest:
            raise
        except NetworkError as exc:  # includes TimedOut
            failures += 1
            delay = min(2.0**failures, 60.0)
            log.warning("cannot reach Telegram (%s); retrying in %.0fs",
                        type(exc).__name__, delay)
            await pause(delay, stop)
    return False


def webhook_config(settings: Settings) -> tuple[str, str]:
    """The webhook URL and secret, checked: Telegram needs HTTPS and a token-safe secret."""
    url = settings.telegram_webhook_url
    secret = settings.telegram_webhook_secret
    if not url or not url.startswith("https://"):
        raise ValueError("TELEGRAM_WEBHOOK_URL must be an https:// URL")
    if secret is None or not SECRET_TOKEN.match(secret.get_secret_value()):
        raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 1-256 of A-Z, a-z, 0-9, _ and -")
    return url, secret.get_secret_value()


async def run_telegram(app: BotApp, stop: asyncio.Event | None = None) -> None:
    """Run the bot on Telegram until `stop` is set (or SIGINT/SIGTERM when None).

    With TELEGRAM_WEBHOOK_URL set, this serves the web app with the webhook
    route; otherwise it uses long polling.
    """
    own_stop = stop is None
    stop = stop or asyncio.Event()
    with stop_on_signals(stop) if own_stop else contextlib.nullcontext():
        if app.settings.telegram_webhook_url:
            from bot.web.app import run_web

            await run_web(app, stop)
            return
        adapter = TelegramAdapter(app)
        log.info("telegram: long polling started")
        await adapter.run_polling(stop)
        log.info("telegram: stopped")
