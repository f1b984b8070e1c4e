"""Sessions: what is coming up, who said Going, Maybe or Can't, and what came after.

The list shows counts only. A session's own page names the people who
answered, with their needs first (so the room, the link and the breaks can be
planned around them), and nothing else about them. Nobody records who really
came yet, so "attendance" here is the Going answers plus the session's
feedback count; opening a session is written to the audit log.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from starlette.responses import Response

from bot.core.text import parse_id
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
                      page=page, has_more=len(rows) > size, query={"when": when})


def session_page(ctx: WebContext) -> Response:
    models = _models()
    if models is None:
        raise PageError(404)
    found = ctx.db.get(models.GroupSession, int(ctx.request.path_params["session_id"]))
    if found is None:
        raise PageError(404)
    rsvp = models.SessionRsvp
    replies = list(ctx.db.exec(
        select(rsvp.member_id, rsvp.answer, Member.display_name)
        .join(Member, col(Member.id) == col(rsvp.member_id))
        .where(col(rsvp.session_id) == found.id, col(Member.status) != "erased")
        .order_by(col(rsvp.answer), col(Member.display_name), col(rsvp.member_id))).all())
    needs = _needs(ctx, [member_id for member_id, _a, _n in replies])
    group = ctx.db.get(models.ProjectGroup, found.group_id) if found.group_id else None
    counts = Counter(answer for _m, answer, _n in replies)
    ctx.audit("view", "group_session", found.id, count=len(replies))
    return ctx.render("session.html", gs=found, group=group, replies=replies, needs=needs,
                      counts=counts, answers=ANSWERS,
                      feedback=_feedback_counts(ctx, [found.id]).get(found.id, 0))


def _needs(ctx: WebContext, member_ids: list[int]) -> dict[int, list[str]]:
    profile = attr("bot.storage.profile_models", "Profile")
    if profile is None or not member_ids:
        return {}
    return {member_id: list(needs or []) for member_id, needs in ctx.db.exec(
        select(profile.member_id, profile.needs)
        .where(col(profile.member_id).in_(member_ids))).all()}
