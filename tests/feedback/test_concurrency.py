"""Two processes at once: a double tap counts once, and mixing never deadlocks (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.feedback.answers import give_feedback, record_answer
from bot.feedback.requests import create_request
from bot.storage.db import transaction
from bot.storage.feedback_models import FeedbackItem, FeedbackRequest
from bot.storage.models import utcnow
from tests.feedback.conftest import add_member


@pytest.fixture
def pg(app: BotApp) -> BotApp:
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    return app


def test_simultaneous_double_tap_counts_once(pg: BotApp) -> None:
    member_id = add_member(pg, "u1")
    with transaction(pg.engine) as session:
        request = create_request(session, "choice", "Pick", ["a", "b"], anonymous=True)
        request.status = "open"
        request_id = request.id
    outcomes: list[str] = []
    first = Session(pg.engine)
    req = first.get(FeedbackRequest, request_id)
    outcomes.append(record_answer(first, req, member_id, utcnow(), choice=0))

    def second_process() -> None:
        with Session(pg.engine) as other:
            again = other.get(FeedbackRequest, request_id)
            outcomes.append(record_answer(other, again, member_id, utcnow(), choice=1))
            other.commit()

    thread = threading.Thread(target=second_process)
    thread.start()
    thread.join(timeout=0.5)
    assert thread.is_alive(), "the second tap waits for the first to commit"
    first.commit()
    first.close()
    thread.join(timeout=10)
    assert outcomes == ["saved", "already"]
    with Session(pg.engine) as session:
        assert len(session.exec(select(FeedbackItem)).all()) == 1


def test_simultaneous_anonymous_feedback_does_not_deadlock(pg: BotApp) -> None:
    ids = [add_member(pg, f"u{n}") for n in range(6)]
    with transaction(pg.engine) as session:
        for member_id in ids[:4]:
            give_feedback(session, member_id, "earlier", utcnow(), anonymous=True)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def one(member_id: int) -> None:
        try:
            start.wait()
            with transaction(pg.engine) as session:
                give_feedback(session, member_id, "now", utcnow(), anonymous=True)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(m,)) for m in ids[4:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    with Session(pg.engine) as session:
        assert len(session.exec(select(FeedbackItem)).all()) == 6
