"""Sessions: what is coming up, who said Going, Maybe or Can't, who came, and feedback.

The list shows counts only. A session's own page names the people who
answered (and the rest of its group), with their needs first (so the room,
the link and the breaks can be planned around them), and nothing else about
them. Once a session has started, staff tick who came; feedback requests then
go to them instead of the Going answers. Opening a session and saving
attendance are written to the audit log.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from starlette.responses import Response

from bot.core.text import parse_id
from bot.services import attendance
from bot.storage.models import Member
from bot.web.dashboard.features import attr, optional
from bot.web.dashboard.web import PageError, WebContext

ANSWERS = ("going", "maybe", "cant")
WHEN = ("upcoming", "past")
# A session still counts as "upcoming" for a few hours after it starts.
RUNNING_FOR = timedelta(hours=3)


def _models() -> Any | None:
    return optional("bot.storage.session_models")


def _answers(ctx: WebContext, models: Any, ids: list[int]) -> dict[int, Counter[str]]:
    found: dict[int, Counter[str]] = {i: Counter() for i in ids}
    if ids:
        rsvp = models.SessionRsvp
        for session_id, answer, count in ctx.db.exec(
            select(rsvp.session_id, rsvp.answer, func.count())
            .where(col(rsvp.session_id).in_(ids)).group_by(rsvp.session_id, rsvp.answer)
        ).all():
            found[session_id][answer] = count
    return found


def _feedback_counts(ctx: WebContext, ids: list[int]) -> dict[int, int]:
    item = attr("bot.storage.feedback_models", "FeedbackItem")
    if item is None or not ids:
        return {}
    return dict(ctx.db.exec(select(item.session_id, func.count())
                            .where(col(item.session_id).in_(ids))
                            .group_by(item.session_id)).all())


def sessions_page(ctx: WebContext) -> Response:
    models = _models()
    if models is None:
        return ctx.render("not_ready.html", title_key="sessions")
    gs = models.GroupSession
    when = ctx.arg("when") if ctx.arg("when") in WHEN else "upcoming"
    page = parse_id(ctx.arg("page")) or 1
    size = ctx.cfg.page_size
    edge = ctx.cfg.now() - RUNNING_FOR
    query = select(gs)
    if when == "upcoming":
        query = query.where(col(gs.starts_at) >= edge).order_by(col(gs.starts_at), col(gs.id))
    else:
        query = query.where(col(gs.starts_at) < edge).order_by(col(gs.starts_at).desc(),
                                                                col(gs.id).desc())
    rows = list(ctx.db.exec(query.offset((page - 1) * size).limit(size + 1)).all())
    ids = [s.id for s in rows[:size]]
    groups = dict(ctx.db.exec(select(models.ProjectGroup.id, models.ProjectGroup.name)).all())
    ctx.audit("view", "group_session_list", None, count=len(ids), page=page)
    return ctx.render("sessions.html", sessions=rows[:size], answers=_answers(ctx, models, ids),
                      feedback=_feedback_counts(ctx, ids), groups=groups, when=when,
                      came=attendance.came_counts(ctx.db, ids),
                      page=page, has_more=len(rows) > size, query={"when": when})


def _session(ctx: WebContext, models: Any) -> Any:
    found = ctx.db.get(models.GroupSession, int(ctx.request.path_params["session_id"]))
    if found is None:
        raise PageError(404)
    return found


def session_page(ctx: WebContext) -> Response:
    models = _models()
    if models is None:
        raise PageError(404)
    found = _session(ctx, models)
    rsvp = models.SessionRsvp
    answered = dict(ctx.db.exec(select(rsvp.member_id, rsvp.answer)
                                .where(col(rsvp.session_id) == found.id)).all())
    people = attendance.eligible(ctx.db, found)
    names = dict(ctx.db.exec(select(Member.id, Member.display_name)
                             .where(col(Member.id).in_(people or [-1]))).all())
    order = {a: n for n, a in enumerate(ANSWERS)}
    # (member id, answer or None, name): answers first, then the rest of the group.
    replies = sorted(((m, answered.get(m), names.get(m)) for m in people),
                     key=lambda r: (order.get(r[1] or "", len(ANSWERS)), r[2] or "", r[0]))
    needs = _needs(ctx, people)
    group = ctx.db.get(models.ProjectGroup, found.group_id) if found.group_id else None
    counts = Counter(answer for _m, answer, _n in replies if answer)
    marks = attendance.recorded(ctx.db, found.id)
    ctx.audit("view", "group_session", found.id, count=len(replies))
    return ctx.render("session.html", gs=found, group=group, replies=replies, needs=needs,
                      counts=counts, answers=ANSWERS, marks=marks,
                      started=attendance.has_started(found, ctx.cfg.now()),
                      came=sum(marks.values()), done=ctx.arg("done"),
                      feedback=_feedback_counts(ctx, [found.id]).get(found.id, 0))


def attendance_change(ctx: WebContext) -> Response:
    """Save who came: ticked boxes are the members who came, the rest did not."""
    models = _models()
    if models is None:
        raise PageError(404)
    found = _session(ctx, models)
    given = ctx.form.getlist("came") if ctx.form is not None else []
    came = [parse_id(str(v)) for v in given]
    if any(m is None for m in came):
        raise PageError(400, "attendance")
    try:
        saved = attendance.record(ctx.db, found, [m for m in came if m is not None],
                                  ctx.actor_id, ctx.cfg.now())
    except attendance.NotStartedError:
        raise PageError(409, "attendance") from None
    except attendance.NotInvitedError:
        raise PageError(400, "attendance") from None
    ctx.audit("change", "session_attendance", found.id, came=saved.came, marked=saved.marked,
              changed=saved.changed)
    return ctx.redirect("session", {"done": "attendance"}, session_id=found.id)


def _needs(ctx: WebContext, member_ids: list[int]) -> dict[int, list[str]]:
    profile = attr("bot.storage.profile_models", "Profile")
    if profile is None or not member_ids:
        return {}
    return {member_id: list(needs or []) for member_id, needs in ctx.db.exec(
        select(profile.member_id, profile.needs)
        .where(col(profile.member_id).in_(member_ids))).all()}
