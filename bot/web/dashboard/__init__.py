"""The staff dashboard: server-rendered pages for feedback, alerts, payments and members.

`dashboard_routes(bot_app)` returns the routes to add to the web app. This
package imports Starlette and Jinja lazily, so the chat handler and the CLI can
use `bot.web.dashboard.auth` without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from bot.app import BotApp
    from bot.web.dashboard.config import DashboardConfig


def dashboard_routes(bot_app: BotApp, config: DashboardConfig | None = None) -> list[BaseRoute]:
    """The dashboard's routes; see `bot.web.dashboard.routes`."""
    from bot.web.dashboard.routes import dashboard_routes as build

    return build(bot_app, config)


__all__ = ["dashboard_routes"]
