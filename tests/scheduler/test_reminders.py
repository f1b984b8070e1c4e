"""Session reminders: a day and an hour before, in each member's own time zone,
never in quiet hours, once, and late (marked) after downtime."""

from __future__ import annotations

import time as walltime
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.core.events import OutgoingMessage
from bot.core.members import find_identity
from bot.services.sessions import add_to_group, create_session, ensure_group, move_session
from bot.storage.db import transaction
from bot.storage.session_models import GroupSession, SessionReminder
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member, tick, utc


def new_session(chat: ChatHarness, users: list[str], starts: datetime, created: datetime) -> int:
    with transaction(chat.app.engine) as s:
        group = ensure_group(s, "Housing panel")
        for user in users:
            identity = find_identity(s, "test", user)
            assert identity is not None
            add_to_group(s, group, identity.member_id)
        gs, _ = create_session(s, chat.app.i18n, title="Housing panel meeting",
                               starts_at=starts, timezone="Europe/London", mode="online",
                               link="https://meet.example.org/housing", group_id=group.id,
                               now=created)
        assert gs.id is not None
        return gs.id


def answer(chat: ChatHarness, session_id: int, user: str, what: str) -> None:
    replies = chat.press(f"rsvp:{session_id}:{what}", user=user)
    assert replies and "Thank you" in replies[0].text


def reminders(sent: Sequence[tuple[str, OutgoingMessage]]) -> list[str]:
    return [user for user, m in sent if m.text.startswith("Reminder")]


def test_session_tomorrow_evening_sends_exactly_two_reminders_at_the_right_times(
        chat: ChatHarness) -> None:
    started = walltime.monotonic()
    for user in ("going", "maybe", "cant", "silent"):
        add_member(chat.app, user)
    created, starts = utc(2027, 1, 11, 10), utc(2027, 1, 12, 18)  # Monday 10:00 -> Tue 18:00
    sid = new_session(chat, ["going", "maybe", "cant", "silent"], starts, created)
    invites = tick(chat, created)
    assert sorted(user for user, _ in invites) == ["cant", "going", "maybe", "silent"]
    for user, what in (("going", "going"), ("maybe", "maybe"), ("cant", "cant")):
        answer(chat, sid, user, what)
    seen: dict[str, list[datetime]] = {}
    clock = created
    while clock <= starts:
        for user in reminders(tick(chat, clock)):
            seen.setdefault(user, []).append(clock)
        clock += timedelta(minutes=15)
    both = [utc(2027, 1, 11, 18), utc(2027, 1, 12, 17)]
    assert seen == {"going": both, "maybe": both}
    assert walltime.monotonic() - started < 20


def test_reminders_use_each_member_time_zone(chat: ChatHarness) -> None:
    add_member(chat.app, "karachi", tz="Asia/Karachi", quiet=(None, None))
    sid = new_session(chat, ["karachi"], utc(2027, 1, 12, 18), utc(2027, 1, 11, 10))
    invite = tick(chat, utc(2027, 1, 11, 10))[0][1]
    assert "23:00" in invite.text and "Tuesday" in invite.text  # 18:00 London
    answer(chat, sid, "karachi", "going")
    sent = tick(chat, utc(2027, 1, 11, 18))
    assert reminders(sent) == ["karachi"] and "23:00" in sent[0][1].text


def test_quiet_hours_skip_the_hour_reminder_and_delay_the_day_reminder(
        chat: ChatHarness) -> None:
    add_member(chat.app, "early", quiet=("21:00", "08:00"))
    starts = utc(2027, 1, 13, 7, 30)  # 07:30, inside quiet hours
    sid = new_session(chat, ["early"], starts, utc(2027, 1, 11, 10))
    tick(chat, utc(2027, 1, 11, 10))
    answer(chat, sid, "early", "going")
    assert reminders(tick(chat, utc(2027, 1, 12, 7, 30))) == [], "not at 07:30: quiet"
    assert reminders(tick(chat, utc(2027, 1, 12, 8))) == ["early"], "when quiet hours end"
    assert reminders(tick(chat, utc(2027, 1, 13, 6, 30))) == [], "the 1-hour one is skipped"
    with Session(chat.app.engine) as s:
        rows = s.exec(select(SessionReminder).order_by(col(SessionReminder.offset_minutes))).all()
        assert [(r.offset_minutes, r.status, r.reason) for r in rows] == [
            (60, "skipped", "quiet_hours"), (1440, "sent", None)]


def test_three_hours_of_downtime_sends_the_reminder_once_marked_late(
        chat: ChatHarness) -> None:
    add_member(chat.app, "u1")
    sid = new_session(chat, ["u1"], utc(2027, 1, 12, 18), utc(2027, 1, 11, 10))
    tick(chat, utc(2027, 1, 11, 10))
    answer(chat, sid, "u1", "going")
    assert reminders(tick(chat, utc(2027, 1, 11, 17, 59))) == []
    # Down from 17:59 to 20:59: three hours across the 18:00 reminder.
    late = tick(chat, utc(2027, 1, 11, 20, 59))
    assert reminders(late) == ["u1"] and "late" in late[0][1].text
    assert reminders(tick(chat, utc(2027, 1, 11, 20, 59))) == []
    with Session(chat.app.engine) as s:
        row = s.exec(select(SessionReminder).where(SessionReminder.offset_minutes == 1440)).one()
        assert row.status == "sent" and row.late


def test_a_reminder_after_the_start_is_dropped_with_a_reason(chat: ChatHarness) -> None:
    add_member(chat.app, "u1")
    sid = new_session(chat, ["u1"], utc(2027, 1, 12, 18), utc(2027, 1, 11, 10))
    tick(chat, utc(2027, 1, 11, 10))
    answer(chat, sid, "u1", "going")
    tick(chat, utc(2027, 1, 11, 18))
    assert reminders(tick(chat, utc(2027, 1, 12, 19))) == []  # down across 17:00 and 18:00
    with Session(chat.app.engine) as s:
        row = s.exec(select(SessionReminder).where(SessionReminder.offset_minutes == 60)).one()
        assert (row.status, row.reason) == ("dropped", "session_started")


def test_moving_and_cancelling_tell_everyone_who_answered(chat: ChatHarness) -> None:
    for user in ("going", "cant", "silent"):
        add_member(chat.app, user)
    sid = new_session(chat, ["going", "cant", "silent"], utc(2027, 1, 12, 18),
                      utc(2027, 1, 11, 10))
    tick(chat, utc(2027, 1, 11, 10))
    answer(chat, sid, "going", "going")
    answer(chat, sid, "cant", "cant")
    with transaction(chat.app.engine) as s:
        gs = s.get(GroupSession, sid)
        assert gs is not None
        assert move_session(s, chat.app.settings, chat.app.i18n, gs, utc(2027, 1, 19, 18),
                            now=utc(2027, 1, 11, 11)) == 2
    moved = tick(chat, utc(2027, 1, 11, 11))
    assert sorted(user for user, _ in moved) == ["cant", "going"]
    assert all("has moved" in m.text and m.buttons for _, m in moved)
    assert reminders(tick(chat, utc(2027, 1, 11, 18))) == [], "old times are cancelled"
    assert reminders(tick(chat, utc(2027, 1, 18, 18))) == ["going"], "new times are used"
    replies = chat.say("/session_cancel " + str(sid), user="going")
    assert "only for the team" in replies[0].text
