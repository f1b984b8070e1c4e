"""The overview: is the group working? Aggregates and charts only, no one person.

Each section comes from its own feature; a feature that is not set up shows
"This part is not set up yet" rather than a zero that would mislead. The
figures scan whole tables, so they are kept for `overview_cache_seconds`
(a minute by default) per process: aggregates need not be live to the second.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response

from bot.web.dashboard import charts, feature_metrics, metrics
from bot.web.dashboard.web import WebContext


def figures(ctx: WebContext) -> dict[str, Any]:
    now, db = ctx.cfg.now(), ctx.db
    reach = feature_metrics.broadcast_reach(db, now)
    return {
        "activity": metrics.activity(db, now),
        "members_total": metrics.member_count(db),
        "languages": metrics.members_by_language(db),
        "checkins": feature_metrics.checkins(db, now),
        "feedback": feature_metrics.feedback(db, now),
        "payments": feature_metrics.payments(db, now,
                                             ctx.dash.bot_app.settings.default_timezone),
        "alerts": feature_metrics.open_alerts(db),
        "reach": reach,
        "reach_chart": [(r.language, r.share) for r in reach or []],
    }


def overview_page(ctx: WebContext) -> Response:
    ttl = ctx.cfg.overview_cache_seconds
    expires, found = ctx.dash.cache.get("overview", (0.0, None))
    if found is None or expires <= time.monotonic():
        found = figures(ctx)
        if ttl > 0:
            ctx.dash.cache["overview"] = (time.monotonic() + ttl, found)
    return ctx.render("overview.html", min_group=feature_metrics.MIN_GROUP, charts=charts,
                      cached=ttl > 0, **found)
