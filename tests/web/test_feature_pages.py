"""Feedback, alerts, payments and updates pages, through the features' own services."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.storage.feedback_models import FeedbackItem
from bot.storage.models import OutboxMessage
from bot.storage.safeguarding_models import SafeguardingAlert, SafeguardingNote
from tests.web.conftest import Clock, add_member, csrf_of
from tests.web.helpers import add_alert, add_feedback, add_payment


def outbox_for(app: BotApp, member_id: int) -> list[OutboxMessage]:
    with Session(app.engine) as db:
        return list(db.exec(select(OutboxMessage)
                            .where(col(OutboxMessage.member_id) == member_id)).all())


def test_feedback_filter_tag_and_close_the_loop(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    ana = add_member(app, "m1", name="Ana")
    cold = add_feedback(app, ana, "The room was cold", tags=["room"])
    add_feedback(app, None, "More breaks please")
    as_role("staff")
    page = web.get("/feedback", params={"tag": "room"})
    assert "The room was cold" in page.text and "More breaks" not in page.text
    words = web.get("/feedback", params={"q": "BREAKS"})
    assert "More breaks" in words.text and "room was cold" not in words.text
    token = csrf_of(page.text)
    tagged = web.post(f"/feedback/{cold}", data={"op": "tag", "tags": "Heating, #urgent",
                                                "csrf_token": token, "back": "tag=room"})
    assert tagged.status_code == 303 and tagged.headers["location"].startswith("/feedback?tag=room")
    closed = web.post(f"/feedback/{cold}", data={
        "op": "answer", "status": "did", "response": "We fixed the heating.",
        "csrf_token": token})
    assert closed.status_code == 303 and "done=saved" in closed.headers["location"]
    with Session(app.engine) as db:
        item = db.get(FeedbackItem, cold)
    assert item is not None and item.status == "did" and "heating" in item.tags
    told = [m.payload["text"] for m in outbox_for(app, ana)]
    assert any("We fixed the heating." in text for text in told)
    assert "We did it" in web.get("/feedback", params={"status": "did"}).text


def test_couldnt_needs_a_reason(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    item = add_feedback(app, None, "Meet on Saturdays")
    as_role("coordinator")
    token = csrf_of(web.get("/feedback").text)
    got = web.post(f"/feedback/{item}", data={"op": "answer", "status": "couldnt",
                                             "csrf_token": token})
    assert "done=problem" in got.headers["location"]
    with Session(app.engine) as db:
        assert db.get(FeedbackItem, item).status == "new"  # type: ignore[union-attr]


def test_feedback_csv_follows_the_filter_and_is_safe(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                     web: TestClient) -> None:
    add_feedback(app, None, "=HYPERLINK(\"x\")", tags=["a"])
    add_feedback(app, None, "other", tags=["b"])
    as_role("staff")
    got = web.get("/feedback.csv", params={"tag": "a"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == 1 and rows[0]["text"].startswith("'=")
    assert rows[0]["member_id"] == ""


def test_acknowledge_an_alert_then_note_and_close(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    person = add_member(app, "m1", name="Sam")
    alert = add_alert(app, person)
    lead = as_role("safeguarding")
    listing = web.get("/alerts")
    assert "Sam" in listing.text and "Not yet" in listing.text
    page = web.get(f"/alerts/{alert}")
    token = csrf_of(page.text)
    assert web.post(f"/alerts/{alert}", data={"op": "ack", "csrf_token": token}).status_code == 303
    told = [m.payload["text"] for m in outbox_for(app, person)]
    assert any("Someone from the team has seen your message" in text for text in told)
    web.post(f"/alerts/{alert}", data={"op": "note", "note": "Phoned Sam", "csrf_token": token})
    web.post(f"/alerts/{alert}", data={"op": "status", "status": "closed", "csrf_token": token})
    with Session(app.engine) as db:
        row = db.get(SafeguardingAlert, alert)
        notes = db.exec(select(SafeguardingNote)).all()
    assert row is not None and row.acknowledged_by == lead and row.status == "closed"
    assert row.next_escalation_at is None and row.closed_at is not None
    assert [n.text for n in notes] == ["Phoned Sam"]
    assert "Phoned Sam" in web.get(f"/alerts/{alert}").text


def test_finance_approves_and_pays(app: BotApp, as_role, web: TestClient, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    member = add_member(app, "m1", name="Jo")
    payment = add_payment(app, member, clock())
    as_role("finance")
    queue = web.get("/payments")
    assert "Jo" in queue.text and ">Approve<" in queue.text
    token = csrf_of(queue.text)
    assert web.post(f"/payments/{payment}", data={"op": "approve", "csrf_token": token,
                                                  "queue": "recorded"}).status_code == 303
    approved = web.get("/payments", params={"queue": "approved"})
    assert "Mark paid" in approved.text
    before = len(outbox_for(app, member))
    paid = web.post(f"/payments/{payment}", data={"op": "paid", "reference": "BACS-1",
                                                 "paid_on": clock().date().isoformat(),
                                                 "csrf_token": token})
    assert "done=saved" in paid.headers["location"]
    assert len(outbox_for(app, member)) == before + 1  # the member gets the breakdown
    waiting = web.get("/payments", params={"queue": "paid"})
    assert "Jo" in waiting.text and ">10<" in waiting.text  # days to paid
    ledger = web.get("/payments", params={"member": member})
    assert "Ledger for member" in ledger.text


def test_an_admin_without_finance_cannot_move_money(app: BotApp, as_role, web: TestClient,  # type: ignore[no-untyped-def]
                                                    clock: Clock) -> None:
    payment = add_payment(app, add_member(app, "m1"), clock())
    as_role("admin")
    page = web.get("/payments")
    assert page.status_code == 200 and ">Approve<" not in page.text
    got = web.post(f"/payments/{payment}", data={"op": "approve",
                                                "csrf_token": csrf_of(page.text)})
    assert got.status_code == 403


def test_updates_list_and_report(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    from bot.storage.broadcast_models import Broadcast
    from bot.storage.db import transaction

    with transaction(app.engine) as db:
        row = Broadcast(kind="learning", texts={"en": {"title": "Hello", "body": "News"},
                                                "cy": {"title": "Helo", "body": "Newyddion"}},
                        default_language="en", audience=["everyone"], status="queued")
        db.add(row)
        db.flush()
        number = row.id
    as_role("coordinator")
    assert "Hello" in web.get("/broadcasts").text
    report = web.get(f"/broadcasts/{number}")
    assert report.status_code == 200 and "Newyddion" in report.text
    assert "Delivery report by language" in report.text
