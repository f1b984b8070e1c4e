"""Scheduled updates fan out at their send time, exactly once, judged as people are then."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.broadcasts import cancel, fan_out, get_broadcast
from bot.broadcasts import schedule as schedule_module
from bot.broadcasts.schedule import claim, fan_out_due, next_send_at
from bot.i18n import I18n
from bot.storage.broadcast_models import Broadcast
from bot.storage.models import Member, OutboxMessage
from tests.broadcasts.conftest import NOW, draft, outbox_by_chat, recipients, run_scheduled

SEND_AT = NOW + timedelta(hours=2)  # 00:30 in London: quiet hours are off in these tests


NO_QUIET = ("00:00", "00:00")


def clock() -> datetime:
    return NOW


def confirm_later(app: BotApp, i18n: I18n, **kw: object) -> int:
    bid = draft(app, send_at=SEND_AT, **kw)
    fan_out(app.engine, bid, i18n, clock=clock)
    return bid


def status(app: BotApp, bid: int) -> str:
    with Session(app.engine) as s:
        return get_broadcast(s, bid).status


def test_people_are_taken_as_they_are_at_send_time(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("stays", quiet=NO_QUIET)
    stops = members("stops", quiet=NO_QUIET)
    switches, pauses = members("switches", quiet=NO_QUIET), members("pauses", quiet=NO_QUIET)
    bid = confirm_later(app, i18n_pl)
    assert status(app, bid) == "scheduled" and outbox_by_chat(app) == {}
    assert run_scheduled(app, SEND_AT - timedelta(seconds=1)) == 0, "not due yet"
    with Session(app.engine) as s:
        s.get(Member, stops.id).status = "stopped"
        s.get(Member, switches.id).language = "cy"
        s.get(Member, pauses.id).paused_until = SEND_AT + timedelta(days=3)
        s.commit()
    members("joins", quiet=NO_QUIET)
    assert run_scheduled(app, SEND_AT) == 1
    out = outbox_by_chat(app)
    assert set(out) == {"stays", "switches", "pauses", "joins"}
    assert out["switches"][0].payload["text"] == "Beth ddigwyddodd\n\nTrwsiwyd y gwresogydd."
    assert out["pauses"][0].not_before == SEND_AT + timedelta(days=3)
    assert out["stays"][0].not_before == SEND_AT
    assert stops.id not in {r.member_id for r in recipients(app, bid)}, "STOP before send time"
    assert status(app, bid) == "queued"
    assert run_scheduled(app, SEND_AT + timedelta(minutes=1)) == 0, "only once"
    assert sum(len(rows) for rows in outbox_by_chat(app).values()) == 4


def test_two_schedulers_racing_queue_each_person_once(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    for n in range(12):
        members(f"m{n}", quiet=NO_QUIET)
    bid = confirm_later(app, i18n_pl)
    taken: list[list[int]] = []
    start = threading.Barrier(2)

    def scheduler() -> None:
        start.wait()
        taken.append(fan_out_due(app.engine, i18n_pl, SEND_AT, batch_size=5))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == [[], [bid]], "exactly one scheduler claims it"
    assert len(recipients(app, bid)) == 12
    assert all(len(rows) == 1 for rows in outbox_by_chat(app).values())


def test_a_crash_mid_fan_out_is_finished_by_the_resume_job(
    app: BotApp, members, i18n_pl: I18n, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    for n in range(7):
        members(f"m{n}", quiet=NO_QUIET)
    bid = confirm_later(app, i18n_pl)
    real = schedule_module.fan_out

    def crashing(*args, **kw):  # type: ignore[no-untyped-def]
        def die(result) -> None:  # type: ignore[no-untyped-def]
            raise RuntimeError("killed after the first batch")
        return real(*args, **{**kw, "batch_size": 3, "after_batch": die})

    monkeypatch.setattr(schedule_module, "fan_out", crashing)
    with pytest.raises(RuntimeError):
        fan_out_due(app.engine, i18n_pl, SEND_AT)
    monkeypatch.setattr(schedule_module, "fan_out", real)
    assert status(app, bid) == "sending" and len(recipients(app, bid)) == 3
    assert run_scheduled(app, SEND_AT) == 0, "already claimed: the schedule job leaves it"
    from bot.scheduler.registry import periodics
    resume = next(p for p in periodics() if p.name == "unfinished_broadcasts")
    assert resume.fn(app, SEND_AT) == 1
    assert len(recipients(app, bid)) == 7 and status(app, bid) == "queued"
    assert all(len(rows) == 1 for rows in outbox_by_chat(app).values())


def test_cancelled_or_claimed_updates_are_not_claimed_again(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("m", quiet=NO_QUIET)
    first = confirm_later(app, i18n_pl)
    second = confirm_later(app, i18n_pl)
    with Session(app.engine) as s:
        assert next_send_at(s) == SEND_AT
        cancel(s, get_broadcast(s, first))
        s.commit()
    assert claim(app.engine, second, SEND_AT) and not claim(app.engine, second, SEND_AT)
    assert not claim(app.engine, first, SEND_AT)
    assert fan_out_due(app.engine, i18n_pl, SEND_AT) == []
    with Session(app.engine) as s:
        assert s.exec(select(OutboxMessage)).all() == []
        assert next_send_at(s) is None
        assert [b.status for b in s.exec(select(Broadcast))] == ["cancelled", "sending"]


def test_an_update_without_a_time_still_goes_out_at_confirm(
    app: BotApp, members, i18n_pl: I18n  # type: ignore[no-untyped-def]
) -> None:
    members("m", quiet=NO_QUIET)
    bid = draft(app)
    fan_out(app.engine, bid, i18n_pl, clock=clock)
    assert status(app, bid) == "queued" and outbox_by_chat(app)["m"][0].not_before == NOW
    assert datetime.now(UTC) > NOW
