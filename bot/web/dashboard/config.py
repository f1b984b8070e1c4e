"""Dashboard settings and the role map: who may open which page.

Settings are read with `getattr(settings, name, default)` so the dashboard
works before the fields exist on `Settings`; tests pass a `DashboardConfig`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

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
    def from_settings(cls, settings: Any, **overrides: Any) -> DashboardConfig:
        host = getattr(settings, "web_host", "127.0.0.1")
        port = getattr(settings, "web_port", 8080)
        base = getattr(settings, "dashboard_base_url", None) or f"http://{host}:{port}"
        values: dict[str, Any] = {
            "base_url": str(base).rstrip("/"),
            "cookie_secure": bool(getattr(settings, "dashboard_cookie_secure", True)),
            "session_hours": float(getattr(settings, "dashboard_session_hours", 8)),
            "idle_minutes": float(getattr(settings, "dashboard_idle_minutes", 60)),
            "login_max_failures": int(getattr(settings, "dashboard_login_max_failures", 5)),
            "login_window_minutes": float(
                getattr(settings, "dashboard_login_window_minutes", 15)
            ),
            "overview_cache_seconds": float(
                getattr(settings, "dashboard_overview_cache_seconds", 60)
            ),
        }
        values.update(overrides)
        return cls(**values)

    def now(self) -> datetime:
        return self.clock()


def login_url(settings: Any, token: str) -> str:
    """The link `/dashboard` sends: `{dashboard_base_url}/login/<token>`."""
    return f"{DashboardConfig.from_settings(settings).base_url}/login/{token}"
