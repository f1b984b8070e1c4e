"""Members: needs first, erased people never shown; every view and change is audited."""

from __future__ import annotations

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.privacy import erase_member, record_consent
from bot.storage.dashboard_models import DashboardAuditLog
from bot.storage.db import transaction
from bot.storage.profile_models import Profile
from tests.web.conftest import add_member, csrf_of
from tests.web.helpers import add_alert


def audit_rows(app: BotApp) -> list[DashboardAuditLog]:
    with Session(app.engine) as db:
        return list(db.exec(select(DashboardAuditLog).order_by(col(DashboardAuditLog.id))).all())


def test_members_show_needs_consent_and_pause(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    ana = add_member(app, "m1", name="Ana", language="cy")
    with transaction(app.engine) as db:
        db.add(Profile(member_id=ana, needs=["easy_read", "interpreter"]))
        record_consent(db, ana, "given", "test", "v1")
    as_role("coordinator")
    page = web.get("/members").text
    assert "Ana" in page and "Easy Read" in page and "An interpreter" in page
    assert "Given" in page
    detail = web.get(f"/members/{ana}")
    assert detail.status_code == 200 and "Easy Read" in detail.text


def test_erased_people_are_never_listed(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    gone = add_member(app, "m1", name="Gone Person")
    add_member(app, "m2", name="Still Here")
    with transaction(app.engine) as db:
        erase_member(db, gone, default_language="en", default_timezone="Europe/London",
                     channel="test", version="v1")
    as_role("staff")
    page = web.get("/members").text
    assert "Still Here" in page and f"#{gone}<" not in page and "Gone Person" not in page
    assert web.get(f"/members/{gone}").status_code == 404


def test_viewing_members_is_audited(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    ana = add_member(app, "m1", name="Ana")
    viewer = as_role("staff")
    web.get("/members")
    web.get(f"/members/{ana}")
    rows = [r for r in audit_rows(app) if r.action == "view"]
    assert [(r.target_type, r.actor_id) for r in rows] == [("member_list", viewer),
                                                          ("member", viewer)]
    assert rows[1].subject_id == ana and rows[1].target_id == str(ana)
    assert "Ana" not in str([r.detail for r in rows])


def test_logins_and_changes_are_audited(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    person = add_member(app, "m1")
    alert = add_alert(app, person, said="secret words")
    lead = as_role("safeguarding")
    page = web.get(f"/alerts/{alert}")
    web.post(f"/alerts/{alert}", data={"op": "ack", "csrf_token": csrf_of(page.text)})
    web.post(f"/alerts/{alert}", data={"op": "note", "note": "Called, all ok",
                                      "csrf_token": csrf_of(page.text)})
    rows = audit_rows(app)
    kinds = [(r.action, r.target_type) for r in rows]
    assert ("login", "session") in kinds and ("view", "alert") in kinds
    changes = [r for r in rows if r.action == "change"]
    assert [r.detail["op"] for r in changes] == ["ack", "note"]
    assert all(r.actor_id == lead and r.subject_id == person for r in changes)
    assert "secret words" not in str([r.detail for r in rows])
    assert "Called" not in str([r.detail for r in rows])


def test_only_admins_read_the_audit_log(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("staff")
    web.get("/members")
    assert web.get("/audit").status_code == 403
    as_role("admin")
    page = web.get("/audit")
    assert page.status_code == 200 and "member_list" in page.text
