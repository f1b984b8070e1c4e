"""The staff dashboard at scale: is each page still quick with a real group's history?

Seeds members with messages, check-ins, payments (with ledger events),
alerts and update recipients (`seed`), then tops the feedback log up to
1,000,000 rows (COPY on PostgreSQL). It times the pages server-side through
the full ASGI stack (routing, session, roles, SQL, templates) and compares each
with a baseline measured in the same run: a bare Starlette route returning a
static page of the overview's size. Ratios are what to compare across machines.

Targets (issue 10): the feedback log's first page and its filtered pages
(tag + status + date; free text, including a phrase of common words that
few rows contain, served by the word-joining trigram index of migration
0012_feedback_search) have p95 <= 150 ms, and the CSV export of every
row streams with peak memory growth under 200 MB (process RSS, sampled while
the response is consumed straight from the ASGI app, so nothing buffers it).

    python -m benchmarks.dashboard_scale [--database-url URL] [--quick]
        [--members N] [--rows N] [--feedback N] [--runs N]

Without --database-url the full run uses a fresh schema on PostgreSQL
(BENCH_DATABASE_URL, default the local server), dropped afterwards; --quick uses
a small SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import quote

import psutil
import sqlalchemy as sa
from sqlalchemy import insert
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from benchmarks.results import Figure, format_table
from bot.app import BotApp
from bot.config import Settings
from bot.storage.db import transaction

NAME = "dashboard_scale"
TAGS = [f"tag{n}" for n in range(20)]
RARE_TAG = "heating"  # about 1 item in 2,000
BATCH = 5000
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
P95_TARGET_MS = 150.0
EXPORT_TARGET_MB = 200.0
WORDS = ("the room was cold and the tea ran out but people were kind the bus was late "
         "again the forms were long we liked the new chairs and the food please send "
         "papers earlier the lift was broken the session felt rushed thank you for "
         "listening more breaks would help the map was hard to read").split()
RARE_WORD = "accordion"  # about 1 item in 2,000


def _bulk(app: BotApp, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        with transaction(app.engine) as db:
            db.execute(insert(table), rows[start:start + BATCH])


def seed(app: BotApp, members: int, rows: int, now: datetime) -> int:
    """Fill the database; returns the id of an admin with every staff role."""
    from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
    from bot.storage.checkin_models import Checkin
    from bot.storage.feedback_models import FeedbackItem, new_item_id
    from bot.storage.models import Identity, InboxEvent, Member, MemberRole, OutboxMessage
    from bot.storage.payment_models import Payment, PaymentEvent
    from bot.storage.profile_models import Profile
    from bot.storage.safeguarding_models import SafeguardingAlert

    rnd = random.Random(12)
    langs = ["en", "cy", "pl", "ur", "ar"]
    _bulk(app, Member.__table__, [  # type: ignore[attr-defined]
        {"id": i, "display_name": f"Member {i}", "language": rnd.choice(langs),
         "timezone": "Europe/London", "status": "active", "created_at": now}
        for i in range(1, members + 1)])
    _bulk(app, Identity.__table__, [  # type: ignore[attr-defined]
        {"member_id": i, "platform": "telegram", "user_id": str(i), "chat_id": str(i),
         "unreachable": False, "created_at": now} for i in range(1, members + 1)])
    _bulk(app, Profile.__table__, [  # type: ignore[attr-defined]
        {"member_id": i, "needs": rnd.sample(["short", "easy_read", "voice"], 1),
         "ways_to_take_part": [], "created_at": now, "updated_at": now}
        for i in range(1, members + 1, 2)])
    _bulk(app, MemberRole.__table__, [  # type: ignore[attr-defined]
        {"member_id": 1, "role": r, "granted_at": now}
        for r in ("admin", "finance", "safeguarding", "staff")])

    def moment(days: int = 180) -> datetime:
        return now - timedelta(seconds=rnd.randrange(days * 86400))

    _bulk(app, InboxEvent.__table__, [  # type: ignore[attr-defined]
        {"platform": "telegram", "external_id": f"e{n}", "status": "done",
         "payload": {"platform": "telegram", "user_id": str(rnd.randrange(1, members + 1)),
                     "kind": "message"}, "received_at": moment()} for n in range(rows)])
    feedback = []
    for _ in range(rows):
        member = rnd.randrange(1, members + 1) if rnd.random() < 0.7 else None
        feedback.append({
            "id": new_item_id(), "member_id": member, "anonymous": member is None,
            "kind": "free", "text": f"Feedback words {rnd.randrange(10**6)}",
            "given_on": moment(365).date(), "tags": rnd.sample(TAGS, 2),
            "status": rnd.choice(["new", "seen", "did", "couldnt"]),
            "session_id": rnd.randrange(1, 200), "created_at": now if member else None})
    _bulk(app, FeedbackItem.__table__, feedback)  # type: ignore[attr-defined]
    checkins = []
    for n in range(rows):
        when = moment(84)
        checkins.append({"member_id": n % members + 1, "due_at": when + timedelta(seconds=n),
                         "send_at": when, "sent_at": when, "status": "answered",
                         "mood": rnd.randrange(1, 6), "answered_at": when, "late": False,
                         "created_at": when})
    _bulk(app, Checkin.__table__, checkins)  # type: ignore[attr-defined]
    payments, events = [], []
    for n in range(1, rows // 5 + 1):
        day = moment(300).date()
        payments.append({
            "id": n, "idempotency_key": f"p{n}", "organisation": "Bench",
            "member_id": rnd.randrange(1, members + 1), "activity": "meeting",
            "activity_date": day, "hours": Decimal("2"), "hourly_rate": Decimal("27.50"),
            "fee_full": Decimal("55.00"), "fee_amount": Decimal("55.00"), "choice": "accept",
            "expenses_total": Decimal("0.00"), "currency": "GBP", "rate_card_version": "b1",
            "method": "bank_transfer", "created_at": now})
        steps = ["recorded", "approved", "paid", "confirmed"][: rnd.randrange(1, 5)]
        for step in steps:
            events.append({
                "payment_id": n, "kind": step, "idempotency_key": f"p{n}:{step}",
                "fee_delta": Decimal("55.00") if step == "recorded" else Decimal("0.00"),
                "expenses_delta": Decimal("0.00"), "actor_kind": "cli",
                "paid_on": day + timedelta(days=rnd.randrange(3, 30)) if step == "paid" else None,
                "created_at": datetime.combine(day, datetime.min.time(), UTC)
                + timedelta(days=rnd.randrange(5, 40))})
    _bulk(app, Payment.__table__, payments)  # type: ignore[attr-defined]
    _bulk(app, PaymentEvent.__table__, events)  # type: ignore[attr-defined]
    _bulk(app, SafeguardingAlert.__table__, [  # type: ignore[attr-defined]
        {"member_id": rnd.randrange(1, members + 1), "source": "asked_for_contact", "mood": 1,
         "status": rnd.choice(["open", "contacted", "closed"]), "level": 0, "notified": [],
         "created_at": moment(), "updated_at": now} for _ in range(1000)])
    with transaction(app.engine) as db:
        db.add(Broadcast(id=1, kind="learning", texts={"en": {"title": "News", "body": "Hi"}},
                         default_language="en", audience=["everyone"], status="queued",
                         created_at=now))
    reach = min(members, rows // 5)
    _bulk(app, OutboxMessage.__table__, [  # type: ignore[attr-defined]
        {"id": i, "member_id": i, "platform": "telegram", "chat_id": str(i),
         "payload": {"text": "Hi"}, "status": rnd.choice(["sent", "sent", "pending", "failed"]),
         "attempts": 1, "not_before": now, "created_at": now} for i in range(1, reach + 1)])
    _bulk(app, BroadcastRecipient.__table__, [  # type: ignore[attr-defined]
        {"broadcast_id": 1, "member_id": i, "language": rnd.choice(langs),
         "text_language": "en", "platform": "telegram", "outbox_id": i, "status": "queued",
         "created_at": now} for i in range(1, reach + 1)])
    return 1


def _feedback_rows(n: int, members: int, now: datetime, seed_value: int = 7
                   ) -> Iterator[tuple[Any, ...]]:
    """Feedback rows as tuples in FEEDBACK_COLUMNS order: 70% named, 30% anonymous."""
    from bot.storage.feedback_models import new_item_id

    rnd = random.Random(seed_value)
    today = now.date()
    for _ in range(n):
        member = rnd.randrange(1, members + 1) if rnd.random() < 0.7 else None
        words = rnd.choices(WORDS, k=rnd.randrange(4, 14))
        tags = rnd.sample(TAGS, 2)
        if rnd.random() < 0.0005:
            words.insert(rnd.randrange(len(words)), RARE_WORD)
        if rnd.random() < 0.0005:
            tags.append(RARE_TAG)
        yield (new_item_id(), member, member is None, "free", " ".join(words).capitalize(),
               today - timedelta(days=rnd.randrange(730)), json.dumps(tags),
               rnd.choice(["new", "seen", "did", "couldnt"]), rnd.randrange(1, 400),
               now if member else None)


FEEDBACK_COLUMNS = ("id", "member_id", "anonymous", "kind", "text", "given_on", "tags",
                    "status", "session_id", "created_at")


def load_feedback(app: BotApp, n: int, members: int, now: datetime) -> None:
    """Bulk-load `n` feedback items: COPY on PostgreSQL, batched inserts elsewhere."""
    rows = _feedback_rows(n, members, now)
    if app.engine.dialect.name == "postgresql":
        raw = app.engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f"COPY feedbackitem ({', '.join(FEEDBACK_COLUMNS)}) "  # type: ignore[attr-defined]
                             "FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        with app.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE feedbackitem"))
        return
    from bot.storage.feedback_models import FeedbackItem

    batch: list[dict[str, Any]] = []
    for row in rows:
        item = dict(zip(FEEDBACK_COLUMNS, row, strict=True))
        item["tags"] = json.loads(item["tags"])
        batch.append(item)
        if len(batch) == BATCH:
            _bulk(app, FeedbackItem.__table__, batch)  # type: ignore[attr-defined]
            batch = []
    if batch:
        _bulk(app, FeedbackItem.__table__, batch)  # type: ignore[attr-defined]


def timed(get: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds over `runs` requests, after two warm-ups."""
    for _ in range(2):
        get()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def timed_against(get: Callable[[], Any], baseline: Callable[[], Any], runs: int
                  ) -> tuple[float, float, float]:
    """(p50, p95, baseline p95) in ms, the two requests alternating, so both see the
    same machine load (other work on a shared machine moves absolute times a lot)."""
    page: list[float] = []
    base: list[float] = []
    for _ in range(2):
        get()
    for _ in range(runs):
        for fn, times in ((get, page), (baseline, base)):
            start = time.perf_counter()
            response = fn()
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    page.sort()
    base.sort()
    at = max(0, int(runs * 0.95) - 1)
    return statistics.median(page), page[at], base[at]


class PeakRss:
    """The highest resident memory of this process, sampled every few milliseconds."""

    def __init__(self, every: float = 0.005) -> None:
        self.process, self.every = psutil.Process(), every
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.every)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


async def _drain(asgi: Any, path: str, cookie: str) -> tuple[int, int, int]:
    """GET `path` straight from the ASGI app, throwing the body away as it streams.

    Returns (status, bytes, lines). TestClient would buffer the whole body."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "https", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "server": ("testserver", 443),
             "client": ("127.0.0.1", 5000), "state": {},
             "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())]}
    got = {"status": 0, "bytes": 0, "lines": 0}
    asked, done = False, asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays connected until the body has ended
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            got["status"] = message["status"]
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            got["bytes"] += len(body)
            got["lines"] += body.count(b"\n")
            if not message.get("more_body", False):
                done.set()

    await asgi(scope, receive, send)
    return got["status"], got["bytes"], got["lines"]


def _raw_read(app: BotApp) -> float:
    """Seconds to stream every feedback row with a server-side cursor, no ORM, no CSV."""
    from bot.storage.feedback_models import FeedbackItem

    start = time.perf_counter()
    with app.engine.connect() as conn:
        result = conn.execution_options(yield_per=1000).execute(
            sa.select(FeedbackItem.__table__))  # type: ignore[attr-defined]
        for _ in result:
            pass
    return time.perf_counter() - start


@contextmanager
def _database(database_url: str | None, quick: bool) -> Iterator[str]:
    """A database to fill: a temporary SQLite file, or a fresh PostgreSQL schema."""
    if database_url is None and quick:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/dashboard-bench.db"
        return
    url = database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    base = Settings(_env_file=None, database_url=url).database_url  # type: ignore[call-arg]
    if not base.startswith("postgresql"):
        yield base
        return
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


def _login(app: BotApp, admin: int, cache_seconds: float) -> tuple[TestClient, str]:
    """A logged-in client and its session cookie."""
    from bot.web.app import create_web_app
    from bot.web.dashboard import auth, dashboard_routes
    from bot.web.dashboard.config import DashboardConfig
    from bot.web.dashboard.web import COOKIE

    config = DashboardConfig(base_url="https://testserver", overview_cache_seconds=cache_seconds)
    client = TestClient(create_web_app(app, routes=dashboard_routes(app, config)),
                        base_url="https://testserver")
    with transaction(app.engine) as db:
        token = auth.create_login_token(db, admin, datetime.now(UTC))
    page = client.get(f"/login/{token}").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post(f"/login/{token}", data={"csrf_token": csrf}).status_code == 200
    return client, f"{COOKIE}={client.cookies.get(COOKIE)}"


def run(*, database_url: str | None = None, quick: bool = False, members: int | None = None,
        rows: int | None = None, feedback: int | None = None, runs: int | None = None
        ) -> list[Figure]:
    """Seed, time every page against a bare route, and stream the whole CSV export."""
    members = members or (300 if quick else 10_000)
    rows = rows or (2_000 if quick else 20_000)
    feedback = feedback or (20_000 if quick else 1_000_000)
    runs = runs or (10 if quick else 40)
    figures: list[Figure] = []
    with _database(database_url, quick) as url:
        app = BotApp(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        try:
            figures = _measure(app, members, rows, max(feedback - rows, 0), runs)
        finally:
            app.engine.dispose()
    return figures


def _measure(app: BotApp, members: int, rows: int, extra: int, runs: int) -> list[Figure]:
    from bot.storage import migrate

    fig: list[Figure] = []
    dialect = app.engine.dialect.name

    def info(name: str, value: float, unit: str = "", note: str = "") -> None:
        fig.append(Figure(NAME, name, value, unit, note=note))

    app.upgrade_database()
    # Load without the scale indexes, then build them: how a real upgrade meets old data.
    migrate.downgrade(app.engine, "feedback_scale@-1")
    now = datetime.now(UTC)
    started = time.perf_counter()
    admin = seed(app, members, rows, now)
    load_feedback(app, extra, members, now)
    info(f"seed: {members:,} members, {rows + extra:,} feedback rows ({dialect})",
         time.perf_counter() - started, "s")
    started = time.perf_counter()
    app.upgrade_database()
    info("migrations 0010_feedback_scale + 0012_feedback_search on the loaded table",
         time.perf_counter() - started, "s")
    if dialect == "postgresql":
        with app.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))

    client, cookie = _login(app, admin, 0)
    cached, _ = _login(app, admin, 60)
    static = client.get("/").text
    bare = TestClient(Starlette(routes=[Route("/", lambda r: HTMLResponse(static))]))
    _base50, base95 = timed(lambda: bare.get("/"), runs)
    info(f"baseline p95: bare route, static {len(static) // 1024} KB page", base95, "ms")
    since = (now - timedelta(days=90)).date().isoformat()
    feedback_pages = {
        "feedback: first page": "/feedback",
        "feedback: tag + status + date": f"/feedback?tag=tag3&status=new&date_from={since}",
        "feedback: rare tag + status + date":
            f"/feedback?tag={RARE_TAG}&status=new&date_from={since}",
        "feedback: words (common)": "/feedback?q=cold+and",
        "feedback: words (rare)": f"/feedback?q={RARE_WORD}",
        "feedback: words (common words, few matches)": "/feedback?q=bus+was+late",
        "feedback: page 20": "/feedback?page=20",
    }
    other_pages = {
        "overview (no cache)": (client, "/"),
        "overview (60 s cache)": (cached, "/"),
        "members": (client, "/members"),
        "members, filtered": (client, "/members?language=cy&state=active"),
        "alerts": (client, "/alerts"),
        "payments": (client, "/payments?queue=approved"),
        "update report": (client, "/broadcasts/1"),
        "sessions": (client, "/sessions"),
    }
    def bare_get() -> Any:
        return bare.get("/")

    for name, path in feedback_pages.items():
        p50, p95, b95 = timed_against(partial(client.get, path), bare_get, runs)
        fig.append(Figure(NAME, f"{name} p95", p95, "ms", f"<= {P95_TARGET_MS:.0f} ms",
                          p95 <= P95_TARGET_MS,
                          f"p50 {p50:.1f} ms; x{p95 / b95:.1f} baseline p95"))
    for name, (who, path) in other_pages.items():
        p50, p95, b95 = timed_against(partial(who.get, path), bare_get, runs)
        info(f"{name} p95", p95, "ms", f"p50 {p50:.1f} ms; x{p95 / b95:.1f} baseline p95")

    raw_seconds = _raw_read(app)
    asgi = client.app
    with PeakRss() as rss:
        started = time.perf_counter()
        status, size, lines = asyncio.run(_drain(asgi, "/feedback.csv", cookie))
        seconds = time.perf_counter() - started
    assert status == 200, status
    total = rows + extra
    fig.append(Figure(NAME, f"CSV export of all {total:,} rows: peak RSS growth",
                      rss.growth_mb, "MB", f"< {EXPORT_TARGET_MB:.0f} MB",
                      rss.growth_mb < EXPORT_TARGET_MB and lines >= total,
                      f"{size / 2**20:.0f} MB, {lines - 1:,} data lines in {seconds:.1f} s"))
    info("CSV export: peak RSS of the whole process", rss.peak / 2**20, "MB",
         f"{rss.start / 2**20:.0f} MB before the export")
    info("CSV export time vs raw cursor read (baseline)", seconds / raw_seconds, "x",
         f"raw read {raw_seconds:.1f} s")
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard_scale",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--database-url", help="default: PostgreSQL (SQLite with --quick)")
    parser.add_argument("--quick", action="store_true", help="a small run, in seconds")
    parser.add_argument("--members", type=int)
    parser.add_argument("--rows", type=int, help="rows in each of the other tables")
    parser.add_argument("--feedback", type=int, help="feedback rows in all")
    parser.add_argument("--runs", type=int, help="requests timed per page")
    args = parser.parse_args(argv)
    figures = run(database_url=args.database_url, quick=args.quick, members=args.members,
                  rows=args.rows, feedback=args.feedback, runs=args.runs)
    print(format_table(figures))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
