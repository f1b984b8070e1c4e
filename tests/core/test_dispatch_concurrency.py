"""Batched, concurrent dispatch keeps the inbox's promises.

Several events share a transaction and, on PostgreSQL, several workers run at
once. Still: one sender's events are handled in arrival order, each inbox row
has exactly one effect, a crash before the commit leaves every row pending to
be handled once later, and a failing handler undoes only its own writes.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

import bot.core.dispatch as dispatch_module
from bot.app import BotApp
from bot.core.dispatch import Dispatcher, share_lanes
from bot.core.events import Event, text_event
from bot.core.inbox import store_events
from bot.core.router import Router
from bot.storage.db import is_postgres
from bot.storage.models import InboxEvent, Member, OutboxMessage
from tests.harness import PLATFORM


class Crash(BaseException):
    """Stands in for SIGKILL at a fault point: nothing after it runs."""


def recording_app(settings, app: BotApp, seen: list[tuple[str, str]]) -> BotApp:  # type: ignore[no-untyped-def]
    router = Router()
    lock = threading.Lock()

    def note(event: Event, ctx) -> None:  # type: ignore[no-untyped-def]
        time.sleep(0.001)  # let the workers interleave
        with lock:
            seen.append((event.user_id, event.args))
        ctx.reply(f"noted {event.args}")

    def explode(event: Event, ctx) -> None:  # type: ignore[no-untyped-def]
        ctx.member.display_name = "half-written"  # never flushed: must not leak
        ctx.reply("this reply must never be sent")
        raise RuntimeError("boom")

    router.command("note")(note)
    router.command("boom")(explode)
    return BotApp(settings, engine=app.engine, router=router)


def queue(app: BotApp, users: list[str], per_user: int) -> None:
    """Each user's numbered /note events, interleaved across users."""
    items = [(text_event(PLATFORM, u, u, f"/note {n}"), f"{u}-{n}")
             for n in range(per_user) for u in users]
    assert all(i is not None for i in store_events(app.engine, items))


def outbox_count(app: BotApp) -> dict[int | None, int]:
    counts: dict[int | None, int] = defaultdict(int)
    with Session(app.engine) as s:
        for row in s.exec(select(OutboxMessage)).all():
            counts[row.source_event_id] += 1
    return counts


def test_one_senders_events_stay_in_order_across_workers(settings, app: BotApp) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str]] = []
    bot = recording_app(settings, app, seen)
    # SQLite has a single writer, so it always runs one worker.
    count = 4 if is_postgres(app.engine) else 1
    workers = Dispatcher(app.engine, bot.router, settings, bot.i18n, workers=count, batch_size=3)
    users = [f"u{n}" for n in range(8)]
    queue(bot, users, per_user=6)
    assert workers.process_pending(limit=20) == 48
    for user in users:
        assert [args for who, args in seen if who == user] == [str(n) for n in range(6)]
    with Session(app.engine) as s:
        assert {r.status for r in s.exec(select(InboxEvent)).all()} == {"done"}
    counts = outbox_count(app)
    assert len(counts) == 48 and set(counts.values()) == {1}


def test_a_crash_between_claim_and_commit_leaves_rows_pending_then_handled_once(
    settings, app: BotApp, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    seen: list[tuple[str, str]] = []
    bot = recording_app(settings, app, seen)
    dispatcher = Dispatcher(app.engine, bot.router, settings, bot.i18n, workers=1, batch_size=4)
    queue(bot, ["a", "b"], per_user=3)

    def crash_once(name: str) -> None:
        if name == "dispatch.before_commit":
            monkeypatch.setattr(dispatch_module, "fault_point", lambda _name: None)
            raise Crash

    monkeypatch.setattr(dispatch_module, "fault_point", crash_once)
    with pytest.raises(Crash):
        dispatcher.process_pending()
    # The first batch ran its handlers, then "died" (SQLite: one event a batch).
    assert len(seen) == (4 if is_postgres(app.engine) else 1)
    with Session(app.engine) as s:
        assert {r.status for r in s.exec(select(InboxEvent)).all()} == {"pending"}
        assert s.exec(select(OutboxMessage)).all() == []
    assert dispatcher.process_pending() == 6
    assert dispatcher.process_pending() == 0
    counts = outbox_count(app)
    assert len(counts) == 6 and set(counts.values()) == {1}


def test_a_failing_handler_in_a_batch_undoes_only_its_own_writes(settings, app: BotApp) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str]] = []
    bot = recording_app(settings, app, seen)
    dispatcher = Dispatcher(app.engine, bot.router, settings, bot.i18n, workers=1, batch_size=10)
    store_events(app.engine, [
        (text_event(PLATFORM, "a", "a", "/note 1"), "1"),
        (text_event(PLATFORM, "a", "a", "/boom"), "2"),
        (text_event(PLATFORM, "a", "a", "/note 2"), "3"),
    ])
    assert dispatcher.process_pending() == 3
    with Session(app.engine) as s:
        rows = s.exec(select(InboxEvent).order_by(InboxEvent.id)).all()  # type: ignore[arg-type]
        assert [r.status for r in rows] == ["done", "failed", "done"]
        assert rows[1].payload["text"] == ""  # scrubbed
        texts = [r.payload["text"] for r in s.exec(
            select(OutboxMessage).order_by(OutboxMessage.id)).all()]  # type: ignore[arg-type]
        assert texts == ["noted 1", "Sorry, something went wrong on our side. Please try again.",
                         "noted 2"]
        assert s.exec(select(Member)).one().display_name is None


def test_a_deadlocked_batch_is_handled_again_one_by_one(
    settings, app: BotApp, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    class DeadlockError(Exception):
        sqlstate = "40P01"

    if not is_postgres(app.engine):
        pytest.skip("SQLite handles one event a transaction: there is no batch to redo")
    seen: list[tuple[str, str]] = []
    bot = recording_app(settings, app, seen)
    dispatcher = Dispatcher(app.engine, bot.router, settings, bot.i18n, workers=1, batch_size=10)
    queue(bot, ["a"], per_user=3)
    original = dispatcher._dispatch
    failed = []

    def deadlock_once(event: Event, ctx) -> None:  # type: ignore[no-untyped-def]
        if not failed and event.args == "1":
            failed.append(True)
            raise OperationalError("UPDATE ...", {}, DeadlockError())
        original(event, ctx)

    monkeypatch.setattr(dispatcher, "_dispatch", deadlock_once)
    assert dispatcher.process_pending() == 3
    with Session(app.engine) as s:
        assert {r.status for r in s.exec(select(InboxEvent)).all()} == {"done"}
    counts = outbox_count(app)
    assert len(counts) == 3 and set(counts.values()) == {1}  # "0" was rolled back and redone


def test_store_events_is_idempotent_per_update(app: BotApp) -> None:
    first = store_events(app.engine, [(text_event(PLATFORM, "a", "a", "hi\x00 there"), "1"),
                                      (text_event(PLATFORM, "b", "b", "hello"), "2")])
    again = store_events(app.engine, [(text_event(PLATFORM, "b", "b", "hello"), "2"),
                                      (text_event(PLATFORM, "c", "c", "new"), "3")])
    assert all(isinstance(i, int) for i in first)
    assert again[0] is None and isinstance(again[1], int)
    assert store_events(app.engine, []) == []
    twice = store_events(app.engine, [(text_event(PLATFORM, "d", "d", "x"), "4")] * 2)
    assert isinstance(twice[0], int) and twice[1] is None  # Telegram sent it twice in one batch
    with Session(app.engine) as s:
        rows = s.exec(select(InboxEvent).order_by(InboxEvent.id)).all()  # type: ignore[arg-type]
    assert [r.external_id for r in rows] == ["1", "2", "3", "4"]
    assert rows[0].payload["text"] == "hi there"  # PostgreSQL cannot store U+0000
    assert all(r.status == "pending" and r.received_at is not None for r in rows)


def test_share_lanes_keeps_each_lane_whole_and_balances() -> None:
    lanes = [[1, 5, 9], [2], [3, 4], [6], [7, 8]]
    groups = share_lanes(lanes, 2)
    assert len(groups) == 2
    assert sorted(tuple(lane) for g in groups for lane in g) == sorted(tuple(x) for x in lanes)
    sizes = sorted(sum(len(lane) for lane in g) for g in groups)
    assert sizes == [4, 5]
    assert share_lanes([[1]], 4) == [[[1]]]
