"""Dashboard settings and the role map: who may open which page.

The defaults live on `bot.config.Settings`; tests pass a `DashboardConfig`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.storage.models import utcnow

# Roles that may log in to the dashboard at all. Everyone else gets no link.
DASHBOARD_ROLES = frozenset({"staff", "coordinator", "safeguarding", "finance", "admin"})

# Page -> roles allowed. `admin` is allowed everywhere (see `allowed`).
PAGE_ROLES: dict[str, frozenset[str]] = {
    "overview": DASHBOARD_ROLES,
    "members": frozenset({"staff", "coordinator", "safeguarding"}),
    "feedback": frozenset({"staff", "coordinator"}),
    "broadcasts": frozenset({"staff", "coordinator"}),
    "sessions": frozenset({"staff", "coordinator"}),
    "alerts": frozenset({"safeguarding"}),
    "payments": frozenset({"finance"}),
    "audit": frozenset(),
}
# Actions that move money need the finance role itself, even for admins.
FINANCE_ONLY = frozenset({"finance"})

LINK_VALID_FOR = timedelta(minutes=10)


def allowed(roles: frozenset[str], page: str) -> bool:
    """Admins see everything; everyone else needs one of the page's roles."""
    return "admin" in roles or bool(roles & PAGE_ROLES.get(page, frozenset()))


def can_log_in(roles: frozenset[str]) -> bool:
    return bool(roles & DASHBOARD_ROLES)


@dataclass
class DashboardConfig:
    """Everything the dashboard reads from settings, plus a clock tests can move."""

    base_url: str = "http://127.0.0.1:8080"
    cookie_secure: bool = True
    session_hours: float = 8.0
    idle_minutes: float = 60.0
    login_max_failures: int = 5
    login_window_minutes: float = 15.0
    page_size: int = 50
    overview_cache_seconds: float = 60.0
    clock: Callable[[], datetime] = field(default=utcnow)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> DashboardConfig:
        values: dict[str, Any] = {
            "base_url": base_url(settings),
            "cookie_secure": settings.dashboard_cookie_secure,
            "session_hours": settings.dashboard_session_hours,
            "idle_minutes": settings.dashboard_idle_minutes,
            "login_max_failures": settings.dashboard_login_max_failures,
            "login_window_minutes": settings.dashboard_login_window_minutes,
            "overview_cache_seconds": settings.dashboard_overview_cache_seconds,
        }
        values.update(overrides)
        return cls(**values)

    def now(self) -> datetime:
        return self.clock()


def base_url(settings: Settings) -> str:
    """`dashboard_base_url`, or the web server's own address when that is not set."""
    base = settings.dashboard_base_url or f"http://{settings.web_host}:{settings.web_port}"
    return base.rstrip("/")


def login_url(settings: Settings, token: str) -> str:
    """The link `/dashboard` sends: `{dashboard_base_url}/login/<token>`."""
    return f"{base_url(settings)}/login/{token}"
