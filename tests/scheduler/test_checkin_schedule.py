"""Check-ins fire at the member's own wall-clock time, never in quiet hours or a pause,
and after downtime go late (marked) or, more than a day late, are dropped with a reason."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.services.checkins import next_checkin, set_plan
from bot.storage.checkin_models import Checkin
from bot.storage.db import transaction
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member, tick, update_member, utc

MOOD_WORDS = ["Very low", "Low", "OK", "Good", "Very good", "Skip"]


def plan(chat: ChatHarness, member_id: int, frequency: str, weekday: int, at: str,
         now: datetime) -> None:
    with transaction(chat.app.engine) as s:
        set_plan(s, member_id, frequency, weekday, at, now=now)


def upcoming(chat: ChatHarness, member_id: int) -> Checkin:
    with Session(chat.app.engine) as s:
        row = next_checkin(s, member_id)
        assert row is not None
        return row


def rows(chat: ChatHarness) -> list[Checkin]:
    with Session(chat.app.engine) as s:
        return list(s.exec(select(Checkin).order_by(col(Checkin.id))).all())


def test_karachi_member_is_asked_at_nine_karachi_time(chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1", tz="Asia/Karachi", quiet=("22:00", "08:00"))
    plan(chat, mid, "weekly", 0, "09:00", now=utc(2027, 6, 2, 12))
    assert tick(chat, utc(2027, 6, 7, 3, 59)) == []
    sent = tick(chat, utc(2027, 6, 7, 4, 0))  # Monday 09:00 in Karachi
    assert [user for user, _ in sent] == ["u1"]
    message = sent[0][1]
    assert "check-in" in message.text
    assert [b.label for row in message.buttons for b in row] == MOOD_WORDS
    assert upcoming(chat, mid).due_at.astimezone(ZoneInfo("Asia/Karachi")) == datetime(
        2027, 6, 14, 9, tzinfo=ZoneInfo("Asia/Karachi"))
    assert tick(chat, utc(2027, 6, 7, 4, 1)) == [], "asked once"


def test_uk_clock_change_in_march(chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1")
    plan(chat, mid, "weekly", 0, "09:00", now=utc(2027, 3, 20))
    assert len(tick(chat, utc(2027, 3, 22, 9))) == 1  # 09:00 GMT
    assert upcoming(chat, mid).due_at == utc(2027, 3, 29, 8)  # 09:00 BST
    assert tick(chat, utc(2027, 3, 29, 7, 59)) == []
    assert len(tick(chat, utc(2027, 3, 29, 8))) == 1


def test_uk_clock_change_in_october(chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1")
    plan(chat, mid, "weekly", 0, "09:00", now=utc(2027, 10, 20))
    assert len(tick(chat, utc(2027, 10, 25, 8))) == 1  # 09:00 BST
    assert upcoming(chat, mid).due_at == utc(2027, 11, 1, 9)  # 09:00 GMT
    assert tick(chat, utc(2027, 11, 1, 8)) == [], "not an hour early"
    assert len(tick(chat, utc(2027, 11, 1, 9))) == 1


def test_a_time_in_quiet_hours_waits_until_they_end(chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1", quiet=("21:00", "08:00"))
    plan(chat, mid, "weekly", 2, "07:00", now=utc(2027, 1, 4))
    assert upcoming(chat, mid).send_at == utc(2027, 1, 6, 8)
    assert tick(chat, utc(2027, 1, 6, 7)) == []
    assert len(tick(chat, utc(2027, 1, 6, 8))) == 1


def test_a_pause_moves_the_check_in_and_resume_brings_it_back(chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1")
    plan(chat, mid, "weekly", 0, "10:00", now=utc(2027, 1, 1))
    update_member(chat.app, mid, paused_until=utc(2027, 1, 20))
    assert tick(chat, utc(2027, 1, 4, 10)) == []
    # The pause ends at midnight, in quiet hours: the first allowed moment is 08:00.
    assert upcoming(chat, mid).send_at == utc(2027, 1, 20, 8), "moved past the pause"
    update_member(chat.app, mid, paused_until=None)  # /resume
    assert len(tick(chat, utc(2027, 1, 5, 10))) == 1, "resuming brings it back at once"
    assert upcoming(chat, mid).due_at == utc(2027, 1, 11, 10)


def test_a_few_hours_of_downtime_sends_it_late_once_and_marked(chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1")
    plan(chat, mid, "weekly", 0, "10:00", now=utc(2027, 1, 1))
    sent = tick(chat, utc(2027, 1, 4, 13))  # down from 09:00 to 13:00
    assert len(sent) == 1 and "late" in sent[0][1].text
    assert tick(chat, utc(2027, 1, 4, 13, 5)) == []
    first = rows(chat)[0]
    assert first.status == "sent" and first.late


def test_more_than_a_day_late_is_dropped_with_a_reason(chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1")
    plan(chat, mid, "weekly", 0, "10:00", now=utc(2027, 1, 1))
    assert tick(chat, utc(2027, 1, 5, 11)) == []
    first = rows(chat)[0]
    assert (first.status, first.reason) == ("dropped", "overdue_after_downtime")
    assert upcoming(chat, mid).due_at == utc(2027, 1, 11, 10), "the plan carries on"


def test_stopped_member_gets_nothing_and_coming_back_restarts_the_plan(
        chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1")
    plan(chat, mid, "weekly", 0, "10:00", now=utc(2027, 1, 1))
    update_member(chat.app, mid, status="stopped")
    assert tick(chat, utc(2027, 1, 4, 10)) == []
    assert [(r.status, r.reason) for r in rows(chat)] == [("cancelled", "member_stopped")]
    assert tick(chat, utc(2027, 1, 11, 10)) == [], "no new check-ins while stopped"
    update_member(chat.app, mid, status="active")  # /start
    tick(chat, utc(2027, 1, 12))
    assert upcoming(chat, mid).due_at == utc(2027, 1, 18, 10)


def test_changing_the_plan_replaces_the_scheduled_check_in(chat: ChatHarness) -> None:
    mid = add_member(chat.app, "u1")
    plan(chat, mid, "weekly", 0, "10:00", now=utc(2027, 1, 1))
    plan(chat, mid, "monthly", 4, "12:00", now=utc(2027, 1, 1, 1))
    assert upcoming(chat, mid).due_at == utc(2027, 1, 1, 12)
    plan(chat, mid, "weekly", 0, "10:00", now=utc(2027, 1, 1, 2))  # back again: revived
    assert [r.status for r in rows(chat)] == ["scheduled", "cancelled"]
    plan(chat, mid, "never", 0, "10:00", now=utc(2027, 1, 1, 3))
    assert tick(chat, utc(2027, 1, 4, 10)) == []
    assert {r.status for r in rows(chat)} == {"cancelled"}
