"""Sending outbox messages on Telegram, and reading Telegram's errors.

The delivery worker decides what happens next from the `SendResult`; this
module only says what Telegram answered, as a short code. Codes never carry
Telegram's error text, which can quote the message or a name.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable

import httpx
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.adapters.parts import PartProgress
from bot.adapters.telegram_inbound import PLATFORM, period_seconds
from bot.adapters.telegram_text import render_parts, sanitize
from bot.core.delivery import SendResult
from bot.core.events import MAX_ACTION_BYTES, Button, OutgoingMessage
from bot.core.ratelimit import RateLimiter

log = logging.getLogger(__name__)

# Forbidden (403) answers: the person blocked us, deleted their account, removed
# the bot from a group, or never started a chat. None of them heals by retrying.
_FORBIDDEN_CODES = (
    ("blocked", "blocked"),
    ("deactivated", "deactivated"),
    ("kicked", "kicked"),
    ("not a member", "kicked"),
    ("initiate", "cant_initiate"),
)
# Bad Request (400) answers we recognise; the first three mean nobody is there.
_BAD_REQUEST_CODES = (
    ("chat not found", "chat_not_found"),
    ("user not found", "user_not_found"),
    ("peer_id_invalid", "user_not_found"),
    ("can't parse entities", "parse_error"),
    ("message is too long", "too_long"),
    ("button_data_invalid", "button_data_invalid"),
    ("text is empty", "empty_message"),
    ("rights", "no_rights"),
    ("upgraded to a supergroup", "migrated_unknown"),
)
_GONE = {"chat_not_found", "user_not_found"}
INVALID_TOKEN_PAUSE = 60.0
RESERVATION_TTL = 2.0  # a slot reserved but not used this soon is not trusted
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # saves members' mobile data

Step = Callable[[InlineKeyboardMarkup | None], Awaitable[Message]]


def retry_after_seconds(exc: RetryAfter) -> float:
    """PTB 22.8's `retry_after` is an int or a timedelta (PTB_TIMEDELTA); take both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return max(period_seconds(exc.retry_after), 1.0)


def error_code(exc: TelegramError) -> str:
    """A short, fixed code for an error: never Telegram's words, which may quote us."""
    text = exc.message.lower()
    table = _FORBIDDEN_CODES if isinstance(exc, Forbidden) else _BAD_REQUEST_CODES
    for needle, code in table:
        if needle in text:
            return code
    return "forbidden" if isinstance(exc, Forbidden) else "bad_request"


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Buttons as an inline keyboard; callback_data is the opaque action id."""
    if not rows:
        return None
    built = []
    for row in rows:
        line = []
        for button in row:
            if not 1 <= len(button.action.encode("utf-8")) <= MAX_ACTION_BYTES:
                raise ValueError("button action must be 1..64 bytes")
            label = sanitize(button.label).strip() or "•"
            line.append(InlineKeyboardButton(label, callback_data=button.action))
        if line:
            built.append(line)
    return InlineKeyboardMarkup(built) if built else None


class TelegramSender:
    """The `Sender` for Telegram: rate limited, escaped, split, and honest about errors.

    A long message goes out as several parts. If a later part fails with a
    retry, the parts already delivered are remembered for a while, so the
    retried row continues where it stopped instead of repeating itself.
    """

    platform = PLATFORM

    def __init__(
        self,
        bot: Bot,
        limiter: RateLimiter | None = None,
        *,
        progress_ttl: float = 3600.0,
        max_wait: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.limiter = limiter or RateLimiter()
        self.progress = PartProgress(progress_ttl, clock)
        self.max_wait = max_wait
        self.clock = clock
        self._reserved: dict[str, float] = {}  # chat -> when its slot was taken
        self._flood: tuple[str, float] | None = None  # last chat refused with 429, until

    async def ready(self, chat_id: str) -> None:
        """Wait until `chat_id`'s own limits (its interval, a 429 on it) let a send go.

        A delivery worker calls this, then `reserve()`, before marking a row
        `sending`, so rate-limit waits stay out of the in-flight window: a crash
        while waiting never turns an unsent message into an `unknown` one.
        """
        while (wait := self.limiter.scope_delay(chat_id)) > 0:
            await asyncio.sleep(min(wait, self.max_wait))

    async def reserve(self, chat_id: str) -> None:
        """Take the rate-limit slot for the next send to `chat_id` now (waiting in
        line for it), so that send goes out without waiting."""
        await self.limiter.acquire(chat_id)
        self._reserved[chat_id] = self.clock()

    def _take_reservation(self, chat_id: str) -> bool:
        at = self._reserved.pop(chat_id, None)
        return at is not None and self.clock() - at <= RESERVATION_TTL

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        reserved = self._take_reservation(chat_id)
        steps = self._steps(chat_id, message)
        if not steps:
            return SendResult("failed", error="empty_message")
        wait = 0.0 if reserved else self.limiter.delay(chat_id)
        if wait > self.max_wait:
            # A long wait (a busy group, a 429) goes back to the outbox instead of
            # holding the row in flight and the worker's batch with it.
            return SendResult("retry", retry_after=wait, error="rate_limited")
        markup = keyboard(message.buttons)
        key = self.progress.key(chat_id, message)
        start = self.progress.resume_from(key)
        sent: Message | None = None
        for index in range(start, len(steps)):
            if not (reserved and index == start):
                await self.limiter.acquire(chat_id)
            try:
                sent = await steps[index](markup if index == len(steps) - 1 else None)
            except TelegramError as exc:
                self.limiter.done(chat_id)
                result = self._failure(chat_id, exc)
                self.progress.stopped(key, index, result)
                return result
            self.limiter.done(chat_id)
        self.progress.finished(key)
        return SendResult("sent", message_id=str(sent.message_id) if sent else None)

    def _steps(self, chat_id: str, message: OutgoingMessage) -> list[Step]:
        """One API call per text part, then the document; buttons go on the last."""
        steps: list[Step] = [self._text_step(chat_id, part) for part in render_parts(message.text)]
        if message.document_text is not None:
            name = sanitize(message.document_name or "document.txt").strip() or "document.txt"
            content = message.document_text.encode("utf-8")

            async def document(markup: InlineKeyboardMarkup | None) -> Message:
                return await self.bot.send_document(
                    chat_id, document=content, filename=name, reply_markup=markup
                )

            steps.append(document)
        return steps

    def _text_step(self, chat_id: str, body: str) -> Step:
        async def text(markup: InlineKeyboardMarkup | None) -> Message:
            return await self.bot.send_message(
                chat_id, body, parse_mode=ParseMode.HTML, reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            )

        return text

    def _flood_scope(self, chat_id: str, seconds: float) -> str | None:
        """Who must wait after a 429: the chat, or everyone (None).

        Telegram does not say whether a 429 is about one chat or the whole bot.
        A second chat refused while the first still waits means the whole bot.
        """
        now = self.clock()
        previous, self._flood = self._flood, (chat_id, now + seconds)
        if previous is not None and previous[0] != chat_id and now < previous[1]:
            log.info("telegram flood control: every chat waits %.0fs", seconds)
            self._reserved.clear()  # slots taken before the 429 no longer hold
            return None
        log.info("telegram flood control: one chat waits %.0fs", seconds)
        return chat_id

    def _failure(self, chat_id: str, exc: TelegramError) -> SendResult:
        """What the delivery worker should do after `exc`; order matters (BadRequest
        and TimedOut are NetworkErrors in PTB)."""
        if isinstance(exc, RetryAfter):
            seconds = retry_after_seconds(exc)
            self.limiter.block(self._flood_scope(chat_id, seconds), seconds)
            return SendResult("retry", retry_after=seconds, error="retry_after")
        if isinstance(exc, ChatMigrated):
            return SendResult("migrated", error="migrated", new_chat_id=str(exc.new_chat_id))
        if isinstance(exc, Forbidden):
            return SendResult("unreachable", error=error_code(exc))
        if isinstance(exc, InvalidToken):
            log.critical("telegram rejected the bot token; check TELEGRAM_BOT_TOKEN")
            self.limiter.block(None, INVALID_TOKEN_PAUSE)
            return SendResult("retry", retry_after=INVALID_TOKEN_PAUSE, error="invalid_token")
        if isinstance(exc, BadRequest):
            code = error_code(exc)
            log.warning("telegram refused a message: %s", code)
            return SendResult("unreachable" if code in _GONE else "failed", error=code)
        if isinstance(exc, TimedOut):
            if isinstance(exc.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout)):
                return SendResult("retry", error="timed_out")  # never left this machine
            # The request may have reached Telegram: sending again could duplicate it.
            return SendResult("unknown", error="timed_out_unknown")
        if isinstance(exc, NetworkError):
            return SendResult("retry", error="network")
        log.warning("telegram error %s", type(exc).__name__)
        return SendResult("failed", error="telegram_error")
