"""Learning updates: the list, each update's texts per language, and its delivery report.

The report is `bot.broadcasts.report.build_report`, the same one the chat and
the CLI show, so everyone sees the same numbers.
"""

from __future__ import annotations

from sqlmodel import col, select
from starlette.responses import Response

from bot.core.text import parse_id
from bot.web.dashboard.features import optional
from bot.web.dashboard.web import PageError, WebContext

REFRESH_SECONDS = 5


def broadcasts_page(ctx: WebContext) -> Response:
    models = optional("bot.storage.broadcast_models")
    if models is None:
        return ctx.render("not_ready.html", title_key="broadcasts")
    model = models.Broadcast
    page = parse_id(ctx.arg("page")) or 1
    size = ctx.cfg.page_size
    # Other people's drafts are private, as in the chat.
    query = select(model)
    if "admin" not in ctx.roles:
        query = query.where((col(model.status) != "draft")
                            | (col(model.created_by) == ctx.actor_id))
    rows = list(ctx.db.exec(query.order_by(col(model.id).desc())
                            .offset((page - 1) * size).limit(size + 1)).all())
    return ctx.render("broadcasts.html", broadcasts=rows[:size], page=page,
                      has_more=len(rows) > size, query={})


def broadcast_page(ctx: WebContext) -> Response:
    """A draft shows its preview (to its writer); anything else its live delivery report."""
    report = optional("bot.broadcasts.report")
    models = optional("bot.storage.broadcast_models")
    if report is None or models is None:
        raise PageError(404)
    from bot.web.dashboard import pages_compose

    broadcast = ctx.db.get(models.Broadcast, int(ctx.request.path_params["broadcast_id"]))
    if broadcast is None or not pages_compose.may_see(ctx, broadcast):
        raise PageError(404)
    if broadcast.status == "draft":
        return pages_compose.draft_view(ctx, broadcast)
    found = report.build_report(ctx.db, broadcast.id, now=ctx.cfg.now())
    totals = found.totals()
    # Refresh while rows are still being written or are going out now.
    live = broadcast.status == "sending" or totals.get("going_out", 0) > 0
    return ctx.render("broadcast.html", broadcast=broadcast, report=found,
                      categories=report.CATEGORIES, by_language=found.by_language(),
                      totals=totals, live=live, refresh_seconds=REFRESH_SECONDS,
                      mine=pages_compose.may_change(ctx, broadcast), notice=ctx.arg("done"))
