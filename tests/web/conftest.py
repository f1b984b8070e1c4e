"""Fixtures for the staff dashboard: a web client, a movable clock, staff members."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.core.members import grant_role, resolve_member
from bot.storage.db import transaction
from bot.storage.models import utcnow
from bot.web.app import create_web_app
from bot.web.dashboard import auth, dashboard_routes
from bot.web.dashboard.config import DashboardConfig

BASE = "https://testserver"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config(clock: Clock) -> DashboardConfig:
    return DashboardConfig(base_url=BASE, cookie_secure=True, clock=clock,
                           overview_cache_seconds=0)


@pytest.fixture
def web(app: BotApp, config: DashboardConfig) -> Iterator[TestClient]:
    site = create_web_app(app, routes=dashboard_routes(app, config))
    with TestClient(site, base_url=BASE, follow_redirects=False) as client:
        yield client


def add_member(app: BotApp, user: str, *roles: str, name: str | None = None,
               language: str = "en") -> int:
    """A member on the `test` platform with these roles; returns the member id."""
    with transaction(app.engine) as db:
        member, _ = resolve_member(db, "test", user, user, default_language=language,
                                   default_timezone="Europe/London")
        member.display_name = name or f"Person {user}"
        db.add(member)
        assert member.id is not None
        for role in roles:
            grant_role(db, member.id, role)
        return member.id


def login_link(app: BotApp, member_id: int, now: datetime) -> str:
    with transaction(app.engine) as db:
        return auth.create_login_token(db, member_id, now)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def log_in(client: TestClient, app: BotApp, member_id: int, clock: Clock) -> None:
    """Log in by link, the way staff do: open it, press the button."""
    token = login_link(app, member_id, clock())
    page = client.get(f"/login/{token}")
    assert page.status_code == 200, page.text
    done = client.post(f"/login/{token}", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303, done.text


@pytest.fixture
def as_role(app: BotApp, web: TestClient, clock: Clock):  # type: ignore[no-untyped-def]
    """Log the client in as a new staff member holding `roles`; returns the member id."""
    count = iter(range(1, 1000))

    def login(*roles: str) -> int:
        member_id = add_member(app, f"staff{next(count)}", *roles)
        web.cookies.clear()
        log_in(web, app, member_id, clock)
        return member_id

    return login
