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
from bot.web.dashboard.web import Dashboard, page

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
    view = partial(page, dash)
    public = partial(pages_auth.public, dash)
    get, post = ["GET"], ["POST"]
    return [
        Route("/", view("overview", pages_overview.overview_page), methods=get, name="overview"),
        Route("/login", public(pages_auth.login_form), methods=get, name="login"),
        Route("/login", public(pages_auth.login_password), methods=post, name="login_password"),
        Route("/login/{token}", public(pages_auth.link_page), methods=get, name="login_link"),
        Route("/login/{token}", public(pages_auth.link_login), methods=post,
              name="login_link_post"),
        Route("/logout", public(pages_auth.logout), methods=post, name="logout"),
        Route("/members", view("members", pages_members.members_page), methods=get,
              name="members"),
        Route("/members/{member_id:int}", view("members", pages_members.member_page),
              methods=get, name="member"),
        Route("/feedback", view("feedback", pages_feedback.feedback_page), methods=get,
              name="feedback"),
        Route("/feedback.csv", view("feedback", pages_feedback.feedback_csv), methods=get,
              name="feedback_csv"),
        Route("/feedback/{item_id:int}", view("feedback", pages_feedback.feedback_change),
              methods=post, name="feedback_item"),
        Route("/alerts", view("alerts", pages_alerts.alerts_page), methods=get, name="alerts"),
        Route("/alerts/{alert_id:int}", view("alerts", pages_alerts.alert_page), methods=get,
              name="alert"),
        Route("/alerts/{alert_id:int}", view("alerts", pages_alerts.alert_change),
              methods=post, name="alert_change"),
        Route("/payments", view("payments", pages_payments.payments_page), methods=get,
              name="payments"),
        Route("/payments/{payment_id:int}", view("payments", pages_payments.payment_change),
              methods=post, name="payment_change"),
        Route("/broadcasts", view("broadcasts", pages_broadcasts.broadcasts_page), methods=get,
              name="broadcasts"),
        Route("/broadcasts/new", view("broadcasts", pages_compose.compose_page), methods=get,
              name="broadcast_new"),
        Route("/broadcasts/new", view("broadcasts", pages_compose.compose_post), methods=post,
              name="broadcast_create"),
        Route("/broadcasts/{broadcast_id:int}", view("broadcasts",
              pages_broadcasts.broadcast_page), methods=get, name="broadcast"),
        Route("/broadcasts/{broadcast_id:int}", view("broadcasts",
              pages_compose.broadcast_change), methods=post, name="broadcast_change"),
        Route("/sessions", view("sessions", pages_sessions.sessions_page), methods=get,
              name="sessions"),
        Route("/sessions/{session_id:int}", view("sessions", pages_sessions.session_page),
              methods=get, name="session"),
        Route("/sessions/{session_id:int}/attendance", view("sessions",
              pages_sessions.attendance_change), methods=post, name="session_attendance"),
        Route("/audit", view("audit", pages_audit.audit_page), methods=get, name="audit"),
        Route("/dashboard.css", stylesheet, methods=get, name="dashboard_css"),
    ]
