"""Anonymous answers can't be linked to the member: not by any table, column or log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select as table_select
from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from bot.app import BotApp
from bot.storage import load_all_models
from bot.storage.feedback_models import FeedbackItem
from bot.storage.models import InboxEvent, OutboxMessage
from tests.feedback.conftest import add_member, items
from tests.harness import ChatHarness

SECRET = "The facilitator ignored me 7731"


def every_row(app: BotApp) -> list[tuple[str, dict[str, Any]]]:
    """Every row of every table, as (table name, {column: value})."""
    load_all_models()
    found = []
    with Session(app.engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(table_select(table)).mappings():
                found.append((table.name, dict(row)))
    return found


def as_text(row: dict[str, Any]) -> str:
    return json.dumps(row, default=str, ensure_ascii=False)


def assert_unlinkable(app: BotApp, item: FeedbackItem, member_id: int, user: str,
                      secrets: list[str], logs: str) -> None:
    # The answer row: no member, no platform id, no time; just a date.
    assert item.anonymous and item.member_id is None and item.created_at is None
    assert isinstance(item.given_on, date) and item.responded_by is None
    assert user not in as_text(item.model_dump())
    for table, row in every_row(app):
        blob = as_text(row)
        is_the_item = table == "feedbackitem" and row["id"] == item.id
        # Nothing but the item itself holds the answer's words or the item id.
        if not is_the_item:
            assert not any(s in blob for s in secrets), f"{table} holds the answer: {blob}"
            assert str(item.id) not in blob, f"{table} points at the answer: {blob}"
    assert not any(s in logs for s in secrets) and str(item.id) not in logs


def test_anonymous_words_leave_no_trail(app: BotApp, chat: ChatHarness,
                                        ask: Callable[..., int],
                                        caplog: pytest.LogCaptureFixture) -> None:
    member_id = add_member(app, "u1")
    ask("text", anonymous=True)
    question = chat.sender.sent[-1][1].text
    assert "Staff will see the answers, but not who gave them" in question
    caplog.set_level(logging.DEBUG)
    chat.press_label("Answer")
    reply = chat.say(SECRET)
    assert reply[0].text == "Thank you. Your answer is saved without your name."
    [item] = items(app)
    assert item.text == SECRET
    assert_unlinkable(app, item, member_id, "u1", [SECRET, "ignored me"], caplog.text)
    with Session(app.engine) as session:
        event = session.exec(select(InboxEvent).order_by(col(InboxEvent.id).desc())).first()
        assert event is not None and event.payload == {"scrubbed": True}
        confirmation = session.exec(
            select(OutboxMessage).where(OutboxMessage.source_event_id == event.id)).all()
        assert [SECRET not in c.payload["text"] for c in confirmation] == [True]


def test_anonymous_tap_leaves_no_trail(app: BotApp, chat: ChatHarness,
                                       ask: Callable[..., int],
                                       caplog: pytest.LogCaptureFixture) -> None:
    member_id = add_member(app, "u1")
    add_member(app, "u2")
    request_id = ask("choice", ["Too long", "Just right", "Too short"], anonymous=True)
    caplog.set_level(logging.DEBUG)
    reply = chat.press_label("Too short")
    assert reply[0].text == "Thank you. Your answer is saved without your name."
    [item] = items(app)
    assert item.choice == 2
    action = f"fb:c:{request_id}:2"
    for table, row in every_row(app):
        blob = as_text(row)
        if table == "inboxevent":
            assert action not in blob, "the pressed option was scrubbed"
        if table == "outboxmessage" and row["source_event_id"] is not None:
            assert "Too short" not in blob, "the confirmation does not repeat the answer"
    # The question we offered lists every option, so the option itself is no secret.
    assert_unlinkable(app, item, member_id, "u1", [], caplog.text)
    assert action not in caplog.text


def test_anonymous_rating_comment_is_kept_apart_from_the_rating(
        app: BotApp, chat: ChatHarness, ask: Callable[..., int]) -> None:
    member_id = add_member(app, "u1")
    ask("rating_comment", anonymous=True)
    reply = chat.press_label("2 Bad")
    assert "not your name" in reply[0].text
    chat.say(SECRET)
    rating, comment = sorted(items(app), key=lambda i: i.kind, reverse=True)
    assert (rating.kind, rating.rating, rating.text) == ("rating", 2, None)
    assert (comment.kind, comment.rating, comment.text) == ("comment", None, SECRET)
    assert_unlinkable(app, rating, member_id, "u1", [], "")
    assert_unlinkable(app, comment, member_id, "u1", [SECRET], "")


def test_anonymous_free_feedback_with_the_words_typed_after_the_command(
        app: BotApp, chat: ChatHarness) -> None:
    member_id = add_member(app, "u1")
    reply = chat.say(f"/feedback {SECRET}")
    assert "Do you want your name on it?" in reply[0].text
    saved = chat.press_label("Without my name")
    assert "saved without your name" in saved[0].text
    [item] = items(app)
    assert item.text == SECRET and item.kind == "free"
    assert_unlinkable(app, item, member_id, "u1", [SECRET], "")


def test_ids_give_nothing_away(app: BotApp, chat: ChatHarness, ask: Callable[..., int]) -> None:
    """Random ids; on SQLite the id is the rowid; on PostgreSQL the rows are mixed."""
    users = [f"u{n}" for n in range(1, 5)]
    for user in users:
        add_member(app, user)
    ask("choice", ["Yes", "No"], anonymous=True)
    for user in users:
        chat.press_label("Yes", user=user)
    found = items(app)
    assert len(found) == 4 and len({i.id for i in found}) == 4
    with Session(app.engine) as session:
        if app.engine.dialect.name == "sqlite":
            pairs = session.execute(text("SELECT rowid, id FROM feedbackitem")).all()
            assert all(rowid == item_id for rowid, item_id in pairs)
        else:
            item_xids = {r[0] for r in session.execute(text("SELECT xmin::text FROM feedbackitem"))}
            assert len(item_xids) == 1, "all of the day's answers carry one transaction id"
            marker_xids = [r[0] for r in session.execute(
                text("SELECT xmin::text FROM feedbackanswered ORDER BY member_id"))]
            assert set(marker_xids[:-1]).isdisjoint(item_xids)


def test_erasure_removes_named_feedback_and_cannot_find_anonymous(app: BotApp,
                                                                  chat: ChatHarness) -> None:
    privacy = pytest.importorskip("bot.privacy")
    member_id = add_member(app, "u1")
    chat.say("/feedback mine, with my name")
    chat.press_label("With my name")
    chat.say("/feedback mine, without my name")
    chat.press_label("Without my name")
    with Session(app.engine) as session:
        mine = privacy.member_data(session, member_id)["tables"]["feedbackitem"]
        assert [row["text"] for row in mine] == ["mine, with my name"]
    with Session(app.engine) as session:
        privacy.erase_member(session, member_id, default_language="en",
                             default_timezone="Europe/London", channel="test", version="t")
        session.commit()
    assert [i.text for i in items(app)] == ["mine, without my name"]
