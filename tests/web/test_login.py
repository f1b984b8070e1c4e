"""Logging in: one-time links, argon2 passwords, rate limits, cookies and sessions."""

from __future__ import annotations

from sqlmodel import Session, select
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.storage.dashboard_models import DashboardLoginToken, DashboardPassword
from bot.storage.db import transaction
from bot.web.dashboard import auth
from tests.web.conftest import Clock, add_member, csrf_of, log_in, login_link


def test_a_login_link_works_once(app: BotApp, web: TestClient, clock: Clock) -> None:
    staff = add_member(app, "s1", "staff")
    token = login_link(app, staff, clock())
    page = web.get(f"/login/{token}")
    assert page.status_code == 200 and "Log in" in page.text
    csrf = csrf_of(page.text)
    first = web.post(f"/login/{token}", data={"csrf_token": csrf})
    assert first.status_code == 303 and first.headers["location"] == "/"
    assert web.get("/").status_code == 200
    web.cookies.clear()
    again = web.get(f"/login/{token}")
    assert again.status_code == 410 and "does not work any more" in again.text
    page2 = web.get("/login")
    reused = web.post(f"/login/{token}", data={"csrf_token": csrf_of(page2.text)})
    assert reused.status_code == 410
    assert web.get("/").status_code == 303  # still logged out


def test_opening_a_link_does_not_use_it_up(app: BotApp, web: TestClient, clock: Clock) -> None:
    """Chat apps fetch links for previews; only pressing the button logs in."""
    staff = add_member(app, "s1", "staff")
    token = login_link(app, staff, clock())
    for _ in range(3):
        assert web.get(f"/login/{token}").status_code == 200
    log_in_page = web.get(f"/login/{token}")
    assert web.post(f"/login/{token}",
                    data={"csrf_token": csrf_of(log_in_page.text)}).status_code == 303


def test_a_login_link_expires_after_ten_minutes(app: BotApp, web: TestClient,
                                                clock: Clock) -> None:
    staff = add_member(app, "s1", "staff")
    token = login_link(app, staff, clock())
    clock.advance(minutes=9, seconds=59)
    assert web.get(f"/login/{token}").status_code == 200
    page = web.get(f"/login/{token}")
    clock.advance(seconds=2)
    late = web.post(f"/login/{token}", data={"csrf_token": csrf_of(page.text)})
    assert late.status_code == 410 and "10 minutes" in late.text
    assert web.get(f"/login/{token}").status_code == 410


def test_a_wrong_token_gets_a_kind_page(web: TestClient) -> None:
    page = web.get("/login/not-a-real-token")
    assert page.status_code == 410
    assert "send /dashboard to the bot" in page.text
    assert "Traceback" not in page.text


def test_only_the_hash_of_a_link_is_stored(app: BotApp, clock: Clock) -> None:
    staff = add_member(app, "s1", "staff")
    token = login_link(app, staff, clock())
    with Session(app.engine) as db:
        row = db.exec(select(DashboardLoginToken)).one()
    assert row.token_hash == auth.digest(token) and token not in row.token_hash


def test_password_login_with_argon2(app: BotApp, web: TestClient, clock: Clock) -> None:
    staff = add_member(app, "s1", "finance")
    with transaction(app.engine) as db:
        auth.set_password(db, staff, "fin.lead", "correct horse battery", clock())
    with Session(app.engine) as db:
        stored = db.get(DashboardPassword, staff)
    assert stored is not None and stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    form = web.get("/login")
    wrong = web.post("/login", data={"csrf_token": csrf_of(form.text), "username": "fin.lead",
                                      "password": "wrong password!"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    right = web.post("/login", data={"csrf_token": csrf_of(wrong.text), "username": "fin.lead",
                                      "password": "correct horse battery",
                                      "next": "/payments"})
    assert right.status_code == 303 and right.headers["location"] == "/payments"
    assert web.get("/payments").status_code == 200


def test_short_passwords_are_refused(app: BotApp, clock: Clock) -> None:
    staff = add_member(app, "s1", "staff")
    with transaction(app.engine) as db:
        try:
            auth.set_password(db, staff, "s1", "short", clock())
        except ValueError as exc:
            assert "12" in str(exc)
        else:
            raise AssertionError("a short password was accepted")


def test_failed_logins_are_rate_limited(app: BotApp, web: TestClient, clock: Clock) -> None:
    staff = add_member(app, "s1", "staff")
    with transaction(app.engine) as db:
        auth.set_password(db, staff, "lead", "a long good password", clock())
    page = web.get("/login")
    for _ in range(5):
        page = web.post("/login", data={"csrf_token": csrf_of(page.text), "username": "lead",
                                        "password": "guess guess guess"})
        assert page.status_code == 401
    blocked = web.post("/login", data={"csrf_token": csrf_of(page.text), "username": "lead",
                                       "password": "a long good password"})
    assert blocked.status_code == 429 and "Too many tries" in blocked.text
    clock.advance(minutes=16)
    after = web.post("/login", data={"csrf_token": csrf_of(blocked.text), "username": "lead",
                                     "password": "a long good password"})
    assert after.status_code == 303


def test_the_session_cookie_is_secure_httponly_samesite(app: BotApp, web: TestClient,
                                                         clock: Clock) -> None:
    staff = add_member(app, "s1", "staff")
    token = login_link(app, staff, clock())
    page = web.get(f"/login/{token}")
    done = web.post(f"/login/{token}", data={"csrf_token": csrf_of(page.text)})
    cookie = next(c for c in done.headers.get_list("set-cookie")
                  if c.startswith("copro_dashboard="))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "secure" in flags and "samesite=lax" in flags
    assert token not in cookie


def test_secure_can_be_turned_off_for_local_http(app: BotApp, clock: Clock) -> None:
    from bot.web.app import create_web_app
    from bot.web.dashboard import dashboard_routes
    from bot.web.dashboard.config import DashboardConfig

    config = DashboardConfig(cookie_secure=False, clock=clock)
    site = create_web_app(app, routes=dashboard_routes(app, config))
    staff = add_member(app, "s1", "staff")
    with TestClient(site, base_url="http://localhost", follow_redirects=False) as client:
        log_in(client, app, staff, clock)
        assert client.get("/").status_code == 200
        cookie = client.get("/login").headers.get("set-cookie", "")
        assert "secure" not in cookie.lower()


def test_a_member_without_a_staff_role_cannot_log_in(app: BotApp, web: TestClient,
                                                     clock: Clock) -> None:
    member = add_member(app, "m1")
    token = login_link(app, member, clock())  # even if a link somehow exists
    page = web.get(f"/login/{token}")
    refused = web.post(f"/login/{token}", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403 and "cannot use the staff dashboard" in refused.text
    assert web.get("/").status_code == 303


def test_revoking_the_role_ends_the_session(app: BotApp, web: TestClient, clock: Clock) -> None:
    from bot.core.members import revoke_role

    staff = add_member(app, "s1", "staff")
    log_in(web, app, staff, clock)
    assert web.get("/").status_code == 200
    with transaction(app.engine) as db:
        revoke_role(db, staff, "staff")
    assert web.get("/").status_code == 303


def test_sessions_end_when_idle_and_on_logout(app: BotApp, web: TestClient, clock: Clock) -> None:
    staff = add_member(app, "s1", "staff")
    log_in(web, app, staff, clock)
    clock.advance(minutes=61)
    gone = web.get("/members")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login?next=")
    log_in(web, app, staff, clock)
    home = web.get("/")
    out = web.post("/logout", data={"csrf_token": csrf_of(home.text)})
    assert out.status_code == 303
    assert web.get("/").status_code == 303


def test_next_never_leaves_the_site(app: BotApp, web: TestClient, clock: Clock) -> None:
    staff = add_member(app, "s1", "staff")
    with transaction(app.engine) as db:
        auth.set_password(db, staff, "lead", "a long good password", clock())
    page = web.get("/login?next=//evil.example/x")
    done = web.post("/login", data={"csrf_token": csrf_of(page.text), "username": "lead",
                                    "password": "a long good password",
                                    "next": "//evil.example/x"})
    assert done.headers["location"] == "/"
