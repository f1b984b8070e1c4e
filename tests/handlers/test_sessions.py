"""Sessions in chat and on the command line: create, invite, RSVP, cancel; the export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.storage.session_models import GroupSession, SessionReminder, SessionRsvp
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member, tick


def test_a_coordinator_plans_a_session_in_chat_and_members_answer(chat: ChatHarness) -> None:
    add_member(chat.app, "coord", roles=("coordinator",))
    add_member(chat.app, "u1", tz="Asia/Karachi", quiet=(None, None))
    assert "What is it called" in chat.say("/session_new", user="coord")[0].text
    assert "When does it start" in chat.say("Housing panel", user="coord")[0].text
    assert "future date" in chat.say("2020-01-01 18:00", user="coord")[0].text
    assert "online or in person" in chat.say("2027-12-01 18:00", user="coord")[0].text
    assert "Where is it" in chat.press_label("In person", user="coord")[0].text
    chat.say("Town hall, 1 High Street", user="coord")
    chat.say("Step-free entrance on Mill Lane", user="coord")
    group_question = chat.press_label("Skip", user="coord")[0]
    assert "Which project group" in group_question.text
    preview = chat.press_label("Everyone", user="coord")[0].text
    assert "Town hall" in preview and "Step-free" in preview and "18:00" in preview
    chat.press_label("Create and invite", user="coord")
    assert "I have invited 2 people." in chat.texts("coord")[-1]
    invite = [t for t in chat.texts("u1") if "You are invited" in t][-1]
    assert "23:00" in invite, "the invite shows the member's own time (Karachi)"
    reply = chat.press_label("Going", user="u1")[0].text
    assert "put you down as: Going" in reply
    with Session(chat.app.engine) as s:
        gs = s.exec(select(GroupSession)).one()
        assert (gs.title, gs.mode, gs.starts_at) == (
            "Housing panel", "in_person", datetime(2027, 12, 1, 18, tzinfo=UTC))
        assert len(s.exec(select(SessionReminder)).all()) == 2
    listing = chat.say("/sessions", user="u1")[0]
    assert "Housing panel" in listing.text and "Your answer: Going" in listing.text
    chat.press_label("Can't", user="u1")
    with Session(chat.app.engine) as s:
        assert s.exec(select(SessionRsvp)).one().answer == "cant"
        assert {r.status for r in s.exec(select(SessionReminder)).all()} == {"cancelled"}


def test_members_cannot_plan_sessions(chat: ChatHarness) -> None:
    add_member(chat.app, "u1")
    assert "only for the team" in chat.say("/session_new", user="u1")[0].text
    assert "expired" in chat.press("snew:create", user="u1")[0].text


def test_a_cancelled_session_takes_no_answers(chat: ChatHarness) -> None:
    add_member(chat.app, "coord", roles=("coordinator",))
    add_member(chat.app, "u1", quiet=(None, None))  # the test may run at night
    chat.say("/session_new", user="coord")
    chat.say("Walk and talk", user="coord")
    chat.say("2027-12-01 11:00", user="coord")
    chat.press_label("Online", user="coord")
    assert "https://" in chat.say("not a link", user="coord")[0].text
    chat.say("https://meet.example.org/walk", user="coord")
    chat.press_label("Skip", user="coord")
    chat.press_label("Everyone", user="coord")
    chat.press_label("Create and invite", user="coord")
    chat.press_label("Going", user="u1")
    chat.say("/session_cancel 1", user="coord")
    assert "Walk and talk is cancelled. I have told 1 person." == chat.texts("coord")[-1]
    assert "Sorry, Walk and talk on Wednesday 1 December at 11:00 is cancelled." == (
        chat.texts("u1")[-1]), "everyone who answered is told"
    assert "no longer open" in chat.press("rsvp:1:going", user="u1")[0].text


def test_a_new_plan_keeps_nothing_from_an_unfinished_one(chat: ChatHarness) -> None:
    """Regression: /session_new again kept the first plan's answers, so a skipped
    "what to prepare" was saved with the words from the plan given up on."""
    add_member(chat.app, "coord", roles=("coordinator",))
    chat.say("/session_new", user="coord")
    chat.say("Walk and talk", user="coord")
    chat.say("2027-12-01 11:00", user="coord")
    chat.press_label("In person", user="coord")
    chat.say("Old hall", user="coord")
    chat.say("Lift at the back", user="coord")
    chat.say("Bring your walking shoes", user="coord")  # then given up
    chat.say("/session_new", user="coord")
    chat.say("Housing panel", user="coord")
    chat.say("2027-12-02 18:00", user="coord")
    chat.press_label("In person", user="coord")
    chat.say("Town hall", user="coord")
    chat.press_label("Skip", user="coord")
    chat.press_label("Skip", user="coord")
    preview = chat.press_label("Everyone", user="coord")[0].text
    assert "walking shoes" not in preview and "Lift" not in preview
    chat.press_label("Create and invite", user="coord")
    with Session(chat.app.engine) as s:
        gs = s.exec(select(GroupSession)).one()
        assert (gs.title, gs.place, gs.access_info, gs.prepare) == (
            "Housing panel", "Town hall", None, None)


def test_a_second_tap_on_skip_does_not_skip_the_next_question(chat: ChatHarness) -> None:
    """Regression: both Skip buttons had one action, so a double tap on the access
    question's Skip also skipped "what to prepare"."""
    add_member(chat.app, "coord", roles=("coordinator",))
    chat.say("/session_new", user="coord")
    chat.say("Housing panel", user="coord")
    chat.say("2027-12-02 18:00", user="coord")
    chat.press_label("In person", user="coord")
    skip_access = chat.say("Town hall", user="coord")[0].actions()[0]
    assert "prepare" in chat.press(skip_access, user="coord")[0].text
    assert "expired" in chat.press(skip_access, user="coord")[0].text
    group_question = chat.say("Read page 2", user="coord")[0].text
    assert "Which project group" in group_question
    preview = chat.press_label("Everyone", user="coord")[0].text
    assert "Read page 2" in preview


def test_sessions_from_the_command_line(chat: ChatHarness, run_cli) -> None:  # type: ignore[no-untyped-def]
    add_member(chat.app, "u1", quiet=(None, None))  # the test may run at night
    add_member(chat.app, "u2")
    code, out, _ = run_cli("sessions", "group-add", "Housing panel", "test:u1")
    assert code == 0 and "added to Housing panel" in out
    code, out, err = run_cli("sessions", "create", "--title", "Budget review",
                             "--at", "2027-12-01 18:00", "--tz", "Europe/London",
                             "--online", "https://meet.example.org/b", "--prepare",
                             "Read page 2", "--group", "Housing panel")
    assert code == 0, err
    assert "1 invites queued" in out
    assert any("Budget review" in t for t in [m.text for _, m in tick(chat, datetime.now(UTC))])
    code, out, _ = run_cli("sessions", "list")
    assert "Budget review" in out and "Housing panel" in out
    code, _, err = run_cli("sessions", "create", "--title", "x", "--at", "tomorrow",
                           "--place", "Hall")
    assert code == 2 and "YYYY-MM-DD" in err
    code, out, _ = run_cli("sessions", "cancel", "1")
    assert code == 0 and "cancelled" in out


def test_checkins_export_has_summary_and_per_member_rows(chat: ChatHarness, run_cli) -> None:  # type: ignore[no-untyped-def]
    from bot.services.checkins import set_plan
    from bot.storage.db import transaction

    for n in range(6):
        mid = add_member(chat.app, f"m{n}")
        with transaction(chat.app.engine) as s:
            set_plan(s, mid, "weekly", 0, "10:00", now=datetime(2027, 1, 1, tzinfo=UTC))
    tick(chat, datetime(2027, 1, 4, 10, tzinfo=UTC))
    for n in range(5):
        chat.press_label("Good" if n else "Very good", user=f"m{n}")
    chat.press_label("Skip", user="m5")
    code, out, _ = run_cli("export", "checkins", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    summary = [r for r in rows if r["row_type"] == "summary"]
    responses = [r for r in rows if r["row_type"] == "response"]
    assert code == 0 and len(responses) == 6
    whole = [r for r in summary if r["period"] == "all"][0]
    assert (whole["sent"], whole["answered"], whole["skipped"]) == ("6", "5", "1")
    assert whole["average_mood"] == "4.2" and whole["response_rate"] == "0.833"
    assert {r["mood_word"] for r in responses} == {"Good", "Very good", ""}
    code, out, _ = run_cli("export", "checkins", "--format", "csv", "--from", "2027-02-01")
    assert len(out.strip().splitlines()) == 1, "filters apply"
