"""Render outgoing messages through the real Telegram sender (to the fake Bot API) and
the console adapter, and report every problem as a short line.

A problem is: a send that is not "sent" (the fake refused the entities, the
length, the buttons...), text that arrives changed (double escaping, lost
characters), a button missing or renamed, or the console losing a line.
Messages go out concurrently, each to its own chat, so hundreds take seconds.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import tempfile
from collections.abc import Sequence

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.adapters.console_adapter import ConsoleSender
from bot.adapters.telegram_sender import TelegramSender
from bot.adapters.telegram_text import sanitize
from bot.core.events import OutgoingMessage
from bot.core.ratelimit import RateLimiter
from tests.fakes.fake_telegram import FakeTelegramServer

TOKEN = "123456:RENDER-TEST"
CONCURRENCY = 4  # the fake shares the event loop: more only adds contention
_chat_ids = itertools.count(10_000)


def _squash(text: str) -> str:
    """Compare text the way Telegram keeps it: control characters gone, spacing ignored."""
    return "".join(sanitize(text).split())


def _sent_ok(label: str, message: OutgoingMessage, records: list[dict[str, object]]) -> list[str]:
    problems = []
    arrived = "".join(str(r.get("plain_text") or "") for r in records if r["method"] ==
                      "sendMessage")
    if _squash(arrived) != _squash(message.text):
        problems.append(f"{label}: text changed on the way")
    if message.document_text is not None and not any(r["method"] == "sendDocument"
                                                      for r in records):
        problems.append(f"{label}: the file did not arrive")
    markups = [r["reply_markup"] for r in records if r.get("reply_markup")]
    wanted = [[b.label for b in row] for row in message.buttons if row]
    if wanted:
        got = [[str(b["text"]) for b in row]
               for row in markups[-1]["inline_keyboard"]] if markups else []  # type: ignore[index]
        if [[_squash(x) for x in row] for row in got] != \
                [[_squash(x) for x in row] for row in wanted]:
            problems.append(f"{label}: buttons changed on the way")
    return problems


async def telegram_problems(messages: Sequence[tuple[str, OutgoingMessage]]) -> list[str]:
    """Send each (label, message) through `TelegramSender` to the fake; list what went wrong."""
    problems: list[str] = []
    async with FakeTelegramServer(TOKEN, per_chat_interval=0.0, per_chat_tolerance=0.0,
                                  global_limit=10**9) as fake:
        request = HTTPXRequest(connection_pool_size=CONCURRENCY)
        async with Bot(TOKEN, base_url=fake.base_url, request=request) as bot:
            sender = TelegramSender(bot, RateLimiter(global_rate=10**9, private_interval=0.0,
                                                     slack=0.0))
            gate = asyncio.Semaphore(CONCURRENCY)

            async def one(label: str, message: OutgoingMessage) -> None:
                chat = next(_chat_ids)
                fake.add_chat(chat, first_name="Member")
                async with gate:
                    result = await sender.send(str(chat), message)
                if result.outcome != "sent":
                    problems.append(f"{label}: {result.outcome} {result.error}")
                    return
                problems.extend(_sent_ok(label, message,
                                         [r for r in fake.sent if r["chat_id"] == chat]))

            await asyncio.gather(*(one(label, m) for label, m in messages))
    return problems


async def console_problems(messages: Sequence[tuple[str, OutgoingMessage]]) -> list[str]:
    """Print each message with the console adapter's sender; every line and button shows."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as files:  # /mydata files go here, not the checkout
        for label, message in messages:
            problems += await _console_one(label, message, files)
    return problems


async def _console_one(label: str, message: OutgoingMessage, files: str) -> list[str]:
    problems: list[str] = []
    out = io.StringIO()
    try:
        result = await ConsoleSender(out, files_dir=files).send("you", message)
    except Exception as exc:  # a crash is the problem being looked for
        return [f"{label}: console raised {type(exc).__name__}"]
    shown = out.getvalue()
    if result.outcome != "sent" or message.text not in shown:
        problems.append(f"{label}: console lost the text")
    if message.document_text is not None and f"[{message.document_name}]" not in shown:
        problems.append(f"{label}: console lost the file")
    number = 0
    for row in message.buttons:
        for button in row:
            number += 1
            if f"{number}. {button.label}" not in shown:
                problems.append(f"{label}: console lost button {number}")
    return problems


def render_problems(messages: Sequence[tuple[str, OutgoingMessage]]) -> list[str]:
    """Both adapters, every message; an empty list means zero errors."""

    async def both() -> list[str]:
        return await telegram_problems(messages) + await console_problems(messages)

    return asyncio.run(both())
