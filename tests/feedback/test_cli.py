"""`copro-bot feedback ...` and `copro-bot export feedback` with each filter."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.feedback.answers import give_feedback, record_answer
from bot.feedback.requests import create_request
from bot.feedback.review import answer_item, tag_item
from bot.storage.db import transaction
from bot.storage.feedback_models import FeedbackRequest
from bot.storage.models import OutboxMessage
from tests.feedback.conftest import add_member

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(app: BotApp, run_cli: Run) -> Run:
    """The shared `run_cli`, on a database the `app` fixture has migrated."""
    return run_cli




def day(n: int) -> datetime:
    return datetime(2026, 3, n, 12, tzinfo=UTC)


@pytest.fixture
def stored(app: BotApp) -> dict[str, int]:
    """Named items over four days: two answers to request A (session 7), two free items."""
    member_id = add_member(app, "u1")
    other = add_member(app, "u2")
    with transaction(app.engine) as session:
        req = create_request(session, "choice", "Venue?", ["Hall", "Cafe"], session_id=7)
        req.status = "open"
        assert req.id is not None
        record_answer(session, req, member_id, day(2), choice=1)
        record_answer(session, req, other, day(3), choice=0)
        first = give_feedback(session, member_id, "=cmd() more chairs", day(4), anonymous=False)
        second = give_feedback(session, other, "quieter room", day(5), anonymous=False)
        assert first is not None and second is not None
        tag_item(session, first, ["rooms"])
        tag_item(session, second, ["rooms", "noise"])
        answer_item(session, second, None, day(5), app.i18n, status="did")
        return {"request": req.id, "first": first.id, "second": second.id}


def rows(run_cli: Run, *filters: str) -> list[dict[str, str]]:
    code, out, err = run_cli("export", "feedback", "--format", "csv", *filters)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_export_each_filter(run_cli: Run, stored: dict[str, int]) -> None:
    everything = rows(run_cli)
    assert [r["date"] for r in everything] == ["2026-03-02", "2026-03-03", "2026-03-04",
                                               "2026-03-05"]
    assert everything[0]["answer"] == "Cafe" and everything[0]["question"] == "Venue?"
    assert everything[2]["text"] == "'=cmd() more chairs", "no spreadsheet formulas"
    assert len(rows(run_cli, "--from", "2026-03-03", "--to", "2026-03-04")) == 2
    assert {r["answer"] for r in rows(run_cli, "--request", str(stored["request"]))} == {
        "Hall", "Cafe"}
    assert len(rows(run_cli, "--session", "7")) == 2
    assert len(rows(run_cli, "--session", "8")) == 0
    assert [r["item_id"] for r in rows(run_cli, "--tag", "noise")] == [str(stored["second"])]
    assert len(rows(run_cli, "--tag", "#Rooms")) == 2
    assert [r["status"] for r in rows(run_cli, "--status", "did")] == ["did"]
    assert len(rows(run_cli, "--status", "new", "--tag", "rooms")) == 1


def test_export_bad_filters_are_clear_errors(run_cli: Run, stored: dict[str, int]) -> None:
    for bad in (("--from", "March"), ("--request", "abc"), ("--status", "maybe")):
        code, _, err = run_cli("export", "feedback", *bad)
        assert code == 2 and "copro-bot:" in err


def test_anonymous_rows_have_no_member_and_wait_for_5(run_cli: Run, app: BotApp) -> None:
    ids = [add_member(app, f"m{n}") for n in range(5)]
    with transaction(app.engine) as session:
        req = create_request(session, "rating", "Rate it", anonymous=True)
        req.status = "open"
        for member_id in ids[:4]:
            record_answer(session, req, member_id, day(9), rating=4)
    assert rows(run_cli) == []
    with transaction(app.engine) as session:
        req = session.exec(select(FeedbackRequest)).one()
        record_answer(session, req, ids[4], day(9), rating=2)
    found = rows(run_cli)
    assert len(found) == 5
    assert all(r["member_id"] == "" and r["anonymous"] == "yes" for r in found)
    assert all(r["responded_at"] == "" for r in found)


def test_create_send_close_and_answer_from_the_cli(run_cli: Run, app: BotApp) -> None:
    add_member(app, "u1", language="cy")
    add_member(app, "u2")
    code, out, _ = run_cli("feedback", "create", "--kind", "choice", "--question", "Tea?",
                           "--option", "Yes", "--option", "No", "--anonymous")
    assert code == 0 and "Created feedback request 1" in out
    code, _, err = run_cli("feedback", "create", "--kind", "choice", "--question", "Tea?",
                           "--option", "Yes")
    assert code == 2 and "2 to 6 options" in err
    code, out, _ = run_cli("feedback", "send", "1", "--audience", "language:cy")
    assert "queued for 1 members" in out
    assert run_cli("feedback", "send", "1", "--audience", "planet:mars")[0] == 2
    assert "fewer than 5 answers" in run_cli("feedback", "results", "1")[1]
    assert "closed" in run_cli("feedback", "close", "1")[1]
    with Session(app.engine) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 1
    with transaction(app.engine) as session:
        item = give_feedback(session, 2, "Can we have Welsh cakes?", day(3), anonymous=False)
        assert item is not None
        item_id = item.id
    assert "tags: baking" in run_cli("feedback", "tag", str(item_id), "Baking")[1]
    assert run_cli("feedback", "status", str(item_id), "couldnt")[0] == 2
    out = run_cli("feedback", "respond", str(item_id), "Yes, next time!")[1]
    assert "The author will get a message." in out
