"""The staff dashboard at scale: is each page still quick with a real group's history?

Seeds 10,000 members with 100,000 each of messages, feedback items and
check-ins, 20,000 payments (with their ledger events), 1,000 safeguarding
alerts and 20,000 update recipients. Then times the pages server-side through
the full ASGI stack (routing, session, roles, SQL, templates) and compares each
with a baseline measured in the same run: a bare Starlette route returning a
static page of the overview's size. Ratios are what to compare across machines.

    python -m benchmarks.dashboard_scale [--database-url URL] [--members N] [--rows N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.config import Settings
from bot.storage.db import transaction

TAGS = [f"tag{n}" for n in range(20)]
BATCH = 5000


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    from bot.web.app import create_web_app
    from bot.web.dashboard import auth, dashboard_routes
    from bot.web.dashboard.config import DashboardConfig

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/dashboard-bench.db"
    app = BotApp(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    app.upgrade_database()
    now = datetime.now(UTC)
    started = time.perf_counter()
    admin = seed(app, args.members, args.rows, now)
    print(f"seeded {args.members} members, {args.rows} rows each in "
          f"{time.perf_counter() - started:.1f}s on {app.engine.dialect.name}")

    def client_for(cache_seconds: float) -> TestClient:
        config = DashboardConfig(base_url="https://testserver",
                                 overview_cache_seconds=cache_seconds)
        client = TestClient(create_web_app(app, routes=dashboard_routes(app, config)),
                            base_url="https://testserver")
        with transaction(app.engine) as db:
            token = auth.create_login_token(db, admin, datetime.now(UTC))
        page = client.get(f"/login/{token}").text
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        assert client.post(f"/login/{token}", data={"csrf_token": csrf}).status_code == 200
        return client

    client, cached = client_for(0), client_for(60)
    static = client.get("/").text
    bare = TestClient(Starlette(routes=[Route("/", lambda r: HTMLResponse(static))]))
    base50, base95 = timed(lambda: bare.get("/"), args.runs)
    print(f"baseline: a bare Starlette route returning a static {len(static) // 1024} KB page: "
          f"p50 {base50:.1f} ms, p95 {base95:.1f} ms")
    since = date.today() - timedelta(days=90)
    pages = {
        "overview (no cache)": (client, "/"),
        "overview (60 s cache)": (cached, "/"),
        "members": (client, "/members"),
        "members, filtered": (client, "/members?language=cy&state=active"),
        "member": (client, "/members/2"),
        "feedback": (client, "/feedback"),
        "feedback, filtered": (client, f"/feedback?tag=tag3&status=new&date_from={since}"),
        "feedback, words": (client, "/feedback?q=words+12"),
        "alerts": (client, "/alerts"),
        "payments": (client, "/payments?queue=approved"),
        "update report": (client, "/broadcasts/1"),
    }
    print(f"{'page':24} {'p50 ms':>8} {'p95 ms':>8} {'x p50':>7} {'x p95':>7}")
    for name, (who, path) in pages.items():
        p50, p95 = timed(lambda who=who, path=path: who.get(path), args.runs)
        print(f"{name:24} {p50:8.1f} {p95:8.1f} {p50 / base50:7.1f} {p95 / base95:7.1f}")
    app.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
