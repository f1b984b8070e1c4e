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
from bot.storage.session_models import (
    GroupMember,
    GroupSession,
    ProjectGroup,
    SessionAttendance,
    SessionRsvp,
)
from tests.web.conftest import Clock, add_member, csrf_of
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
    cells = [c.split("</td>")[0] for c in row.split("<td>")[3:]]
    assert cells[:3] == ["2", "1", "1"] and "Not saved" in cells[3] and cells[4] == "0"
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


# --- attendance -----------------------------------------------------------------------------


def marks(app: BotApp, session_id: int) -> dict[int, bool]:
    with Session(app.engine) as db:
        return {r.member_id: r.attended for r in db.exec(
            select(SessionAttendance).where(col(SessionAttendance.session_id) == session_id))}


def audit_rows(app: BotApp, target_type: str) -> list[DashboardAuditLog]:
    with Session(app.engine) as db:
        return list(db.exec(select(DashboardAuditLog).where(
            col(DashboardAuditLog.target_type) == target_type)).all())


def started_group_session(app: BotApp, clock: Clock) -> tuple[int, dict[str, int]]:
    """A session that began an hour ago, for a group; RSVPs from some, silence from one."""
    with transaction(app.engine) as db:
        group = ProjectGroup(name="Food panel")
        db.add(group)
        db.flush()
        group_id = group.id
    gs = add_session(app, clock, "Food review", -1 / 24, group_id=group_id)
    people = {k: add_member(app, k, name=f"Name {k} ✨") for k in
              ("going", "maybe", "quiet", "outsider")}
    rsvp(app, gs, people["going"], "going")
    rsvp(app, gs, people["maybe"], "maybe")
    with transaction(app.engine) as db:
        db.add(GroupMember(group_id=group_id, member_id=people["quiet"]))
    return gs, people


def test_staff_tick_who_came_and_the_pages_count_them(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                      web: TestClient, clock: Clock) -> None:
    gs, people = started_group_session(app, clock)
    coordinator = as_role("coordinator")
    page = web.get(f"/sessions/{gs}").text
    assert "Nobody has saved who came yet" in page
    assert "Name quiet ✨" in page and "No answer" in page  # group members without an RSVP
    assert "Name outsider" not in page
    assert f'value="{people["outsider"]}"' not in page
    got = web.post(f"/sessions/{gs}/attendance",
                   data={"csrf_token": csrf_of(page),
                         "came": [str(people["maybe"]), str(people["quiet"])]})
    assert got.status_code == 303 and got.headers["location"].endswith("done=attendance")
    assert marks(app, gs) == {people["going"]: False, people["maybe"]: True,
                              people["quiet"]: True}
    with Session(app.engine) as db:
        row = db.get(SessionAttendance, (gs, people["maybe"]))
        assert row is not None and row.recorded_by == coordinator
    [entry] = audit_rows(app, "session_attendance")
    assert (entry.actor_id, entry.action, entry.target_id) == (coordinator, "change", str(gs))
    assert entry.detail["came"] == 2 and entry.detail["marked"] == 3
    page = web.get(f"/sessions/{gs}?done=attendance").text
    assert "Saved who came." in page and "Came: 2 of 3." in page
    assert page.count(" checked") == 2
    listing = web.get("/sessions").text
    row = listing.split("Food review", 1)[1].split("</tr>", 1)[0]
    assert [c.split("</td>")[0] for c in row.split("<td>")[3:]] == ["1", "1", "0", "2", "0"]
    # Saving again with nobody ticked marks everyone as not come.
    web.post(f"/sessions/{gs}/attendance", data={"csrf_token": csrf_of(page)})
    assert set(marks(app, gs).values()) == {False}
    assert "Came: 0 of 3." in web.get(f"/sessions/{gs}").text


def test_attendance_cannot_be_saved_before_the_session_starts(  # type: ignore[no-untyped-def]
        app: BotApp, as_role, web: TestClient, clock: Clock) -> None:
    gs = add_session(app, clock, "Next week", 7)
    member = add_member(app, "m1")
    rsvp(app, gs, member, "going")
    as_role("staff")
    page = web.get(f"/sessions/{gs}").text
    assert "once the session starts" in page and 'name="came"' not in page
    got = web.post(f"/sessions/{gs}/attendance",
                   data={"csrf_token": csrf_of(page), "came": str(member)})
    assert got.status_code == 409
    assert marks(app, gs) == {} and audit_rows(app, "session_attendance") == []
    called_off = add_session(app, clock, "Called off", -0.1, status="cancelled")
    rsvp(app, called_off, member, "going")
    got = web.post(f"/sessions/{called_off}/attendance",
                   data={"csrf_token": csrf_of(page), "came": str(member)})
    assert got.status_code == 409 and marks(app, called_off) == {}


def test_forged_member_ids_are_refused_and_nothing_changes(  # type: ignore[no-untyped-def]
        app: BotApp, as_role, web: TestClient, clock: Clock) -> None:
    gs, people = started_group_session(app, clock)
    as_role("staff")
    token = csrf_of(web.get(f"/sessions/{gs}").text)
    for forged in ([str(people["going"]), str(people["outsider"])], ["987654"],
                   ["٣"], ["-1"], ["1" * 30], ["going"], [""]):
        got = web.post(f"/sessions/{gs}/attendance", data={"csrf_token": token, "came": forged})
        assert got.status_code == 400, forged
        assert marks(app, gs) == {}, forged
    assert audit_rows(app, "session_attendance") == []
    assert web.post("/sessions/987654/attendance",
                    data={"csrf_token": token, "came": "1"}).status_code == 404


def test_wrong_role_or_missing_csrf_changes_nothing(  # type: ignore[no-untyped-def]
        app: BotApp, as_role, web: TestClient, clock: Clock) -> None:
    gs, people = started_group_session(app, clock)
    for role in ("finance", "safeguarding"):
        as_role(role)
        token = csrf_of(web.get("/").text)
        got = web.post(f"/sessions/{gs}/attendance",
                       data={"csrf_token": token, "came": str(people["going"])})
        assert got.status_code == 403, role
    as_role("coordinator")
    for bad in ({}, {"csrf_token": "forged"}):
        got = web.post(f"/sessions/{gs}/attendance", data={**bad, "came": str(people["going"])})
        assert got.status_code == 403
    web.cookies.clear()
    got = web.post(f"/sessions/{gs}/attendance", data={"came": str(people["going"])})
    assert got.status_code in (401, 403)
    assert marks(app, gs) == {} and audit_rows(app, "session_attendance") == []
