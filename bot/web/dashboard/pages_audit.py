"""The audit log, for admins: who viewed whose data, and who changed what."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.responses import Response

from bot.core.text import parse_id
from bot.storage.models import Member
from bot.web.dashboard import audit
from bot.web.dashboard.web import WebContext


def audit_page(ctx: WebContext) -> Response:
    size = 100
    page = parse_id(ctx.arg("page")) or 1
    actor, subject = parse_id(ctx.arg("actor")), parse_id(ctx.arg("subject"))
    rows = audit.recent(ctx.db, limit=size + 1, offset=(page - 1) * size,
                        actor_id=actor, subject_id=subject)
    actor_ids = {r.actor_id for r in rows if r.actor_id is not None}
    names = dict(ctx.db.exec(select(Member.id, Member.display_name)
                             .where(col(Member.id).in_(actor_ids))).all()) if actor_ids else {}
    query = {"actor": actor or "", "subject": subject or ""}
    return ctx.render("audit.html", rows=rows[:size], names=names, page=page,
                      has_more=len(rows) > size, query=query)
