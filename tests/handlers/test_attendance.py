"""Attendance: feedback goes to who came once it is saved, and /mydata and erasure cover it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.app import BotApp
from bot.feedback.links import session_info
from bot.feedback.requests import create_request, send_due_session_feedback
from bot.privacy import erase_member, member_data
from bot.services import attendance
from bot.storage.db import transaction
from bot.storage.models import OutboxMessage
from bot.storage.session_models import GroupSession, SessionAttendance, SessionRsvp
from tests.feedback.conftest import add_member

STARTS = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def make_session(app: BotApp, rsvps: dict[int, str], starts_at: datetime = STARTS,
                 **extra: object) -> int:
    with transaction(app.engine) as db:
        gs = GroupSession(title="Planning day", starts_at=starts_at, timezone="Europe/London",
                          mode="online", **extra)
        db.add(gs)
        db.flush()
        for member_id, answer in rsvps.items():
            db.add(SessionRsvp(session_id=gs.id, member_id=member_id, answer=answer))
        assert gs.id is not None
        return gs.id


def mark(app: BotApp, session_id: int, came: list[int], now: datetime) -> attendance.Saved:
    with transaction(app.engine) as db:
        gs = db.get(GroupSession, session_id)
        assert gs is not None
        return attendance.record(db, gs, came, None, now)


def sent_to(app: BotApp) -> list[int | None]:
    with Session(app.engine) as db:
        return [r.member_id for r in db.exec(select(OutboxMessage)
                                             .order_by(col(OutboxMessage.id))).all()]


def ask_after(app: BotApp, session_id: int) -> int:
    with transaction(app.engine) as db:
        create_request(db, "rating", "How was it?", session_id=session_id, auto_send=True)
    return send_due_session_feedback(app, STARTS + timedelta(days=1))


def test_feedback_goes_to_those_marked_as_came_not_to_going(app: BotApp) -> None:
    going, maybe = add_member(app, "going"), add_member(app, "maybe")
    gs = make_session(app, {going: "going", maybe: "maybe"})
    saved = mark(app, gs, [maybe], STARTS + timedelta(minutes=5))
    assert (saved.came, saved.marked, sorted(saved.changed)) == (1, 2, sorted([going, maybe]))
    assert ask_after(app, gs) == 1
    assert sent_to(app) == [maybe]


def test_without_a_record_feedback_still_goes_to_going(app: BotApp) -> None:
    going, maybe = add_member(app, "going"), add_member(app, "maybe")
    gs = make_session(app, {going: "going", maybe: "maybe"})
    assert ask_after(app, gs) == 1
    assert sent_to(app) == [going]


def test_a_record_where_nobody_came_sends_to_nobody(app: BotApp) -> None:
    going = add_member(app, "going")
    gs = make_session(app, {going: "going"})
    mark(app, gs, [], STARTS + timedelta(hours=1))
    with Session(app.engine) as db:
        info = session_info(db, gs)
    assert info is not None and info.attendees == []
    ask_after(app, gs)
    assert sent_to(app) == []


def test_saving_twice_changes_only_what_changed(app: BotApp) -> None:
    a, b = add_member(app, "a"), add_member(app, "b")
    gs = make_session(app, {a: "going", b: "cant"})
    mark(app, gs, [a], STARTS)
    again = mark(app, gs, [a, b], STARTS + timedelta(hours=1))
    assert again.changed == [b]
    with Session(app.engine) as db:
        assert attendance.attended(db, gs) == sorted([a, b])
        assert attendance.came_counts(db, [gs, 987_654]) == {gs: 2}


def test_refusals_write_nothing(app: BotApp) -> None:
    a, stranger = add_member(app, "a"), add_member(app, "stranger")
    gs = make_session(app, {a: "going"})
    with pytest.raises(attendance.NotStartedError):
        mark(app, gs, [a], STARTS - timedelta(seconds=1))
    with pytest.raises(attendance.NotInvitedError):
        mark(app, gs, [a, stranger], STARTS)
    off = make_session(app, {a: "going"}, status="cancelled")
    with pytest.raises(attendance.NotStartedError):
        mark(app, off, [a], STARTS + timedelta(days=1))
    with Session(app.engine) as db:
        assert db.exec(select(SessionAttendance)).all() == []
        assert attendance.attended(db, gs) is None


def test_mydata_lists_attendance_and_erasure_removes_it(app: BotApp) -> None:
    a, b = add_member(app, "a"), add_member(app, "b")
    gs = make_session(app, {a: "going", b: "going"})
    mark(app, gs, [a, b], STARTS)
    with Session(app.engine) as db:
        rows = member_data(db, a)["tables"]["sessionattendance"]
    assert [(r["session_id"], r["attended"]) for r in rows] == [(gs, True)]
    with transaction(app.engine) as db:
        erase_member(db, a, default_language="en", default_timezone="Europe/London",
                     channel="test", version="v1")
    with Session(app.engine) as db:
        left = db.exec(select(SessionAttendance.member_id)).all()
        assert list(left) == [b]
        assert attendance.attended(db, gs) == [b]


def test_attendance_from_the_command_line(app: BotApp, run_cli) -> None:  # type: ignore[no-untyped-def]
    a, b = add_member(app, "u1"), add_member(app, "u2")
    stranger = add_member(app, "u3")
    gs = make_session(app, {a: "going", b: "maybe"})
    code, out, err = run_cli("sessions", "attendance", str(gs), "--came", "test:u2")
    assert code == 0, err
    assert f"Session {gs}: 1 of 2 came." in out
    code, _, err = run_cli("sessions", "attendance", str(gs), "--came", "test:nobody")
    assert code == 2 and "nobody is known" in err
    code, _, err = run_cli("sessions", "attendance", str(gs), "--came", "test:u3")
    assert code == 2 and "not invited" in err
    code, _, err = run_cli("sessions", "attendance", "987654")
    assert code == 2
    with Session(app.engine) as db:
        assert attendance.recorded(db, gs) == {a: False, b: True}
        assert stranger not in attendance.recorded(db, gs)
    later = make_session(app, {a: "going"}, starts_at=datetime.now(UTC) + timedelta(days=3))
    code, _, err = run_cli("sessions", "attendance", str(later), "--came", "test:u1")
    assert code == 2 and "not started" in err


def test_feedback_offers_a_session_someone_came_to_without_answering(app: BotApp) -> None:
    from bot.feedback.links import member_links
    from bot.storage.session_models import GroupMember, ProjectGroup

    quiet, noshow = add_member(app, "quiet"), add_member(app, "noshow")
    with transaction(app.engine) as db:
        group = ProjectGroup(name="Walkers")
        db.add(group)
        db.flush()
        assert group.id is not None
        db.add(GroupMember(group_id=group.id, member_id=quiet))
        group_id = group.id
    gs = make_session(app, {noshow: "cant"}, group_id=group_id)
    later = STARTS + timedelta(days=1)
    with Session(app.engine) as db:
        assert [k for k, *_ in member_links(db, quiet, later)] == ["project"]
    mark(app, gs, [quiet], STARTS)
    with Session(app.engine) as db:
        assert ("session", gs, "Planning day") in member_links(db, quiet, later)
        assert member_links(db, noshow, later) == []


def test_two_staff_saving_at_once_both_succeed(app: BotApp) -> None:
    """Regression: two first saves at once both inserted rows, and the second
    failed on a duplicate. Now the second waits, then updates the first's rows."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    a, b = add_member(app, "a"), add_member(app, "b")
    gs = make_session(app, {a: "going", b: "going"})
    first_saved, commit_first = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with transaction(app.engine) as db:
            found = db.get(GroupSession, gs)
            assert found is not None
            attendance.record(db, found, [a], None, STARTS)
            first_saved.set()
            commit_first.wait(10)

    def second() -> None:
        try:
            outcome["saved"] = mark(app, gs, [a, b], STARTS)
        except Exception as exc:  # the bug: IntegrityError on the duplicate row
            outcome["error"] = exc

    one = threading.Thread(target=first)
    one.start()
    assert first_saved.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second save waits for the first"
    commit_first.set()
    one.join(10)
    two.join(10)
    assert "error" not in outcome, outcome
    saved = outcome["saved"]
    assert isinstance(saved, attendance.Saved) and saved.changed == [b]
    with Session(app.engine) as db:
        assert attendance.attended(db, gs) == sorted([a, b])
