"""Sending requests: audiences, quiet hours, and the automatic send after a session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.app import BotApp
from bot.feedback.requests import (
    audience_members,
    create_request,
    send_due_session_feedback,
    send_request,
)
from bot.storage.db import transaction
from bot.storage.feedback_models import FeedbackRequest
from bot.storage.models import Member, OutboxMessage
from tests.feedback.conftest import add_member
from tests.harness import ChatHarness

models = pytest.importorskip("bot.storage.session_models")


def outbox(app: BotApp) -> list[OutboxMessage]:
    with Session(app.engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def audience(app: BotApp, spec: str) -> list[int]:
    with Session(app.engine) as session:
        return [m.id for m in audience_members(session, spec) if m.id is not None]


def test_audiences(app: BotApp) -> None:
    en = add_member(app, "en1")
    cy = add_member(app, "cy1", language="cy")
    staff = add_member(app, "s1", roles=("staff",))
    admin = add_member(app, "a1", roles=("admin",))
    gone = add_member(app, "gone")
    with transaction(app.engine) as session:
        member = session.get(Member, gone)
        assert member is not None
        member.status = "stopped"
        group = models.ProjectGroup(name="Housing panel")
        session.add(group)
        session.flush()
        session.add(models.GroupMember(group_id=group.id, member_id=cy))
    assert audience(app, "everyone") == [en, cy, staff, admin]
    assert audience(app, "role:staff") == [staff, admin]
    assert audience(app, "language:cy") == [cy]
    assert audience(app, "group:Housing panel") == [cy] == audience(app, f"group:{group.id}")
    for bad in ("all", "role:king", "group:", "language:"):
        with pytest.raises(ValueError):
            audience(app, bad)
    with pytest.raises(LookupError):
        audience(app, "group:Nowhere")


def test_a_group_id_too_big_or_in_odd_digits_is_simply_not_found(app: BotApp) -> None:
    for odd in ("99999999999999999999", "²", "٣"):
        with pytest.raises(LookupError, match="no project group"):
            audience(app, f"group:{odd}")


def test_requests_wait_for_the_end_of_quiet_hours(app: BotApp) -> None:
    add_member(app, "night", quiet=True)  # 21:00-08:00 London
    night = datetime(2026, 6, 1, 22, 0, tzinfo=UTC)  # 23:00 BST
    with transaction(app.engine) as session:
        request = create_request(session, "rating", "How was it?")
        assert send_request(session, request, audience_members(session, "everyone"),
                            app.i18n, app.settings, now=night) == 1
    [row] = outbox(app)
    assert row.not_before == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    assert row.source_event_id is None


def test_each_member_gets_the_framing_in_their_language(app: BotApp) -> None:
    add_member(app, "cy1", language="cy")
    with transaction(app.engine) as session:
        request = create_request(session, "choice", "Te neu goffi?", ["Te", "Coffi"])
        send_request(session, request, audience_members(session, "everyone"), app.i18n,
                     app.settings)
        assert request.status == "open" and request.sent_at is not None
    [row] = outbox(app)
    assert "Te neu goffi?" in row.payload["text"]
    expected = app.i18n.translator("cy").gettext("A quick question from the team:")
    assert row.payload["text"].startswith(expected)


def make_session(app: BotApp, starts_at: datetime, rsvps: dict[int, str]) -> int:
    with transaction(app.engine) as session:
        found = models.GroupSession(title="Planning day", starts_at=starts_at,
                                    timezone="Europe/London", mode="online")
        session.add(found)
        session.flush()
        for member_id, answer in rsvps.items():
            session.add(models.SessionRsvp(session_id=found.id, member_id=member_id,
                                           answer=answer))
        return int(found.id)


def test_session_feedback_goes_to_attendees_after_the_delay(app: BotApp) -> None:
    going, maybe, cant = (add_member(app, u) for u in ("going", "maybe", "cant"))
    starts = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    session_id = make_session(app, starts, {going: "going", maybe: "maybe", cant: "cant"})
    with transaction(app.engine) as session:
        create_request(session, "rating_comment", "How was the planning day?",
                       session_id=session_id, auto_send=True)
        create_request(session, "rating", "Not automatic", session_id=session_id)
    hour = app.settings.model_copy(update={"feedback_session_delay_minutes": 60})
    # The session counts as 2 hours long (no end is stored), then the delay of 1 hour.
    assert send_due_session_feedback(app, starts + timedelta(hours=2, minutes=59),
                                     settings=hour) == 0
    assert send_due_session_feedback(app, starts + timedelta(hours=3), settings=hour) == 1
    assert [r.member_id for r in outbox(app)] == [going]
    assert send_due_session_feedback(app.engine, starts + timedelta(days=1),
                                     settings=app.settings, i18n=app.i18n) == 0
    with Session(app.engine) as session:
        statuses = [r.status for r in session.exec(select(FeedbackRequest)).all()]
    assert sorted(statuses) == ["draft", "open"]


def test_unknown_session_sends_nothing(app: BotApp) -> None:
    add_member(app, "u1")
    with transaction(app.engine) as session:
        create_request(session, "rating", "How was it?", session_id=999, auto_send=True)
    assert send_due_session_feedback(app, datetime(2030, 1, 1, tzinfo=UTC)) == 0
    assert outbox(app) == []


def test_feedback_about_a_recent_session_or_group(app: BotApp, chat: ChatHarness) -> None:
    member_id = add_member(app, "u1")
    session_id = make_session(app, datetime.now(UTC) - timedelta(days=2), {member_id: "going"})
    chat.say("/feedback")
    about = chat.press_label("With my name")[0]
    assert [b.label for row in about.buttons for b in row] == ["Planning day", "Something else"]
    chat.press_label("Planning day")
    chat.say("Great day")
    with Session(app.engine) as session:
        from bot.storage.feedback_models import FeedbackItem

        [item] = session.exec(select(FeedbackItem)).all()
        assert item.session_id == session_id
    assert "expired" in chat.press(f"fb:about:s:{session_id}")[0].text
