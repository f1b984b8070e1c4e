"""Does a broadcast go out at the platform's limit, with no duplicates and no losses?

    python -m benchmarks.broadcast_saturation [--database-url URL | --sqlite] [--quick]
        [--members 10000] [--rate N] [--kills 5]

10,000 members in 6 languages get one update, fanned out by the real broadcast
service. The real `DeliveryWorker` and `TelegramSender` (a python-telegram-bot
`Bot` built by `make_bot`, as in production) run in a subprocess and send it to
the fake Telegram Bot API (tests/fakes), which enforces Telegram's limits scaled
up: N a second overall, 1 a second per chat, answering 429 when they are broken.

* The limit N is 1,000/s when the machine can push that through PTB + HTTP + the
  database; otherwise the highest multiple of 50 under 85% of what a bare PTB
  send loop (no database, no limiter; the baseline, measured in the same run)
  reaches, and never under 300/s (10x Telegram's real 30/s). The output says so.
* Run 1 sends everything: achieved rate / allowed rate (target >= 0.95), 429s
  (target < 1% of requests), duplicates and losses (target 0), counted from
  the fake's records against the outbox. The achieved rate is the rate the
  server's sliding window saw, averaged over the run:
  (n - N) / (mean time of the last N sends - mean time of the first N sends),
  which is exactly N for a client that keeps the window full.
* Run 2 SIGKILLs the worker process 5 times during the send, restarting it each
  time: 0 duplicates, 0 losses; rows in flight at a kill are recorded `unknown`
  (at most `MAX_IN_FLIGHT` per kill) and never resent.

PostgreSQL (BENCH_DATABASE_URL, default the local server; a fresh schema,
dropped afterwards) is the default; --sqlite uses a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import fmean

import sqlalchemy as sa
from pydantic import SecretStr
from sqlmodel import Session, col

from benchmarks._db import scratch_schema
from benchmarks.results import Figure, format_table
from bot.config import PROJECT_ROOT, Settings
from bot.storage.db import make_engine

NAME = "broadcast_saturation"
LANGUAGES = ["en", "cy", "pl", "ro", "ur", "ar"]
TEXTS = {lang: {"title": f"Update ({lang})", "body": "You said the room was cold. We got a "
                "heater, and the next session will be warmer."} for lang in ("en", "cy", "pl")}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TOKEN = "123456:BENCH-TOKEN"
FIRST_CHAT = 10**6
REAL_RATE, TOP_RATE, MIN_RATE = 30, 1000, 300


@contextmanager
def database(database_url: str | None) -> Iterator[str]:
    """An empty database: a fresh schema of `database_url` (default BENCH_DATABASE_URL,
    else the local server), or a temporary SQLite file for "sqlite"; removed after."""
    if database_url == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    with scratch_schema(database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)) as url:
        yield url


def prepare(url: str, members: int) -> tuple[int, float]:
    """Migrate, seed members, fan out one update; returns (broadcast id, fan-out seconds)."""
    from bot.broadcasts import BroadcastSpec, create_draft, fan_out
    from bot.i18n import I18n
    from bot.storage import load_all_models, migrate
    from bot.storage.models import Identity, Member, utcnow

    load_all_models()
    engine = make_engine(url)
    migrate.upgrade(engine)
    now = utcnow()
    with Session(engine) as s:
        ids = s.execute(
            sa.insert(Member).returning(col(Member.id), sort_by_parameter_order=True),
            [{"language": LANGUAGES[i % len(LANGUAGES)], "timezone": "UTC", "status": "active",
              "quiet_start": None, "quiet_end": None, "created_at": now}
             for i in range(members)]).scalars().all()
        s.execute(sa.insert(Identity), [
            {"member_id": mid, "platform": "telegram", "user_id": str(FIRST_CHAT + i),
             "chat_id": str(FIRST_CHAT + i), "unreachable": False, "created_at": now}
            for i, mid in enumerate(ids)])
        draft = create_draft(s, BroadcastSpec(kind="learning", texts=TEXTS,
                                              audience=["everyone"], default_language="en"))
        s.commit()
        assert draft.id is not None
        broadcast_id = draft.id
    started = time.perf_counter()
    fan_out(engine, broadcast_id, I18n(PROJECT_ROOT / "locales", LANGUAGES, "en"))
    seconds = time.perf_counter() - started
    engine.dispose()
    return broadcast_id, seconds


@dataclass
class Tally:
    """The fake's records against the outbox."""

    rows: int
    delivered: int
    duplicates: int
    losses: int
    unknown: int
    unknown_delivered: int
    requests: int
    too_many: int
    rate: float  # sends/s the server's window saw


def window_rate(times: list[float], limit: int) -> float:
    """(n - N) / (mean of the last N times - mean of the first N): the sliding-window rate."""
    times = sorted(times)
    n = len(times)
    if n > 2 * limit:
        return (n - limit) / (fmean(times[-limit:]) - fmean(times[:limit]))
    return (n - 1) / (times[-1] - times[0]) if n > 1 and times[-1] > times[0] else 0.0


def tally(url: str, broadcast_id: int, fake: object, limit: int) -> Tally:
    from bot.storage import load_all_models
    from bot.storage.broadcast_models import BroadcastRecipient
    from bot.storage.models import OutboxMessage

    load_all_models()
    sent = [m for m in fake.sent if m["method"] == "sendMessage"]  # type: ignore[attr-defined]
    delivered = Counter(str(m["chat_id"]) for m in sent)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(col(OutboxMessage.chat_id), col(OutboxMessage.status))
            .join(BroadcastRecipient, col(BroadcastRecipient.outbox_id) == col(OutboxMessage.id))
            .where(col(BroadcastRecipient.broadcast_id) == broadcast_id)).all()
    engine.dispose()
    losses = unknown = unknown_delivered = 0
    for chat, status in rows:
        got = delivered.get(str(chat), 0)
        if status == "unknown":
            unknown += 1
            unknown_delivered += got > 0
        elif (status == "sent") != (got > 0):
            losses += 1  # never delivered, or delivered but not recorded as sent
    requests = [r for r in fake.requests if r["method"] == "sendMessage"]  # type: ignore[attr-defined]
    return Tally(len(rows), len(sent), sum(c - 1 for c in delivered.values() if c > 1),
                 losses, unknown, unknown_delivered, len(requests),
                 sum(1 for r in requests if r["status"] == 429),
                 window_rate([m["time"] for m in sent], limit))


def child(mode: str, **options: object) -> list[str]:
    args = [sys.executable, "-m", "benchmarks.broadcast_saturation", f"--{mode}"]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    return args


async def spawn(args: list[str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(*args, cwd=str(PROJECT_ROOT),
                                                stdout=asyncio.subprocess.PIPE)


async def bare_capacity(count: int) -> float:
    """Sends/s of PTB alone (no database, no limiter) against the fake: the baseline."""
    from tests.fakes.fake_telegram import FakeTelegramServer

    async with FakeTelegramServer(TOKEN, global_limit=10**9, per_chat_interval=0.0,
                                  per_chat_tolerance=0.0) as fake:
        for i in range(count):
            fake.add_chat(FIRST_CHAT + i)
        proc = await spawn(child("bare", api_url=fake.base_url, count=count))
        out, _ = await proc.communicate()
    return float(json.loads(out.decode().strip().splitlines()[-1])["rate"])


async def deliver(url: str, broadcast_id: int, members: int, rate: int, kills: int
                  ) -> tuple[Tally, int]:
    """Send the broadcast through worker subprocesses, SIGKILLing `kills` of them."""
    from tests.fakes.fake_telegram import FakeTelegramServer

    # A killed worker drops its connections mid-request; that is the point, not news.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    async with FakeTelegramServer(TOKEN, global_limit=rate, global_window=1.0,
                                  per_chat_interval=1.0, enforce_limits=True) as fake:
        for i in range(members):
            fake.add_chat(FIRST_CHAT + i)
        args = child("worker", database_url=url, api_url=fake.base_url, rate=rate)
        killed = 0
        proc = await spawn(args)
        while True:
            try:
                await asyncio.wait_for(proc.wait(), 0.005)
            except TimeoutError:
                if killed < kills and len(fake.sent) >= members * (killed + 1) // (kills + 1):
                    proc.send_signal(signal.SIGKILL)
                    await proc.wait()
                    killed += 1
                    proc = await spawn(args)
                continue
            if proc.returncode != 0:
                raise RuntimeError(f"delivery worker exited with {proc.returncode}")
            break
        return tally(url, broadcast_id, fake, rate), killed


def run(*, database_url: str | None = None, quick: bool = False, members: int | None = None,
        rate: int | None = None, kills: int = 5) -> list[Figure]:
    """Choose the limit, then one clean run and one with SIGKILLs; figures for both."""
    members = members or (700 if quick else 10_000)
    figures: list[Figure] = []
    capacity = 0.0
    if rate is None and not quick:
        capacity = asyncio.run(bare_capacity(3000))
        rate = max(MIN_RATE, min(TOP_RATE, int(capacity * 0.85) // 50 * 50))
        why = (f"bare PTB loop reaches {capacity:,.0f}/s on this machine"
               + ("" if rate == TOP_RATE else f"; {TOP_RATE:,}/s is beyond it"))
        figures.append(Figure(NAME, "baseline: bare PTB send loop, no DB", capacity, "sends/s"))
    else:
        rate = rate or MIN_RATE
        why = "given" if not quick else "quick run"
    figures.append(Figure(NAME, "allowed rate (scaled Telegram limit)", rate, "/s",
                          f">= {10 * REAL_RATE}/s", rate >= 10 * REAL_RATE,
                          f"{rate / REAL_RATE:.0f}x the real 30/s; {why}; 1/s per chat"))
    scenarios = [("clean run", 0)] + ([(f"{kills} SIGKILLs", kills)] if kills else [])
    for label, kill_count in scenarios:
        with database(database_url) as url:
            broadcast_id, fan_seconds = prepare(url, members)
            started = time.perf_counter()
            result, killed = asyncio.run(deliver(url, broadcast_id, members, rate, kill_count))
            seconds = time.perf_counter() - started
        figures += figures_for(label, result, rate, members, fan_seconds, seconds, killed,
                               "postgresql" if url.startswith("postgresql") else "sqlite")
        if capacity and not kill_count:
            figures.append(Figure(NAME, "clean run: achieved rate / bare PTB loop (baseline)",
                                  result.rate / capacity, "x",
                                  note="what the worker and database keep of PTB alone"))
    return figures


def figures_for(label: str, t: Tally, rate: int, members: int, fan_seconds: float,
                seconds: float, killed: int, dialect: str) -> list[Figure]:
    from bot.core.delivery import MAX_IN_FLIGHT

    f = [Figure(NAME, f"{label}: fan-out of {members:,} recipients ({dialect})", fan_seconds,
                "s", note=f"{t.rows:,} outbox rows")]
    if not killed:
        f.append(Figure(NAME, f"{label}: achieved / allowed rate", t.rate / rate, "",
                        ">= 0.95", t.rate / rate >= 0.95,
                        f"{t.rate:,.0f} of {rate:,} sends/s; {t.delivered:,} sent in "
                        f"{seconds:.1f} s incl. worker start"))
    share = t.too_many / t.requests if t.requests else 0.0
    f += [
        Figure(NAME, f"{label}: 429s received", t.too_many, "", "< 1% of requests",
               share < 0.01, f"{share:.2%} of {t.requests:,} requests"),
        Figure(NAME, f"{label}: duplicates", t.duplicates, "", "0", t.duplicates == 0),
        Figure(NAME, f"{label}: losses", t.losses, "", "0", t.losses == 0,
               "not delivered and not recorded unknown, or recorded wrongly"),
    ]
    if killed:
        bound = killed * MAX_IN_FLIGHT
        f.append(Figure(NAME, f"{label}: rows recorded unknown", t.unknown, "",
                        f"<= {bound} ({MAX_IN_FLIGHT} per kill)", t.unknown <= bound,
                        f"{t.unknown_delivered} of them reached the fake; "
                        f"{killed} kills done"))
    return f


async def worker_main(database_url: str, api_url: str, rate: int) -> None:
    """One delivery worker process, as `copro-bot run` builds it, until the outbox is done."""
    from bot.adapters.telegram_adapter import make_bot
    from bot.adapters.telegram_sender import TelegramSender
    from bot.core.delivery import DeliveryWorker
    from bot.core.ratelimit import RateLimiter
    from bot.storage import load_all_models
    from bot.storage.models import OutboxMessage

    load_all_models()
    settings = Settings(_env_file=None, database_url=database_url,  # type: ignore[call-arg]
                        telegram_bot_token=SecretStr(TOKEN), telegram_api_url=api_url)
    engine = make_engine(settings.database_url)
    bot = make_bot(settings)
    sender = TelegramSender(bot, RateLimiter(global_rate=rate, private_interval=1.0))
    worker = DeliveryWorker(engine, {"telegram": sender})
    stop = asyncio.Event()

    async def until_done() -> None:
        busy = ("pending", "claimed", "sending")
        while True:
            await asyncio.sleep(0.25)
            with engine.connect() as conn:
                left = conn.execute(sa.select(sa.func.count()).select_from(OutboxMessage)
                                    .where(col(OutboxMessage.status).in_(busy))).scalar_one()
            if not left:
                stop.set()
                return

    async with bot:
        watcher = asyncio.create_task(until_done())
        await worker.run_forever(stop, idle=0.05)
        await watcher
    engine.dispose()


async def bare_main(api_url: str, count: int) -> None:
    from bot.adapters.telegram_adapter import make_bot
    from bot.adapters.telegram_sender import TelegramSender
    from bot.core.delivery import MAX_IN_FLIGHT
    from bot.core.events import OutgoingMessage
    from bot.core.ratelimit import RateLimiter

    settings = Settings(_env_file=None, telegram_bot_token=SecretStr(TOKEN),  # type: ignore[call-arg]
                        telegram_api_url=api_url)
    async with make_bot(settings) as bot:
        sender = TelegramSender(bot, RateLimiter(global_rate=10**9, private_interval=0.0))
        message = OutgoingMessage(TEXTS["en"]["body"])
        lanes = asyncio.Semaphore(MAX_IN_FLIGHT)

        async def one(i: int) -> None:
            async with lanes:
                await sender.send(str(FIRST_CHAT + i), message)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        print(json.dumps({"rate": count / (time.perf_counter() - started)}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.broadcast_saturation",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--database-url", help="default: PostgreSQL (BENCH_DATABASE_URL)")
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file")
    parser.add_argument("--quick", action="store_true", help="700 members at 300/s")
    parser.add_argument("--members", type=int)
    parser.add_argument("--rate", type=int, help="the scaled global limit (default: chosen)")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=3000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        asyncio.run(worker_main(args.database_url, args.api_url, args.rate))
        return 0
    if args.bare:
        asyncio.run(bare_main(args.api_url, args.count))
        return 0
    figures = run(database_url="sqlite" if args.sqlite else args.database_url,
                  quick=args.quick, members=args.members, rate=args.rate, kills=args.kills)
    print(format_table(figures))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
