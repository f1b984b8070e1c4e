"""Can a broadcast keep a platform's send rate saturated? (the DB must not be the bottleneck)

    python -m benchmarks.broadcast_saturation [--members 10000] [--rate 3000]
        [--databases sqlite,postgresql] [--overhead]

For each database it seeds N members across 6 languages (quiet hours off, so
everything is due now), then measures, in the same run:

* raw INSERT: N outbox-shaped rows with one executemany (the baseline);
* fan-out: the real `fan_out()` (recipient + outbox row per member, batched);
* bare send loop: N sends through a sender limited by the real RateLimiter
  (Telegram's limits scaled up to --rate a second overall, 1 a second per
  chat), with no database (the baseline for draining);
* drain: the real DeliveryWorker sending the fan-out's rows through the
  same sender, for at most --drain-seconds (0: until empty); the achieved
  rate should be >= 90% of --rate;
* with --overhead, a second drain with a no-op sender: our own ceiling.

It also checks every recipient was sent exactly once. PostgreSQL runs in a
fresh schema at BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test)
that is dropped afterwards; it is skipped with a note when unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.broadcasts import BroadcastSpec, create_draft, fan_out
from bot.config import PROJECT_ROOT, Settings
from bot.core.delivery import DeliveryWorker, SendResult
from bot.core.events import OutgoingMessage
from bot.core.ratelimit import RateLimiter
from bot.i18n import I18n
from bot.storage import load_all_models, migrate
from bot.storage.broadcast_models import BroadcastRecipient
from bot.storage.db import make_engine
from bot.storage.models import Identity, Member, OutboxMessage, utcnow

PLATFORM = "bench"
LANGUAGES = ["en", "cy", "pl", "ro", "ur", "ar"]
TEXTS = {lang: {"title": f"Update ({lang})", "body": "You said the room was cold. We got a "
                "heater, and the next session will be warmer."} for lang in ("en", "cy", "pl")}
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class CountingSender:
    """A platform sender: waits on the real limiter (if any), then 'sends'."""

    limiter: RateLimiter | None
    platform: str = PLATFORM
    sent: Counter[str] = field(default_factory=Counter)

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        if self.limiter is not None:
            await self.limiter.acquire(chat_id)
        self.sent[chat_id] += 1
        return SendResult("sent", message_id="1")


@dataclass
class Row:
    database: str
    step: str
    rows: int
    seconds: float
    baseline: float | None = None  # rows/s of the baseline this step compares with

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def limiter(rate: int) -> RateLimiter:
    return RateLimiter(global_rate=rate, private_interval=1.0)


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh, empty database URL; removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    base = Settings(_env_file=None,  # type: ignore[call-arg]
                    database_url=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)).database_url
    admin = sa.create_engine(base, connect_args={"connect_timeout": 3})
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(engine: Engine, n: int) -> None:
    now = utcnow()
    with Session(engine) as s:
        ids = s.execute(
            sa.insert(Member).returning(col(Member.id), sort_by_parameter_order=True),
            [{"language": LANGUAGES[i % len(LANGUAGES)], "timezone": "UTC", "status": "active",
              "quiet_start": None, "quiet_end": None, "created_at": now} for i in range(n)],
        ).scalars().all()
        s.execute(sa.insert(Identity), [
            {"member_id": mid, "platform": PLATFORM, "user_id": str(10**6 + i),
             "chat_id": str(10**6 + i), "unreachable": False, "created_at": now}
            for i, mid in enumerate(ids)])
        s.commit()


def raw_insert(engine: Engine, n: int) -> float:
    """The floor: N outbox-shaped rows in one executemany, no ORM, no reads."""
    meta = sa.MetaData()
    table = sa.Table("bench_raw", meta, *[sa.Column(c.name, c.type, primary_key=c.primary_key)
                                          for c in OutboxMessage.__table__.columns])  # type: ignore[attr-defined]
    meta.create_all(engine)
    payload = OutgoingMessage("x" * 120).to_dict()
    now = utcnow()
    rows = [{"member_id": i, "platform": PLATFORM, "chat_id": str(i), "payload": payload,
             "status": "pending", "attempts": 0, "not_before": now, "created_at": now}
            for i in range(n)]
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
    seconds = time.perf_counter() - start
    meta.drop_all(engine)
    return seconds


async def drain(worker: DeliveryWorker, budget: float) -> float:
    """Send until the outbox is empty, or stop between rounds after `budget` seconds."""
    start = time.perf_counter()
    while await worker.run_once():
        if budget and time.perf_counter() - start > budget:
            break
    return time.perf_counter() - start


def check(engine: Engine, broadcast_id: int, sender: CountingSender) -> tuple[int, int, int]:
    """(duplicates, losses, still queued): every recipient must have exactly one
    outbox row, sent once or still waiting its turn; nothing failed or vanished."""
    duplicates = sum(c - 1 for c in sender.sent.values() if c > 1)
    with engine.connect() as conn:
        recipients = conn.execute(
            sa.select(sa.func.count()).select_from(BroadcastRecipient)
            .where(col(BroadcastRecipient.broadcast_id) == broadcast_id)).scalar_one()
        statuses: dict[str, int] = {
            str(status): int(count) for status, count in conn.execute(
                sa.select(col(OutboxMessage.status), sa.func.count())
                .group_by(col(OutboxMessage.status)))}
    queued = statuses.get("pending", 0)
    losses = recipients - statuses.get("sent", 0) - queued
    duplicates += max(statuses.get("sent", 0) - len(sender.sent), 0)
    return duplicates, losses, queued


async def bare_loop(n: int, rate: int) -> float:
    sender = CountingSender(limiter(rate))
    message = OutgoingMessage("x" * 120)
    start = time.perf_counter()
    for i in range(n):
        await sender.send(str(10**6 + i), message)
    return time.perf_counter() - start


def run_one(kind: str, url: str, n: int, rate: int, overhead: bool, budget: float
            ) -> tuple[list[Row], str]:
    settings = Settings(_env_file=None, database_url=url, languages=LANGUAGES)  # type: ignore[call-arg]
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    seed(engine, n)
    i18n = I18n(PROJECT_ROOT / "locales", LANGUAGES, "en")
    raw = raw_insert(engine, n)
    with Session(engine) as s:
        draft = create_draft(s, BroadcastSpec(kind="learning", texts=TEXTS,
                                              audience=["everyone"], default_language="en"))
        s.commit()
        assert draft.id is not None
        bid = draft.id
    start = time.perf_counter()
    result = fan_out(engine, bid, i18n)
    fan_seconds = time.perf_counter() - start
    bare = asyncio.run(bare_loop(n, rate))
    sender = CountingSender(limiter(rate))
    drain_seconds = asyncio.run(drain(DeliveryWorker(engine, {PLATFORM: sender}), budget))
    rows = [Row(kind, "raw INSERT executemany (baseline)", n, raw),
            Row(kind, "fan-out (recipient + outbox rows)", result.queued, fan_seconds, n / raw),
            Row(kind, "bare send loop, no DB (baseline)", n, bare),
            Row(kind, "drain: DeliveryWorker + limiter", sum(sender.sent.values()),
                drain_seconds, n / bare)]
    duplicates, losses, queued = check(engine, bid, sender)
    if overhead:
        with engine.begin() as conn:
            conn.execute(sa.update(OutboxMessage).values(status="pending", sent_at=None))
        noop = CountingSender(None)
        seconds = asyncio.run(drain(DeliveryWorker(engine, {PLATFORM: noop}), budget))
        rows.append(Row(kind, "drain: DeliveryWorker, no-op sender", sum(noop.sent.values()),
                        seconds, n / bare))
    engine.dispose()
    achieved = rows[3].rate
    verdict = "met" if achieved >= 0.9 * min(rate, rows[2].rate) else "NOT met"
    summary = (f"{kind}: achieved {achieved:,.0f} sends/s = {achieved / rate:.1%} of the "
               f"{rate:,}/s limit (bare loop: {rows[2].rate / rate:.1%}); target >= 90% "
               f"{verdict}. Duplicates {duplicates}, losses {losses}"
               + (f", {queued:,} still queued when the {budget:.0f}s drain budget ran out"
                  if queued else ""))
    return rows, summary


def table(rows: list[Row]) -> str:
    head = ("database", "step", "rows", "seconds", "rows/s", "vs baseline")
    lines = [(r.database, r.step, f"{r.rows:,}", f"{r.seconds:.2f}", f"{r.rate:,.0f}",
              f"{r.rate / r.baseline:.2f}" if r.baseline else "1.00") for r in rows]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(x, widths, strict=True)).rstrip()
                     for x in [head, *lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.broadcast_saturation",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=3000, help="scaled global limit, per second")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--drain-seconds", type=float, default=12.0,
                        help="stop each drain after this long (0: until the outbox is empty)")
    parser.add_argument("--overhead", action="store_true",
                        help="also drain again with a no-op sender: our own ceiling")
    args = parser.parse_args(argv)
    load_all_models()
    rows: list[Row] = []
    summaries: list[str] = []
    for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
        try:
            with database(kind) as url:
                found, summary = run_one(kind, url, args.members, args.rate, args.overhead,
                                         args.drain_seconds)
        except sa.exc.OperationalError as exc:
            summaries.append(f"{kind}: skipped, database unreachable ({type(exc).__name__})")
            continue
        rows += found
        summaries.append(summary)
    print(f"Broadcast to {args.members:,} members in {len(LANGUAGES)} languages; limit "
          f"{args.rate:,}/s overall, 1/s per chat\n")
    print(table(rows))
    print()
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
