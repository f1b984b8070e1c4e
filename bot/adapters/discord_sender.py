"""Sending outbox messages as Discord DMs, and reading Discord's errors.

Rate limits are kept in three layers. Our `RateLimiter` spaces our own sends
(40 a second in all, under Discord's 50; 5 per 5 seconds per channel).
discord.py reads the rate-limit headers, waits for a bucket that is used up,
and on a 429 waits `retry_after` (for the bucket, or for every request when
the 429 is global) before its single retry. A wait longer than 30 seconds is
not slept inside a send: discord.py raises `RateLimited`, we block the chat
and give the row back to the delivery worker, which holds it until then.

403s are never retried. 50007 ("cannot send messages to this user": DMs
closed, or no shared server) marks the member unreachable after one attempt.
Error codes in `SendResult` are short fixed words, never Discord's text.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord

from bot.adapters.discord_inbound import PLATFORM
from bot.adapters.discord_metrics import DiscordMetrics
from bot.adapters.discord_text import render_parts
from bot.adapters.discord_views import NEXT_PAGE, PREVIOUS_PAGE, build_view, page_count
from bot.adapters.parts import PartProgress
from bot.core.delivery import SendResult
from bot.core.events import OutgoingMessage
from bot.core.ratelimit import RateLimiter

log = logging.getLogger(__name__)

DMS_CLOSED = 50007
UNKNOWN_CHANNEL = 10003
UNKNOWN_USER = 10013
OPENING_DMS_TOO_FAST = 40003
AUTH_PAUSE = 60.0
BAN_PAUSE = 600.0  # a 429 without JSON comes from Cloudflare: the IP is banned for a while
# Plain text never pings a role or everyone; the welcome-channel mention may ping its user.
MENTIONS = discord.AllowedMentions(everyone=False, roles=False, users=True, replied_user=False)

Labels = Callable[[str], Awaitable[tuple[str, str]]]
Hook = Callable[[str], Awaitable[None]]


def discord_limiter() -> RateLimiter:
    """Our share of Discord's limits: 40/s overall, 5 per 5 s for each channel."""
    return RateLimiter(global_rate=40, global_period=1.0, group_rate=5, group_period=5.0,
                       is_group=lambda scope: True)


async def default_labels(chat_id: str) -> tuple[str, str]:
    return PREVIOUS_PAGE, NEXT_PAGE


class DiscordSender:
    """The `Sender` for Discord: split, rate limited, and honest about errors."""

    platform = PLATFORM

    def __init__(self, client: discord.Client, limiter: RateLimiter | None = None,
                 metrics: DiscordMetrics | None = None, *, labels: Labels = default_labels,
                 on_dms_closed: Hook | None = None, progress_ttl: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.limiter = limiter or discord_limiter()
        self.metrics = metrics or DiscordMetrics()
        self.labels = labels
        self.on_dms_closed = on_dms_closed
        self.progress = PartProgress(progress_ttl, clock)

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        pause = self.metrics.pause_for()
        if pause > 0:
            self.limiter.block(None, pause)
            log.critical("discord: too many invalid requests; sending paused %.0fs", pause)
            return SendResult("retry", retry_after=pause, error="invalid_budget")
        if not chat_id.isdigit():
            return SendResult("failed", error="bad_chat_id")
        parts: list[str | None] = list(render_parts(message.text))
        if not parts and (message.document_text is not None or message.buttons):
            parts = [None]  # a file or buttons alone
        if not parts:
            return SendResult("failed", error="empty_message")
        labels = await self.labels(chat_id) if page_count(message) > 1 else None
        view = build_view(message, 0, labels) if labels else build_view(message, 0)
        channel = self.client.get_partial_messageable(int(chat_id))
        key = self.progress.key(chat_id, message)
        sent: discord.Message | None = None
        for index in range(self.progress.resume_from(key), len(parts)):
            last = index == len(parts) - 1
            await self.limiter.acquire(chat_id)
            try:
                extras: dict[str, Any] = {}
                if last and view is not None:
                    extras["view"] = view
                if last and (attached := _file(message)) is not None:
                    extras["file"] = attached
                sent = await channel.send(content=parts[index], allowed_mentions=MENTIONS,
                                          **extras)
            except Exception as exc:  # every outcome is mapped below; nothing escapes
                result = await self._failure(chat_id, exc)
                self.progress.stopped(key, index, result)
                return result
        self.progress.finished(key)
        return SendResult("sent", message_id=str(sent.id) if sent else None)

    async def _failure(self, chat_id: str, exc: Exception) -> SendResult:
        """What the delivery worker should do after `exc` (subclasses first)."""
        if isinstance(exc, discord.RateLimited):
            self.limiter.block(chat_id, exc.retry_after)
            log.info("discord rate limit: holding one chat %.0fs", exc.retry_after)
            return SendResult("retry", retry_after=exc.retry_after, error="rate_limited")
        if isinstance(exc, discord.Forbidden):
            if exc.code == DMS_CLOSED:
                if self.on_dms_closed is not None:
                    await self._notify(chat_id)
                return SendResult("unreachable", error="dms_closed")
            log.warning("discord refused a message: 403 code %s", exc.code)
            return SendResult("failed", error=f"forbidden_{exc.code}")
        if isinstance(exc, discord.NotFound):
            if exc.code in (UNKNOWN_CHANNEL, UNKNOWN_USER):
                return SendResult("unreachable", error="unknown_channel")
            return SendResult("failed", error=f"not_found_{exc.code}")
        if isinstance(exc, discord.DiscordServerError):
            return SendResult("retry", error="server_error")
        if isinstance(exc, discord.HTTPException):
            return self._http_failure(exc)
        if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
            return SendResult("retry", error="network")
        log.warning("discord send failed: %s", type(exc).__name__)
        return SendResult("failed", error="discord_error")

    def _http_failure(self, exc: discord.HTTPException) -> SendResult:
        if exc.status == 401:
            log.critical("discord rejected the bot token; check DISCORD_BOT_TOKEN")
            self.limiter.block(None, AUTH_PAUSE)
            return SendResult("retry", retry_after=AUTH_PAUSE, error="unauthorized")
        if exc.status == 429 or exc.code == OPENING_DMS_TOO_FAST:
            # discord.py already waited and retried; or Cloudflare refused us outright.
            pause = BAN_PAUSE if exc.status == 429 and not exc.code else AUTH_PAUSE
            self.limiter.block(None, pause)
            log.critical("discord: still rate limited after waiting; all sends paused")
            return SendResult("retry", retry_after=pause, error="rate_limited")
        log.warning("discord refused a message: %s code %s", exc.status, exc.code)
        return SendResult("failed", error=f"http_{exc.status}_{exc.code}")

    async def _notify(self, chat_id: str) -> None:
        try:
            await self.on_dms_closed(chat_id)  # type: ignore[misc]
        except Exception as exc:  # the fallback must never turn into a resend
            log.warning("dms-closed hook failed: %s", type(exc).__name__)


def _file(message: OutgoingMessage) -> discord.File | None:
    if message.document_text is None:
        return None
    name = (message.document_name or "document.txt").replace("/", "_").strip() or "document.txt"
    return discord.File(io.BytesIO(message.document_text.encode("utf-8")), filename=name)
