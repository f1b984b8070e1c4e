"""Every route checks the session, the role and (for changes) the CSRF token."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.storage.safeguarding_models import SafeguardingAlert
from tests.web.conftest import add_member, csrf_of
from tests.web.helpers import add_alert, add_feedback

PAGES = ["/", "/members", "/members/1", "/feedback", "/feedback.csv", "/alerts", "/alerts/1",
         "/payments", "/broadcasts", "/broadcasts/1", "/audit"]
POSTS = ["/feedback/1", "/alerts/1", "/payments/1"]
ALLOWED = {
    "staff": {"/", "/members", "/feedback", "/broadcasts"},
    "coordinator": {"/", "/members", "/feedback", "/broadcasts"},
    "safeguarding": {"/", "/members", "/alerts"},
    "finance": {"/", "/payments"},
    "admin": {"/", "/members", "/feedback", "/alerts", "/payments", "/broadcasts", "/audit"},
}


def test_no_route_answers_without_a_session(app: BotApp, web: TestClient) -> None:
    member = add_member(app, "m1", name="Private Person")
    add_alert(app, member, said="very private words")
    for path in PAGES:
        got = web.get(path)
        assert got.status_code == 303, path
        assert got.headers["location"].startswith("/login?next="), path
        assert "Private" not in got.text and "private words" not in got.text
    for path in POSTS + ["/logout"]:
        assert web.post(path, data={"op": "ack"}).status_code == 403, path


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_sees_only_its_pages(role: str, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role(role)
    for path in ["/", "/members", "/feedback", "/alerts", "/payments", "/broadcasts", "/audit"]:
        status = web.get(path).status_code
        if path in ALLOWED[role]:
            assert status == 200, (role, path)
        else:
            assert status == 403, (role, path)


def test_the_menu_shows_only_allowed_pages(as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("finance")
    home = web.get("/").text
    assert 'href="/payments"' in home
    assert 'href="/alerts"' not in home and 'href="/members"' not in home


def test_finance_cannot_open_an_alert_by_its_number(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                    web: TestClient) -> None:
    alert = add_alert(app, add_member(app, "m1"), said="hidden words")
    as_role("finance")
    page = web.get(f"/alerts/{alert}")
    assert page.status_code == 403 and "hidden words" not in page.text


def test_an_unknown_id_is_a_404_not_a_crash(as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("admin", "safeguarding")
    assert web.get("/alerts/999").status_code == 404
    assert web.get("/members/999").status_code == 404
    assert web.get("/broadcasts/999").status_code == 404


def test_a_post_without_or_with_a_wrong_csrf_token_changes_nothing(
    app: BotApp, as_role, web: TestClient  # type: ignore[no-untyped-def]
) -> None:
    alert = add_alert(app, add_member(app, "m1"))
    as_role("safeguarding")
    for data in ({"op": "status", "status": "closed"},
                 {"op": "status", "status": "closed", "csrf_token": "forged"}):
        got = web.post(f"/alerts/{alert}", data=data)
        assert got.status_code == 403 and "out of date" in got.text
    with Session(app.engine) as db:
        row = db.get(SafeguardingAlert, alert)
        assert row is not None and row.status == "open" and row.acknowledged_at is None
    page = web.get(f"/alerts/{alert}")
    ok = web.post(f"/alerts/{alert}", data={"op": "status", "status": "closed",
                                           "csrf_token": csrf_of(page.text)})
    assert ok.status_code == 303
    with Session(app.engine) as db:
        assert db.get(SafeguardingAlert, alert).status == "closed"  # type: ignore[union-attr]


def test_a_post_from_another_site_is_refused(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    item = add_feedback(app, None, "too cold")
    as_role("staff")
    token = csrf_of(web.get("/feedback").text)
    got = web.post(f"/feedback/{item}", data={"op": "tag", "tags": "x", "csrf_token": token},
                   headers={"Origin": "https://evil.example"})
    assert got.status_code == 403


def test_the_csrf_token_belongs_to_one_session(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    item = add_feedback(app, None, "too cold")
    as_role("staff")
    old = csrf_of(web.get("/feedback").text)
    as_role("staff")
    got = web.post(f"/feedback/{item}", data={"op": "tag", "tags": "x", "csrf_token": old})
    assert got.status_code == 403


def test_pages_send_security_headers(as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("staff")
    headers = web.get("/").headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "same-origin"
