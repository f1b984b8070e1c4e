"""Check-ins as members use them: choosing a plan, one-tap answers, notes, skip,
stale and forged buttons, and STOP in the middle of a check-in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.services.checkins import set_plan
from bot.services.sessions import add_to_group, create_session, ensure_group, set_rsvp
from bot.storage.checkin_models import Checkin, CheckinPlan
from bot.storage.db import transaction
from bot.storage.session_models import GroupSession, SessionReminder
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member, tick

MONDAY_TEN = datetime(2027, 1, 4, 10, tzinfo=UTC)


def checkins(chat: ChatHarness) -> list[Checkin]:
    with Session(chat.app.engine) as s:
        return list(s.exec(select(Checkin).order_by(col(Checkin.id))).all())


def planned(chat: ChatHarness, user: str = "u1") -> int:
    """A member with a Monday 10:00 weekly plan; returns their id."""
    mid = add_member(chat.app, user)
    with transaction(chat.app.engine) as s:
        set_plan(s, mid, "weekly", 0, "10:00", now=datetime(2027, 1, 1, tzinfo=UTC))
    return mid


def test_checkins_command_sets_a_plan_in_their_own_time(chat: ChatHarness) -> None:
    add_member(chat.app, "u1", tz="Asia/Karachi")
    first = chat.say("/checkins")[0]
    assert "do not send you check-ins" in first.text
    assert "Which day" in chat.press_label("Every two weeks")[0].text
    chat.press_label("Thursday")
    done = chat.say("10.30")[0].text
    assert "every other Thursday at 10:30" in done and "The next one is on Thursday" in done
    with Session(chat.app.engine) as s:
        plan = s.exec(select(CheckinPlan)).one()
        assert (plan.frequency, plan.weekday, plan.at_time) == ("fortnightly", 3, "10:30")
    row = checkins(chat)[0]
    assert row.due_at.astimezone(ZoneInfo("Asia/Karachi")).hour == 10


def test_a_time_that_makes_no_sense_is_asked_again(chat: ChatHarness) -> None:
    add_member(chat.app, "u1")
    chat.say("/checkins")
    chat.press_label("Every week")
    chat.press_label("Monday")
    assert "did not understand" in chat.say("half past never")[0].text
    assert "every Monday at 18:00" in chat.press_label("18:00")[0].text


def test_an_old_day_button_after_starting_again_asks_for_the_frequency(
        chat: ChatHarness) -> None:
    """Found by the fuzz suite: a day button from an earlier round skipped the
    frequency, and the typed time then crashed the handler."""
    add_member(chat.app, "u1")
    chat.say("/checkins")
    chat.press_label("Every week")  # offers the day buttons
    chat.say("/checkins")  # start again: back at "how often"
    stale = chat.press("ci:day:2")[0].text
    assert "expired" in stale
    replies = chat.say("10:30")
    assert replies and "Done. I will check in" not in replies[0].text
    with Session(chat.app.engine) as s:
        assert s.exec(select(CheckinPlan)).all() == []
    assert "every Wednesday at 10:30" in (chat.press_label("Every week"),
                                          chat.press_label("Wednesday"),
                                          chat.say("10:30"))[-1][0].text


def test_no_check_ins_turns_them_off(chat: ChatHarness) -> None:
    planned(chat)
    chat.say("/checkins")
    assert "not send you check-ins" in chat.press_label("No check-ins")[0].text
    assert {c.status for c in checkins(chat)} == {"cancelled"}


def test_one_tap_answer_then_a_short_note(chat: ChatHarness) -> None:
    planned(chat)
    tick(chat, MONDAY_TEN)
    reply = chat.press_label("Good")[0]
    assert "add a short note" in reply.text and "No note" in [b.label for r in reply.buttons
                                                                for b in r]
    assert "saved your note" in chat.say("Had a good walk today")[0].text
    row = checkins(chat)[0]
    assert (row.status, row.mood, row.note) == ("answered", 4, "Had a good walk today")


def test_skip_is_fine_and_nobody_chases(chat: ChatHarness) -> None:
    planned(chat)
    tick(chat, MONDAY_TEN)
    assert chat.press_label("Skip")[0].text == "That is fine. Thank you."
    assert checkins(chat)[0].status == "skipped"
    later = [tick(chat, datetime(2027, 1, d, 10, tzinfo=UTC)) for d in (5, 6, 7, 8, 9, 10)]
    assert later == [[]] * 6, "no reminders, no chasers"


def test_an_unanswered_check_in_is_simply_left(chat: ChatHarness) -> None:
    planned(chat)
    tick(chat, MONDAY_TEN)
    assert tick(chat, datetime(2027, 1, 5, 10, tzinfo=UTC)) == []
    assert [c.status for c in checkins(chat)] == ["sent", "scheduled"]


def test_forged_and_stale_buttons_change_nothing(chat: ChatHarness) -> None:
    planned(chat, "u1")
    planned(chat, "u2")
    tick(chat, MONDAY_TEN)
    mine = checkins(chat)[0]
    assert mine.member_id == 1
    # another member's check-in: never offered to u2
    assert "expired" in chat.press(f"checkin:mood:{mine.id}:1", user="u2")[0].text
    # a mood we never offered
    assert "expired" in chat.press(f"checkin:mood:{mine.id}:9", user="u1")[0].text
    # an old check-in: a newer one has been sent since
    tick(chat, datetime(2027, 1, 11, 10, tzinfo=UTC))
    assert "closed" in chat.press(f"checkin:mood:{mine.id}:2", user="u1")[0].text
    assert checkins(chat)[0].mood is None
    # answering twice
    newest = max((c for c in checkins(chat) if c.member_id == 1 and c.sent_at),
                 key=lambda c: c.sent_at)  # type: ignore[arg-type, return-value]
    chat.press(f"checkin:mood:{newest.id}:5", user="u1")
    assert "closed" in chat.press(f"checkin:mood:{newest.id}:1", user="u1")[0].text
    with Session(chat.app.engine) as s:
        assert s.get(Checkin, newest.id).mood == 5  # type: ignore[union-attr]


def going_to_a_session(chat: ChatHarness, member_id: int) -> GroupSession:
    """`member_id` is in a group and has said they are going to its session on 20 January,
    so reminders for it are waiting."""
    with transaction(chat.app.engine) as s:
        group = ensure_group(s, "Panel")
        add_to_group(s, group, member_id)
        gs, _ = create_session(s, chat.app.i18n, title="Panel", mode="in_person",
                               starts_at=datetime(2027, 1, 20, 18, tzinfo=UTC),
                               timezone="Europe/London", place="Library", group_id=group.id,
                               now=datetime(2027, 1, 1, tzinfo=UTC))
        set_rsvp(s, chat.app.settings, gs, member_id, "going",
                 now=datetime(2027, 1, 1, tzinfo=UTC))
        return gs


def test_stop_during_a_check_in_cancels_all_future_check_ins_and_reminders(
        chat: ChatHarness) -> None:
    mid = planned(chat)
    gs = going_to_a_session(chat, mid)
    tick(chat, MONDAY_TEN)
    chat.press_label("Good")  # mid check-in: asked for a note
    assert "not send you any more messages" in chat.say("STOP")[0].text
    assert "I am a bot" in chat.say("a note after stop")[0].text, "the check-in is over"
    sent_after = []
    for day in range(5, 22):
        sent_after += tick(chat, datetime(2027, 1, day, 10, tzinfo=UTC))
        sent_after += tick(chat, datetime(2027, 1, day, 17, tzinfo=UTC))
        sent_after += tick(chat, datetime(2027, 1, day, 18, tzinfo=UTC))
    assert sent_after == []
    with Session(chat.app.engine) as s:
        future = s.exec(select(Checkin).where(col(Checkin.status).in_(["scheduled"]))).all()
        assert future == []
        assert {(c.status, c.reason) for c in s.exec(select(Checkin)).all()} >= {
            ("cancelled", "member_stopped")}
        reminders = s.exec(select(SessionReminder)).all()
        assert reminders and {(r.status, r.reason) for r in reminders} == {
            ("cancelled", "member_stopped")}
        assert s.get(GroupSession, gs.id) is not None
        assert s.get(Checkin, 1).note is None  # type: ignore[union-attr]


def test_the_stop_hook_cancels_check_ins_and_reminders_in_the_same_transaction(
        chat: ChatHarness) -> None:
    from bot.services.member_schedule import cancel_all

    mid = planned(chat)
    going_to_a_session(chat, mid)
    with transaction(chat.app.engine) as s:
        cancel_all(s, mid)
    with Session(chat.app.engine) as s:
        assert {c.status for c in s.exec(select(Checkin)).all()} == {"cancelled"}
        assert {r.status for r in s.exec(select(SessionReminder)).all()} == {"cancelled"}
