"""A crawl of every route the router has: sessions, roles, ids in the URL, CSRF.

Routes come from the Starlette router itself, so a new page is crawled the
day it is added; a route with a path parameter this file cannot fill, or a
section it does not know, fails the test until someone says who may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel
from starlette.routing import Route
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.core.members import grant_role
from bot.storage.broadcast_models import Broadcast
from bot.storage.db import transaction
from bot.storage.feedback_models import FeedbackItem, FeedbackRequest
from bot.storage.profile_models import Profile
from bot.storage.session_models import GroupSession, SessionRsvp
from bot.web.dashboard import auth
from bot.web.dashboard.config import DashboardConfig
from bot.web.dashboard.web import COOKIE
from tests.web.conftest import Clock, add_member, csrf_of, log_in
from tests.web.helpers import add_alert, add_feedback, add_payment

# Recognisable personal data: no page may show it to someone who should not see it.
NAME = "Zebedee Quartermaine"
FEEDBACK = "my neighbour Priya shouts at night"
SAID = "I keep thinking about the bridge"
HELD = "anonymous words too few to show"
SECRETS = (NAME, FEEDBACK, SAID, HELD, "Zebedee", "Quartermaine", "Priya")

PUBLIC = {"healthz", "login", "login_password", "login_link", "login_link_post", "logout",
          "dashboard_css"}
# Route section (first path segment) -> the roles that may open it; admin opens all.
SECTIONS = {
    "": {"staff", "coordinator", "safeguarding", "finance"},
    "members": {"staff", "coordinator", "safeguarding"},
    "feedback": {"staff", "coordinator"},
    "feedback.csv": {"staff", "coordinator"},
    "broadcasts": {"staff", "coordinator"},
    "sessions": {"staff", "coordinator"},
    "alerts": {"safeguarding"},
    "payments": {"finance"},
    "audit": set(),
}
ROLES = ("staff", "coordinator", "safeguarding", "finance", "admin")
# A valid body for each state-changing route, so only the check under test can refuse it.
FORMS = {
    "feedback_item": {"op": "tag", "tags": "crawl"},
    "alert_change": {"op": "ack"},
    "payment_change": {"op": "approve"},
    "broadcast_change": {"op": "cancel"},
    "session_attendance": {"came": "1"},
    "broadcast_create": {"kind": "learning", "audience": "everyone", "title_en": "Hello",
                         "body_en": "A short update."},
    "logout": {},
    "login_password": {"username": "nobody", "password": "wrong password 123"},
    "login_link_post": {},
}
# Tables that change when someone merely looks (session last-seen, failed logins).
VOLATILE = {"dashboardsession", "dashboardloginattempt", "dashboardlogintoken"}


@dataclass
class World:
    ids: dict[str, int]
    author: int  # the staff member who wrote the private draft
    draft: int
    held_item: int


def _seed(app: BotApp, clock: Clock) -> World:
    member = add_member(app, "m1", name=NAME)
    author = add_member(app, "writer", "coordinator", name="Draft Writer")
    item = add_feedback(app, member, FEEDBACK, tags=["noise"])
    alert = add_alert(app, member, said=SAID)
    payment = add_payment(app, member, clock())
    with transaction(app.engine) as db:
        db.add(Profile(member_id=member, needs=["interpreter"]))
        request = FeedbackRequest(kind="text", question="How was it?", anonymous=True,
                                  status="open")
        db.add(request)
        db.flush()
        held = FeedbackItem(request_id=request.id, anonymous=True, kind="text", text=HELD,
                            given_on=date.today())
        sent = Broadcast(kind="learning", texts={"en": {"title": "Sent", "body": "Hi"}},
                         default_language="en", audience=["everyone"], status="queued",
                         created_by=author)
        draft = Broadcast(kind="learning", texts={"en": {"title": "Private draft",
                                                         "body": "Not yet"}},
                          default_language="en", audience=["everyone"], status="draft",
                          created_by=author)
        gs = GroupSession(title="Planning day", starts_at=clock() + timedelta(days=2),
                          timezone="Europe/London", mode="in_person", place="Hall")
        db.add_all([held, sent, draft, gs])
        db.flush()
        assert gs.id is not None and sent.id is not None and draft.id is not None
        db.add(SessionRsvp(session_id=gs.id, member_id=member, answer="going"))
        ids = {"member_id": member, "item_id": item, "alert_id": alert,
               "payment_id": payment, "broadcast_id": sent.id, "session_id": gs.id}
        return World(ids, author, draft.id, held.id)


def routes(web: TestClient) -> list[Route]:
    found = [r for r in web.app.routes if isinstance(r, Route)]  # type: ignore[attr-defined]
    assert len(found) > 20, "the router lost its routes"
    return found


def methods(route: Route) -> list[str]:
    return sorted((route.methods or {"GET"}) - {"HEAD"})


def fill(route: Route, ids: dict[str, int], token: str = "x" * 43) -> str:
    values: dict[str, Any] = {}
    for name in route.param_convertors:
        if name == "token":
            values[name] = token
        else:
            assert name in ids, f"route {route.path}: give the crawl a real id for {name!r}"
            values[name] = ids[name]
    return route.url_path_for(route.name, **values)


def section(route: Route) -> str:
    first = route.path.strip("/").split("/")[0]
    assert first in SECTIONS, f"route {route.path}: say in SECTIONS who may open it"
    return first


def snapshot(app: BotApp) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the volatile ones), to prove nothing changed."""
    with Session(app.engine) as db:
        return {t.name: sorted(map(tuple, db.execute(select(t)).all()), key=repr)
                for t in SQLModel.metadata.sorted_tables
                if t.name not in VOLATILE and t.name in _tables(app)}


def _tables(app: BotApp) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(app.engine).get_table_names())


def no_secrets(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where} shows {secret!r}"


def login_as(app: BotApp, web: TestClient, clock: Clock, *roles: str) -> int:
    member_id = add_member(app, f"staff-{'-'.join(roles)}-{len(web.cookies)}", *roles)
    web.cookies.clear()
    log_in(web, app, member_id, clock)
    return member_id


def test_without_a_session_every_route_sends_you_to_log_in(app: BotApp, web: TestClient,
                                                           clock: Clock) -> None:
    world = _seed(app, clock)
    before = snapshot(app)
    checked = 0
    for route in routes(web):
        for method in methods(route):
            path = fill(route, world.ids)
            got = web.request(method, path, data=FORMS.get(route.name or "", {}))
            no_secrets(got.text, f"{method} {path}")
            no_secrets(str(got.headers), f"{method} {path} headers")
            if route.name in PUBLIC:
                continue
            checked += 1
            if method == "GET":
                assert got.status_code == 303, (path, got.status_code)
                assert got.headers["location"].startswith("/login?next="), path
            else:
                assert got.status_code in (401, 403), (method, path, got.status_code)
    assert checked >= 15
    assert snapshot(app) == before


def test_a_session_without_a_staff_role_opens_nothing(app: BotApp, web: TestClient,
                                                      clock: Clock,
                                                      config: DashboardConfig) -> None:
    """A member (or someone whose staff role was taken away) holding a session cookie."""
    world = _seed(app, clock)
    member = add_member(app, "plain", "member", name="Plain Member")
    with transaction(app.engine) as db:
        token = auth.create_session(db, member, "link", config)
    web.cookies.set(COOKIE, token)
    before = snapshot(app)
    for route in routes(web):
        if route.name in PUBLIC:
            continue
        for method in methods(route):
            path = fill(route, world.ids)
            got = web.request(method, path, data={**FORMS.get(route.name or "", {}),
                                                  "csrf_token": auth.csrf_token(token)})
            assert got.status_code in (303, 401, 403), (method, path, got.status_code)
            if got.status_code == 303:
                assert got.headers["location"].startswith("/login"), path
            no_secrets(got.text, f"member: {method} {path}")
    assert snapshot(app) == before


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_only_its_own_pages(role: str, app: BotApp, web: TestClient,
                                            clock: Clock) -> None:
    world = _seed(app, clock)
    login_as(app, web, clock, role)
    opened = set()
    for route in routes(web):
        if route.name in PUBLIC or "GET" not in methods(route):
            continue
        path = fill(route, world.ids)
        got = web.get(path)
        if role == "admin" or role in SECTIONS[section(route)]:
            assert got.status_code == 200, (role, path, got.status_code)
            opened.add(section(route))
        else:
            assert got.status_code == 403, (role, path, got.status_code)
            no_secrets(got.text, f"{role}: GET {path}")
    expected = {s for s, roles in SECTIONS.items() if role == "admin" or role in roles}
    assert opened == expected


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_change_what_its_pages_do_not_cover(role: str, app: BotApp,
                                                        web: TestClient, clock: Clock) -> None:
    world = _seed(app, clock)
    login_as(app, web, clock, role)
    token = csrf_of(web.get("/").text)
    for route in routes(web):
        if route.name in PUBLIC or "POST" not in methods(route):
            continue
        if role == "admin" or role in SECTIONS[section(route)]:
            continue
        before = snapshot(app)
        path = fill(route, world.ids)
        got = web.post(path, data={**FORMS[route.name or ""], "csrf_token": token})
        assert got.status_code == 403, (role, path, got.status_code)
        assert snapshot(app) == before, (role, path)


def test_changing_the_id_in_the_url_reaches_nothing_you_may_not_see(
    app: BotApp, web: TestClient, clock: Clock
) -> None:
    world = _seed(app, clock)
    login_as(app, web, clock, "staff", "coordinator")
    token = csrf_of(web.get("/").text)
    # Someone else's draft: not listed, not shown, not sendable.
    assert "Private draft" not in web.get("/broadcasts").text
    # An anonymous answer held back until enough people answer: not listed.
    assert HELD not in web.get("/feedback").text
    before = snapshot(app)  # from here on, nothing may change (not even the audit log)
    assert web.get(f"/broadcasts/{world.draft}").status_code == 404
    for op in ("send", "cancel"):
        got = web.post(f"/broadcasts/{world.draft}", data={"op": op, "csrf_token": token})
        assert got.status_code == 404, op
    got = web.post(f"/feedback/{world.held_item}", data={"op": "tag", "tags": "x",
                                                         "csrf_token": token})
    assert got.status_code == 404
    # Ids that do not exist, in every route with an id: 404, never a crash.
    for route in routes(web):
        if route.name in PUBLIC or not route.param_convertors:
            continue
        if not SECTIONS[section(route)] & {"staff", "coordinator"}:
            continue
        missing = {name: 987_654 for name in world.ids}
        for method in methods(route):
            got = web.request(method, fill(route, missing),
                              data={**FORMS.get(route.name or "", {}), "csrf_token": token})
            assert got.status_code == 404, (method, route.path, got.status_code)
    assert snapshot(app) == before


def test_the_writer_and_admins_can_open_a_draft(app: BotApp, web: TestClient,
                                                clock: Clock) -> None:
    world = _seed(app, clock)
    web.cookies.clear()
    log_in(web, app, world.author, clock)
    assert "Private draft" in web.get(f"/broadcasts/{world.draft}").text
    login_as(app, web, clock, "admin")
    assert "Private draft" in web.get(f"/broadcasts/{world.draft}").text


def test_finance_actions_need_the_finance_role_even_for_admins(
    app: BotApp, web: TestClient, clock: Clock
) -> None:
    world = _seed(app, clock)
    login_as(app, web, clock, "admin")
    token = csrf_of(web.get("/payments").text)
    before = snapshot(app)
    got = web.post(f"/payments/{world.ids['payment_id']}",
                   data={"op": "approve", "csrf_token": token})
    assert got.status_code == 403
    assert snapshot(app) == before


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(
    app: BotApp, web: TestClient, clock: Clock
) -> None:
    world = _seed(app, clock)
    everyone = login_as(app, web, clock, "admin", "staff", "coordinator", "safeguarding",
                        "finance")
    with transaction(app.engine) as db:
        link = auth.create_login_token(db, everyone, clock())
    web.get("/login")  # the login forms' double-submit cookie is set
    posts = [r for r in routes(web) if "POST" in methods(r)]
    assert {r.name for r in posts} >= set(FORMS)
    for route in posts:
        path = fill(route, world.ids, token=link)
        for bad in ({}, {"csrf_token": "forged"}):
            before = snapshot(app)
            got = web.post(path, data={**FORMS[route.name or ""], **bad})
            assert got.status_code == 403, (path, bad, got.status_code)
            assert snapshot(app) == before, (path, bad)
            assert web.get("/").status_code == 200, f"{path} logged us out"
    with Session(app.engine) as db:
        assert auth.peek_login_token(db, link, clock()), "a refused POST used the link up"


def test_grant_role_mid_session_is_seen_on_the_next_page(app: BotApp, web: TestClient,
                                                         clock: Clock) -> None:
    """Roles are read on every request, not frozen into the session."""
    world = _seed(app, clock)
    staff = login_as(app, web, clock, "staff")
    assert web.get("/alerts").status_code == 403
    with transaction(app.engine) as db:
        grant_role(db, staff, "safeguarding")
    page = web.get(f"/alerts/{world.ids['alert_id']}")
    assert page.status_code == 200 and SAID in page.text
