"""Learning updates: the list, each update's texts per language, and its delivery report.

The report is `bot.broadcasts.report.build_report`, the same one the chat and
the CLI show, so everyone sees the same numbers.
"""

from __future__ import annotations

from sqlmodel import col, select
from starlette.responses import Response

from bot.web.dashboard.features import optional
from bot.web.dashboard.web import PageError, WebContext


def broadcasts_page(ctx: WebContext) -> Response:
    models = optional("bot.storage.broadcast_models")
    if models is None:
        return ctx.render("not_ready.html", title_key="broadcasts")
    model = models.Broadcast
    page = int(ctx.arg("page")) if ctx.arg("page").isdigit() else 1
    size = ctx.cfg.page_size
    rows = list(ctx.db.exec(select(model).order_by(col(model.id).desc())
                            .offset((page - 1) * size).limit(size + 1)).all())
    return ctx.render("broadcasts.html", broadcasts=rows[:size], page=page,
                      has_more=len(rows) > size, query={})


def broadcast_page(ctx: WebContext) -> Response:
    report = optional("bot.broadcasts.report")
    if report is None:
        raise PageError(404)
    try:
        found = report.build_report(ctx.db, int(ctx.request.path_params["broadcast_id"]),
                                    now=ctx.cfg.now())
    except LookupError:
        raise PageError(404) from None
    broadcast = ctx.db.get(optional("bot.storage.broadcast_models").Broadcast,  # type: ignore[union-attr]
                           found.broadcast_id)
    return ctx.render("broadcast.html", broadcast=broadcast, report=found,
                      categories=report.CATEGORIES, by_language=found.by_language())
