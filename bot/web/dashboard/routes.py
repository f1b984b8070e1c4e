"""The dashboard's routes, ready to add to the project's Starlette app.

    from bot.web.dashboard import dashboard_routes
    create_web_app(app, telegram=..., routes=dashboard_routes(app))

No middleware is needed: sessions, roles, CSRF and security headers are
handled per route, so the routes also work inside a `Mount("/dashboard", ...)`.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from bot.web.dashboard import (
    pages_alerts,
    pages_audit,
    pages_auth,
    pages_broadcasts,
    pages_compose,
    pages_feedback,
    pages_members,
    pages_overview,
    pages_payments,
    pages_sessions,
)
from bot.web.dashboard.config import DashboardConfig
from bot.web.dashboard.web import Dashboard, PageFn, page

if TYPE_CHECKING:
    from bot.app import BotApp

CSS = pages_auth.__file__.rsplit("/", 1)[0] + "/static/dashboard.css"


async def stylesheet(request: Request) -> Response:
    return FileResponse(CSS, media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600",
                                 "X-Content-Type-Options": "nosniff"})


def dashboard_routes(bot_app: BotApp, config: DashboardConfig | None = None) -> list[BaseRoute]:
    """Every dashboard route; `config` defaults to the bot's settings."""
    dash = Dashboard(bot_app, config or DashboardConfig.from_settings(bot_app.settings))
    public = partial(pages_auth.public, dash)

    def at(path: str, name: str, area: str, handler: PageFn, method: str = "GET") -> Route:
        """A page of `area` (the role map's key), behind its session and role checks."""
        return Route(path, page(dash, area, handler), methods=[method], name=name)

    return [
        at("/", "overview", "overview", pages_overview.overview_page),
        Route("/login", public(pages_auth.login_form), methods=["GET"], name="login"),
        Route("/login", public(pages_auth.login_password), methods=["POST"],
              name="login_password"),
        Route("/login/{token}", public(pages_auth.link_page), methods=["GET"], name="login_link"),
        Route("/login/{token}", public(pages_auth.link_login), methods=["POST"],
              name="login_link_post"),
        Route("/logout", public(pages_auth.logout), methods=["POST"], name="logout"),
        at("/members", "members", "members", pages_members.members_page),
        at("/members/{member_id:int}", "member", "members", pages_members.member_page),
        at("/feedback", "feedback", "feedback", pages_feedback.feedback_page),
        at("/feedback.csv", "feedback_csv", "feedback", pages_feedback.feedback_csv),
        at("/feedback/{item_id:int}", "feedback_item", "feedback",
           pages_feedback.feedback_change, "POST"),
        at("/alerts", "alerts", "alerts", pages_alerts.alerts_page),
        at("/alerts/{alert_id:int}", "alert", "alerts", pages_alerts.alert_page),
        at("/alerts/{alert_id:int}", "alert_change", "alerts", pages_alerts.alert_change,
           "POST"),
        at("/payments", "payments", "payments", pages_payments.payments_page),
        at("/payments/{payment_id:int}", "payment_change", "payments",
           pages_payments.payment_change, "POST"),
        at("/broadcasts", "broadcasts", "broadcasts", pages_broadcasts.broadcasts_page),
        at("/broadcasts/new", "broadcast_new", "broadcasts", pages_compose.compose_page),
        at("/broadcasts/new", "broadcast_create", "broadcasts", pages_compose.compose_post,
           "POST"),
        at("/broadcasts/{broadcast_id:int}", "broadcast", "broadcasts",
           pages_broadcasts.broadcast_page),
        at("/broadcasts/{broadcast_id:int}", "broadcast_change", "broadcasts",
           pages_compose.broadcast_change, "POST"),
        at("/sessions", "sessions", "sessions", pages_sessions.sessions_page),
        at("/sessions/{session_id:int}", "session", "sessions", pages_sessions.session_page),
        at("/sessions/{session_id:int}/attendance", "session_attendance", "sessions",
           pages_sessions.attendance_change, "POST"),
        at("/audit", "audit", "audit", pages_audit.audit_page),
        Route("/dashboard.css", stylesheet, methods=["GET"], name="dashboard_css"),
    ]
