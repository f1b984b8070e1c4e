"""Members: language, needs, consent, pause state and platforms.

Needs come first in every row, so staff see and respect them. Erased people
are never listed, and there is no free-text search over what people told us.
Every list and every profile opened is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select
from starlette.responses import Response

from bot.core.text import parse_id
from bot.storage.models import Identity, Member, MemberRole
from bot.web.dashboard.auth import aware
from bot.web.dashboard.features import attr
from bot.web.dashboard.web import PageError, WebContext

STATES = ("active", "paused", "stopped", "left")


@dataclass
class MemberRow:
    """What a member list row shows; `profile` is None until they consented."""

    member: Member
    state: str
    platforms: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    consent: str | None = None
    profile: Any | None = None

    @property
    def name(self) -> str:
        return self.member.display_name or f"#{self.member.id}"


def state_of(member: Member, now: datetime) -> str:
    if member.status in ("stopped", "left"):
        return member.status
    if member.paused_until is not None and aware(member.paused_until) > now:
        return "paused"
    return "active"


def _filtered(ctx: WebContext) -> Any:
    query = select(Member).where(col(Member.status) != "erased")
    lang, state, now = ctx.arg("language"), ctx.arg("state"), ctx.cfg.now()
    if lang:
        query = query.where(col(Member.language) == lang)
    if state in ("stopped", "left"):
        query = query.where(col(Member.status) == state)
    elif state == "paused":
        query = query.where(col(Member.status) == "active", col(Member.paused_until) > now)
    elif state == "active":
        query = query.where(col(Member.status) == "active").where(
            col(Member.paused_until).is_(None) | (col(Member.paused_until) <= now))
    return query


def rows_for(db: Session, members: list[Member], now: datetime) -> list[MemberRow]:
    """Decorate one page of members with platforms, roles, consent and profile."""
    rows = {m.id: MemberRow(m, state_of(m, now)) for m in members}
    ids = list(rows)
    if not ids:
        return []
    for member_id, platform in db.exec(select(Identity.member_id, Identity.platform)
                                       .where(col(Identity.member_id).in_(ids))).all():
        rows[member_id].platforms.append(platform)
    for member_id, role in db.exec(select(MemberRole.member_id, MemberRole.role)
                                   .where(col(MemberRole.member_id).in_(ids))).all():
        rows[member_id].roles.append(role)
    consent = attr("bot.storage.profile_models", "ConsentRecord")
    if consent is not None:
        for member_id, action in db.exec(
            select(consent.member_id, consent.action)
            .where(col(consent.member_id).in_(ids)).order_by(col(consent.id))
        ).all():
            rows[member_id].consent = action  # the latest wins
    profile = attr("bot.storage.profile_models", "Profile")
    if profile is not None:
        for found in db.exec(select(profile).where(col(profile.member_id).in_(ids))).all():
            rows[found.member_id].profile = found
    return list(rows.values())


def members_page(ctx: WebContext) -> Response:
    size = ctx.cfg.page_size
    page = parse_id(ctx.arg("page", "1")) or 1
    found = list(ctx.db.exec(_filtered(ctx).order_by(col(Member.id))
                             .offset((page - 1) * size).limit(size + 1)).all())
    rows = rows_for(ctx.db, found[:size], ctx.cfg.now())
    ctx.audit("view", "member_list", None, count=len(rows), page=page)
    languages = sorted(set(ctx.dash.bot_app.settings.languages))
    query = {"language": ctx.arg("language"), "state": ctx.arg("state")}
    return ctx.render("members.html", rows=rows, page=page, has_more=len(found) > size,
                      query=query, languages=languages, states=STATES,
                      profiles_ready=attr("bot.storage.profile_models", "Profile") is not None)


def member_page(ctx: WebContext) -> Response:
    member_id = int(ctx.request.path_params["member_id"])
    member = ctx.db.get(Member, member_id)
    if member is None or member.status == "erased":
        raise PageError(404)
    row = rows_for(ctx.db, [member], ctx.cfg.now())[0]
    ctx.audit("view", "member", member_id, subject_id=member_id)
    return ctx.render("member.html", row=row,
                      profiles_ready=attr("bot.storage.profile_models", "Profile") is not None)
