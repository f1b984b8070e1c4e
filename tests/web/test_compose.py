"""Writing an update on the web: compose, preview per language, send or schedule, report."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.broadcasts.fanout import resume_unfinished
from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
from bot.storage.dashboard_models import DashboardAuditLog
from bot.storage.db import transaction
from bot.storage.models import Member, OutboxMessage
from bot.web.dashboard import pages_compose
from tests.web.conftest import Clock, add_member, csrf_of

FORM = {"kind": "learning", "audience": "everyone", "title_en": "Warmer room",
        "body_en": "You said the room was cold. We got a heater.",
        "title_cy": "Ystafell gynhesach", "body_cy": "Dywedoch fod yr ystafell yn oer."}


def compose(web: TestClient, **changes: object) -> tuple[int, str, str]:
    """Post the compose form; returns (status, location, body)."""
    token = csrf_of(web.get("/broadcasts/new").text)
    data = {**FORM, **changes, "csrf_token": token}
    got = web.post("/broadcasts/new", data={k: v for k, v in data.items() if v is not None})
    return got.status_code, got.headers.get("location", ""), got.text


def broadcasts(app: BotApp) -> list[Broadcast]:
    with Session(app.engine) as db:
        return list(db.exec(select(Broadcast).order_by(col(Broadcast.id))).all())


def outbox(app: BotApp) -> list[OutboxMessage]:
    with Session(app.engine) as db:
        return list(db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def audit_ops(app: BotApp) -> list[str]:
    with Session(app.engine) as db:
        rows = db.exec(select(DashboardAuditLog).where(
            col(DashboardAuditLog.target_type) == "broadcast").order_by(
            col(DashboardAuditLog.id))).all()
        return [str(r.detail.get("op")) for r in rows]


@pytest.fixture
def people(app: BotApp) -> dict[str, int]:
    return {"ana": add_member(app, "m1", name="Ana", language="en"),
            "bryn": add_member(app, "m2", name="Bryn", language="cy"),
            "cai": add_member(app, "m3", name="Cai", language="cy")}


def test_compose_preview_send_and_the_live_report(app: BotApp, as_role, web: TestClient,  # type: ignore[no-untyped-def]
                                                  people: dict[str, int]) -> None:
    as_role("coordinator")
    status, location, _ = compose(web, audience="language:cy")
    assert status == 303 and location.startswith("/broadcasts/")
    draft = broadcasts(app)[-1]
    assert draft.status == "draft" and draft.audience == ["language:cy"]
    preview = web.get(location).text
    assert "This will go to 2 people." in preview
    assert "Dywedoch fod yr ystafell yn oer." in preview and outbox(app) == []
    sent = web.post(location, data={"op": "send", "csrf_token": csrf_of(preview)})
    assert sent.status_code == 303 and sent.headers["location"] == location
    rows = outbox(app)
    assert sorted(r.member_id for r in rows) == sorted([people["bryn"], people["cai"]])
    assert all("Dywedoch" in r.payload["text"] for r in rows)
    assert broadcasts(app)[-1].status == "queued"
    report = web.get(location).text
    assert "Delivery report by language" in report and "Check update" not in report
    assert audit_ops(app) == ["draft", "send"]


def test_sending_twice_queues_each_person_once(app: BotApp, as_role, web: TestClient,  # type: ignore[no-untyped-def]
                                               people: dict[str, int]) -> None:
    as_role("staff")
    _, location, _ = compose(web)
    token = csrf_of(web.get(location).text)
    web.post(location, data={"op": "send", "csrf_token": token})
    first = len(outbox(app))
    again = web.post(location, data={"op": "send", "csrf_token": token})
    assert again.status_code == 303 and "done=already" in again.headers["location"]
    assert len(outbox(app)) == first >= 3


def test_a_send_time_schedules_it_in_the_writers_time_zone(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                           web: TestClient, clock: Clock,
                                                           people: dict[str, int]) -> None:
    as_role("coordinator")
    local = (clock() + timedelta(days=3)).astimezone(ZoneInfo("Europe/London"))
    typed = local.strftime("%Y-%m-%dT%H:%M")
    _, location, _ = compose(web, send_at=typed)
    draft = broadcasts(app)[-1]
    assert draft.send_at is not None
    expected = local.replace(second=0, microsecond=0)
    assert draft.send_at.replace(tzinfo=draft.send_at.tzinfo or ZoneInfo("UTC")) == expected
    page = web.get(location).text
    assert "Schedule it" in page
    got = web.post(location, data={"op": "send", "csrf_token": csrf_of(page)})
    assert "done=scheduled" in got.headers["location"]
    assert broadcasts(app)[-1].status == "scheduled" and outbox(app) == []
    assert "Scheduled." in web.get(got.headers["location"]).text
    # When it is due, the scheduler's job fans it out like any other update.
    from bot.broadcasts.schedule import fan_out_due

    fan_out_due(app.engine, app.i18n, clock() + timedelta(days=3, minutes=1))
    assert broadcasts(app)[-1].status == "queued" and len(outbox(app)) >= 3


@pytest.mark.parametrize(("changes", "words"), [
    ({"title_en": "", "body_en": "", "title_cy": "", "body_cy": ""},
     "Please write a title and a message in at least one language."),
    ({"body_cy": ""}, "Each language needs both a title and a message."),
    ({"audience": None}, "Please choose who gets it."),
    ({"send_at": "2001-01-01T10:00"}, "That time has passed."),
    ({"send_at": "next tuesday"}, "Please check the send time."),
    ({"audience": "role:king"}, "Nothing was saved."),
    ({"audience": "language:xx"}, "Nothing was saved."),
    ({"audience": "group:Nowhere"}, "Nothing was saved."),
    ({"kind": "advert"}, "Nothing was saved."),
    ({"body_en": "x" * 3501}, "Nothing was saved."),
])
def test_a_bad_or_forged_form_saves_nothing(changes: dict[str, object], words: str,  # type: ignore[no-untyped-def]
                                            app: BotApp, as_role, web: TestClient) -> None:
    as_role("staff")
    status, _, body = compose(web, **changes)
    assert status == 400 and words in body
    assert broadcasts(app) == [] and outbox(app) == []
    assert 'value="Warmer room"' in body or changes.get("title_en") == ""  # kept what was typed


def test_odd_unicode_is_kept_exactly_and_shown_escaped(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                       web: TestClient) -> None:
    as_role("staff")
    title = "مرحبا <script>alert(1)</script> \u200f\u0301 ✨"
    _, location, _ = compose(web, title_en=title, title_cy="", body_cy="")
    assert broadcasts(app)[-1].texts["en"]["title"] == title.strip()
    page = web.get(location).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_dont_send_cancels_the_draft(app: BotApp, as_role, web: TestClient,  # type: ignore[no-untyped-def]
                                     people: dict[str, int]) -> None:
    as_role("coordinator")
    _, location, _ = compose(web)
    got = web.post(location, data={"op": "cancel", "csrf_token": csrf_of(web.get(location).text)})
    assert got.status_code == 303
    assert broadcasts(app)[-1].status == "cancelled" and outbox(app) == []
    assert "Cancelled." in web.get(got.headers["location"]).text


def test_an_unknown_op_is_refused(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("staff")
    _, location, _ = compose(web)
    got = web.post(location, data={"op": "delete", "csrf_token": csrf_of(web.get(location).text)})
    assert got.status_code == 400 and broadcasts(app)[-1].status == "draft"


def test_a_crash_in_the_fan_out_is_finished_by_the_resume_job(
    app: BotApp, as_role, web: TestClient, people: dict[str, int],  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch
) -> None:
    as_role("coordinator")
    _, location, _ = compose(web)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the process died mid fan-out")

    monkeypatch.setattr(pages_compose, "fan_out", crash)
    got = web.post(location, data={"op": "send", "csrf_token": csrf_of(web.get(location).text)})
    assert got.status_code == 303
    assert broadcasts(app)[-1].status == "sending" and outbox(app) == []
    live = web.get(location).text
    assert 'http-equiv="refresh"' in live and "Sending now." in live
    assert resume_unfinished(app.engine, app.i18n) == [broadcasts(app)[-1].id]
    with Session(app.engine) as db:
        members = len(db.exec(select(Member)).all())
        recipients = db.exec(select(BroadcastRecipient)).all()
    assert len(recipients) == members and len(outbox(app)) == members
    with transaction(app.engine) as db:
        for row in db.exec(select(OutboxMessage)).all():
            row.status = "sent"
            db.add(row)
    done = web.get(location).text
    assert 'http-equiv="refresh"' not in done and f"Sent: {members}." in done
