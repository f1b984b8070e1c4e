"""Inbound throughput and latency: the whole bot on Telegram vs a bare PTB echo bot.

    python -m benchmarks.inbound_throughput [--database-url URL] [--quick]

Both bots poll the same in-process fake Bot API server (tests/fakes) in the same
run. The full bot is wired as `bot.runner.serve()` wires it: the Telegram
adapter's long polling stores each update in the inbox, one inbox loop
dispatches it (handlers, state and outbox rows in one transaction), and the
delivery worker sends the replies back through the fake; the scheduler runs
too. The baseline is python-telegram-bot's `Application` with one
`MessageHandler` that echoes each text.

Two measures for each bot:

* throughput: a backlog of updates queued at once; updates/s until the last
  reply arrived. Target: the full bot >= 0.5x the bare bot.
* latency at a fixed offered load of 100 updates/s: from the moment an update
  is queued at the fake to the first reply the fake receives for it.

Telegram's send limits (30/s per bot, 1/s per chat) are lifted on our side for
both bots: with them, any bot tops out at 30 replies/s and the figure would
measure Telegram's limit, not our code. The fake still records what it saw.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr
from sqlmodel import Session, col, select

from benchmarks._db import scratch_schema
from benchmarks._stats import percentile
from benchmarks._telegram_load import Step, echo_workload, workload
from benchmarks.results import Figure, format_table
from bot.app import BotApp
from bot.config import Settings
from bot.storage.models import InboxEvent, OutboxMessage
from tests.fakes.fake_telegram import FakeTelegramServer

NAME = "inbound"
TOKEN = "123456:BENCH-TOKEN"
RATE = 100.0  # offered load for the latency measure, updates a second
TARGET_RATIO = 0.5
SETTLE_TIMEOUT = 120.0


@dataclass
class Phase:
    """One measure: when each update was queued, and when its first reply came."""

    queued: dict[int, float] = field(default_factory=dict)
    replied: dict[int, float] = field(default_factory=dict)
    started: float = 0.0

    @property
    def latencies(self) -> list[float]:
        return [self.replied[u] - t for u, t in self.queued.items() if u in self.replied]

    @property
    def rate(self) -> float:
        if not self.replied:
            return 0.0
        return len(self.replied) / max(max(self.replied.values()) - self.started, 1e-9)


def to_update(fake: FakeTelegramServer, step: Step) -> dict[str, Any]:
    if step.press:
        return fake.make_callback_update(step.user, step.text)
    return fake.make_text_update(step.user, step.text)


async def offer(fake: FakeTelegramServer, steps: Iterable[Step], rate: float | None) -> Phase:
    """Queue the steps at the fake: all at once (`rate` None) or `rate` a second."""
    phase = Phase(started=time.monotonic())
    for n, step in enumerate(steps):
        if rate is not None:
            delay = phase.started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        update_id = fake.add_update(to_update(fake, step))
        phase.queued[update_id] = time.monotonic()
    return phase


async def wait_for(done: Callable[[], bool], timeout: float = SETTLE_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.25)
    return True


# -------------------------------------------------------------------- bare bot

def echoed(fake: FakeTelegramServer, texts: set[str]) -> bool:
    return sum(r["text"] in texts for r in fake.sent) >= len(texts)


async def bare_bot(fake: FakeTelegramServer, people: int, backlog: int, paced: int,
                   first_user: int) -> tuple[Phase, Phase]:
    """PTB's own Application + MessageHandler echo bot: the floor for any PTB bot."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application = Application.builder().token(TOKEN).base_url(fake.base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    phases = []
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=10, poll_interval=0.0)
        for count, rate in ((backlog, None), (paced, RATE)):
            steps = list(echo_workload(first_user, people, count))
            first_user += people
            texts = {s.text for s in steps}
            phase = await offer(fake, steps, rate)
            by_text = dict(zip((s.text for s in steps), phase.queued, strict=True))
            await wait_for(functools.partial(echoed, fake, texts))
            for record in fake.sent:
                update_id = by_text.get(record["text"])
                if update_id is not None:
                    phase.replied.setdefault(update_id, record["time"])
            phases.append(phase)
        await application.updater.stop()
        await application.stop()
    return phases[0], phases[1]


# -------------------------------------------------------------------- full bot

def settled(app: BotApp, expected: int) -> Callable[[], bool]:
    """True once `expected` events are stored (the schema is fresh), all handled,
    and no reply is waiting or in flight."""
    def check() -> bool:
        with Session(app.engine) as s:
            stored = s.exec(select(sa.func.count()).select_from(InboxEvent)).one()
            busy = s.exec(select(sa.func.count()).select_from(InboxEvent)
                          .where(InboxEvent.status == "pending")).one()
            sending = s.exec(select(sa.func.count()).select_from(OutboxMessage).where(
                col(OutboxMessage.status).in_(("pending", "claimed", "sending")))).one()
        return stored >= expected and busy == 0 and sending == 0
    return check


def match_replies(app: BotApp, fake: FakeTelegramServer, phase: Phase) -> None:
    """Map each update to its replies through the outbox (source event, message id)."""
    sent = {(r["chat_id"], r["message_id"]): r["time"] for r in fake.sent}
    ids = [str(u) for u in phase.queued]
    with Session(app.engine) as s:
        rows = s.execute(
            select(InboxEvent.external_id, OutboxMessage.chat_id,
                   OutboxMessage.platform_message_id)
            .join(OutboxMessage, col(OutboxMessage.source_event_id) == col(InboxEvent.id))
            .where(col(InboxEvent.external_id).in_(ids),
                   col(OutboxMessage.platform_message_id).is_not(None))).all()
    for external_id, chat_id, message_id in rows:
        at = sent.get((int(chat_id), int(message_id)))
        if at is not None:
            update_id = int(external_id)
            phase.replied[update_id] = min(at, phase.replied.get(update_id, math.inf))


async def full_bot(fake: FakeTelegramServer, app: BotApp, people: int, backlog: int,
                   paced: int, first_user: int) -> tuple[Phase, Phase, Phase, int]:
    """The real bot's loops, as `bot.runner.serve()` runs them for Telegram."""
    from bot.adapters.telegram_adapter import TelegramAdapter
    from bot.core.delivery import DeliveryWorker
    from bot.core.loops import process_inbox, run_together
    from bot.core.ratelimit import RateLimiter
    from bot.scheduler import run_scheduler

    lifted = RateLimiter(global_rate=10**6, private_interval=0.0, slack=0.0)
    adapter = TelegramAdapter(app, limiter=lifted, poll_timeout=10)
    received = adapter.received
    worker = DeliveryWorker(app.engine, {"telegram": adapter.sender})
    stop = asyncio.Event()
    running = asyncio.create_task(run_together(
        stop,
        lambda s: adapter.run_polling(s, inbound_only=True),
        lambda s: process_inbox(app, s, received, worker),
        lambda s: run_scheduler(app, s, worker=worker),
    ))
    phases: list[Phase] = []
    unsettled = expected = 0

    async def one(count: int, rate: float | None, timeout: float) -> None:
        nonlocal unsettled, expected, first_user
        steps = (await asyncio.to_thread(workload, app.engine, app.i18n, first_user,
                                         people))[:count]
        first_user += people
        phase = await offer(fake, steps, rate)
        expected += len(phase.queued)
        if not await wait_for(settled(app, expected), timeout):
            unsettled += 1
        match_replies(app, fake, phase)
        phases.append(phase)

    try:
        await one(backlog, None, SETTLE_TIMEOUT)
        capacity = max(phases[0].rate, 1.0)
        await one(paced, RATE, SETTLE_TIMEOUT + 2 * paced / capacity)
        light = capacity / 2  # well within what the bot can do: no queueing
        await one(max(10, int(light * paced / RATE)), light, SETTLE_TIMEOUT)
    finally:
        stop.set()
        await running
    return phases[0], phases[1], phases[2], unsettled


# -------------------------------------------------------------------- run

def sizes(quick: bool) -> tuple[int, int]:
    """(backlog updates, paced seconds)."""
    return (105, 2) if quick else (1050, 20)


async def measure(database_url: str, quick: bool) -> list[Figure]:
    backlog, seconds = sizes(quick)
    paced = int(RATE * seconds)
    people = math.ceil(max(backlog, paced) / 3.5)  # 35 updates per 10 people
    async with FakeTelegramServer(TOKEN) as fake:
        bare_backlog, bare_paced = await bare_bot(fake, people, backlog, paced, 10**6)
        if not await wait_for(lambda: not fake.pending_updates, 10):
            raise RuntimeError("the bare bot left updates unconfirmed")  # they'd skew the full bot
        fake.reset_records()
        settings = Settings(_env_file=None, database_url=database_url,  # type: ignore[call-arg]
                            telegram_bot_token=SecretStr(TOKEN), telegram_api_url=fake.base_url)
        app = BotApp(settings)
        app.upgrade_database()
        try:
            full_backlog, full_paced, full_light, unsettled = await full_bot(
                fake, app, people, backlog, paced, 2 * 10**6)
        finally:
            app.engine.dispose()
        expired = sum("has expired" in (r["plain_text"] or "") for r in fake.sent)
    return figures(bare_backlog, bare_paced, full_backlog, full_paced, full_light, unsettled,
                   expired)


def _ms(values: list[float], pct: float) -> float:
    return percentile(values, pct) * 1000


def offered_rate(phase: Phase) -> float:
    if not phase.queued:
        return 0.0
    return len(phase.queued) / max(max(phase.queued.values()) - phase.started, 1e-9)


def figures(bare_backlog: Phase, bare_paced: Phase, full_backlog: Phase, full_paced: Phase,
            full_light: Phase, unsettled: int, expired: int) -> list[Figure]:
    ratio = full_backlog.rate / bare_backlog.rate if bare_backlog.rate else 0.0
    unanswered = sum(len(p.queued) - len(p.replied) for p in (full_backlog, full_paced,
                                                              full_light))
    bare_missing = sum(len(p.queued) - len(p.replied) for p in (bare_backlog, bare_paced))
    offered = offered_rate(full_paced)
    light = offered_rate(full_light)
    n = len(full_backlog.queued)
    return [
        Figure(NAME, "bare PTB echo bot throughput", bare_backlog.rate, "updates/s",
               note=f"baseline, {n} queued" + (f", {bare_missing} unanswered"
                                                if bare_missing else "")),
        Figure(NAME, "full bot throughput", full_backlog.rate, "updates/s",
               note=f"{n} queued, PostgreSQL"),
        Figure(NAME, "full / bare throughput", ratio, "x", f">= {TARGET_RATIO}",
               ratio >= TARGET_RATIO),
        Figure(NAME, "offered load (latency runs)", offered, "updates/s",
               note=f"{len(full_paced.queued)} updates"),
        Figure(NAME, "bare bot p50 latency", _ms(bare_paced.latencies, 50), "ms"),
        Figure(NAME, "bare bot p99 latency", _ms(bare_paced.latencies, 99), "ms"),
        Figure(NAME, "full bot p50 latency", _ms(full_paced.latencies, 50), "ms"),
        Figure(NAME, "full bot p99 latency", _ms(full_paced.latencies, 99), "ms",
               note="over its throughput: mostly queueing" if offered > full_backlog.rate
               else ""),
        Figure(NAME, "full bot p50 latency, half its throughput", _ms(full_light.latencies, 50),
               "ms", note=f"at {light:.1f} updates/s"),
        Figure(NAME, "full bot p99 latency, half its throughput", _ms(full_light.latencies, 99),
               "ms", note=f"{len(full_light.queued)} updates"),
        Figure(NAME, "full bot updates without a reply", unanswered, "", "0",
               unanswered == 0 and unsettled == 0,
               "did not settle in time" if unsettled else ""),
        Figure(NAME, "'button has expired' replies", expired, "", "0", expired == 0,
               "the mix must reach the real handlers"),
    ]


def run(*, database_url: str | None = None, quick: bool = False) -> list[Figure]:
    """Both bots against one fake server, the full bot in a fresh PostgreSQL schema."""
    with scratch_schema(database_url) as url:
        return asyncio.run(measure(url, quick))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inbound_throughput",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server URL (a scratch schema is used)")
    parser.add_argument("--quick", action="store_true", help="a small run, a few seconds")
    args = parser.parse_args(argv)
    print(format_table(run(database_url=args.database_url, quick=args.quick)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
