"""The sessions page: counts on the list, names and needs only on a session's own page."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.storage.dashboard_models import DashboardAuditLog
from bot.storage.db import transaction
from bot.storage.models import Member
from bot.storage.profile_models import Profile
from bot.storage.session_models import GroupSession, ProjectGroup, SessionRsvp
from tests.web.conftest import Clock, add_member
from tests.web.helpers import add_feedback


def add_session(app: BotApp, clock: Clock, title: str, days: float, **extra: object) -> int:
    with transaction(app.engine) as db:
        gs = GroupSession(title=title, starts_at=clock() + timedelta(days=days),
                          timezone="Europe/London", mode="in_person", place="Hall", **extra)
        db.add(gs)
        db.flush()
        assert gs.id is not None
        return gs.id


def rsvp(app: BotApp, session_id: int, member_id: int, answer: str) -> None:
    with transaction(app.engine) as db:
        db.add(SessionRsvp(session_id=session_id, member_id=member_id, answer=answer))


def test_the_list_shows_counts_not_names(app: BotApp, as_role, web: TestClient,  # type: ignore[no-untyped-def]
                                         clock: Clock) -> None:
    soon = add_session(app, clock, "Planning day", 2)
    past = add_session(app, clock, "Last month's review", -30)
    people = [add_member(app, f"m{n}", name=f"Person Number{n}") for n in range(4)]
    for member, answer in zip(people, ["going", "going", "maybe", "cant"], strict=True):
        rsvp(app, soon, member, answer)
    add_feedback(app, None, "Nice biscuits", session_id=past)
    as_role("coordinator")
    page = web.get("/sessions").text
    assert "Planning day" in page and "Last month" not in page
    row = page.split("Planning day", 1)[1].split("</tr>", 1)[0]
    assert [c.split("</td>")[0] for c in row.split("<td>")[3:]] == ["2", "1", "1", "0"]
    assert "Number" not in page
    older = web.get("/sessions", params={"when": "past"}).text
    assert "review" in older and "Planning day" not in older
    assert web.get("/sessions", params={"when": "<script>", "page": "-1"}).status_code == 200


def test_a_session_page_names_who_answered_with_their_needs(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                            web: TestClient,
                                                            clock: Clock) -> None:
    with transaction(app.engine) as db:
        group = ProjectGroup(name="Housing panel")
        db.add(group)
        db.flush()
        group_id = group.id
    gs = add_session(app, clock, "Housing review", 1, group_id=group_id,
                     access_info="Step-free entrance")
    ana = add_member(app, "m1", name="Ana Ðorđević ✨")
    gone = add_member(app, "m2", name="Erased Person")
    with transaction(app.engine) as db:
        db.add(Profile(member_id=ana, needs=["interpreter", "more_time"]))
        member = db.get(Member, gone)
        assert member is not None
        member.status = "erased"
        db.add(member)
    rsvp(app, gs, ana, "maybe")
    rsvp(app, gs, gone, "going")
    staff = as_role("staff")
    page = web.get(f"/sessions/{gs}").text
    assert "Ana Ðorđević ✨" in page and "An interpreter" in page
    assert "More time between messages" in page and "Erased Person" not in page
    assert "Housing panel" in page and "Step-free entrance" in page
    assert "Going: 0. Maybe: 1. Can&#39;t: 0." in page
    with Session(app.engine) as db:
        seen = db.exec(select(DashboardAuditLog).where(
            col(DashboardAuditLog.actor_id) == staff,
            col(DashboardAuditLog.target_type) == "group_session")).all()
    assert [(r.action, r.target_id) for r in seen] == [("view", str(gs))]


def test_a_cancelled_session_says_so(app: BotApp, as_role, web: TestClient,  # type: ignore[no-untyped-def]
                                     clock: Clock) -> None:
    gs = add_session(app, clock, "Called off", 1, status="cancelled")
    as_role("coordinator")
    assert "Cancelled" in web.get("/sessions").text
    assert "Called off · Cancelled" in web.get(f"/sessions/{gs}").text
