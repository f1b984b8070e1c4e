"""Request plumbing: who is asking, may they see this page, CSRF, rendering.

Every dashboard page is a plain function `(WebContext) -> Response` wrapped by
`page()`. The wrapper runs it in a worker thread inside one database
transaction, after checking the session cookie, the role and (for POST) the
CSRF token, so a page cannot forget any of them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.core.logsafe import log_failure
from bot.i18n import Translator
from bot.storage.db import transaction
from bot.storage.models import Member
from bot.web.dashboard import audit, auth
from bot.web.dashboard.config import PAGE_ROLES, DashboardConfig, allowed

if TYPE_CHECKING:
    from bot.app import BotApp

log = logging.getLogger(__name__)

COOKIE = "copro_dashboard"
TEMPLATES = Path(__file__).resolve().parent / "templates"
RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "he", "ps", "sd", "ckb", "yi"})
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class PageError(Exception):
    """Stop a page with an error status; the change so far is rolled back."""

    def __init__(self, status: int, reason: str = "") -> None:
        super().__init__(status)
        self.status, self.reason = status, reason


@dataclass
class Dashboard:
    """One dashboard instance: the bot it shows, its settings and its templates."""

    bot_app: BotApp
    cfg: DashboardConfig
    env: Environment = field(init=False)
    # name -> (expires at, value): short-lived aggregates, e.g. the overview's figures
    cache: dict[str, tuple[float, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                               autoescape=select_autoescape(default=True))


@dataclass
class WebContext:
    """What a page may use: the request, the database, the staff member and their roles."""

    request: Request
    dash: Dashboard
    db: Session
    t: Translator
    member: Member | None = None
    roles: frozenset[str] = frozenset()
    session_token: str | None = None
    form: FormData | None = None
    actor_id: int | None = None

    @property
    def cfg(self) -> DashboardConfig:
        return self.dash.cfg

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else default

    def arg(self, name: str, default: str = "") -> str:
        """A query value without NUL characters, which PostgreSQL text cannot hold."""
        return self.request.query_params.get(name, default).replace("\x00", "").strip()

    def can(self, page: str) -> bool:
        return allowed(self.roles, page)

    def url(self, name: str, query: dict[str, Any] | None = None, **params: Any) -> str:
        """A path (not a full URL), so links work behind any proxy or mount point."""
        path = self.request.url_for(name, **params).path
        clean = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        return f"{path}?{urlencode(clean)}" if clean else path

    def redirect(self, name: str, query: dict[str, Any] | None = None, **params: Any) -> Response:
        return RedirectResponse(self.url(name, query, **params), status_code=303)

    def audit(self, action: str, target_type: str, target_id: object = None,
              subject_id: int | None = None, **detail: Any) -> None:
        audit.record(self.db, self.actor_id, action, target_type, target_id,
                     subject_id=subject_id, at=self.cfg.now(), **detail)

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        lang = self.t.lang
        html = self.dash.env.get_template(template).render(
            _=self.t.gettext, ngettext=self.t.ngettext, t=self.t, lang=lang,
            dir="rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr",
            me=self.member, can=self.can, url=self.url, pages=PAGE_ROLES,
            csrf=auth.csrf_token(self.session_token) if self.session_token else "",
            current=self.request.scope.get("route_name", ""), **values)
        return secure(HTMLResponse(html, status_code=status))


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def same_origin(request: Request) -> bool:
    """A browser's Origin header, when sent, must be our own host."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


def translator_for(dash: Dashboard, member: Member | None) -> Translator:
    i18n = dash.bot_app.i18n
    if member is None:
        return i18n.translator(i18n.default)
    return i18n.translator(member.language, member.timezone)


PageFn = Callable[[WebContext], Response]


def page(dash: Dashboard, name: str, fn: PageFn) -> Callable[[Request], Awaitable[Response]]:
    """Wrap `fn` with login, role and CSRF checks; `name` is a key of PAGE_ROLES."""
    if name not in PAGE_ROLES:
        raise ValueError(f"no roles declared for page {name!r}")

    async def endpoint(request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        request.scope["route_name"] = name
        return await run_in_threadpool(_run, dash, name, fn, request, form)

    endpoint.__name__ = getattr(fn, "__name__", name)
    return endpoint


def _run(dash: Dashboard, name: str, fn: PageFn, request: Request,
         form: FormData | None) -> Response:
    token = request.cookies.get(COOKIE)
    ctx: WebContext | None = None
    try:
        with transaction(dash.bot_app.engine) as db:
            ctx = WebContext(request, dash, db, translator_for(dash, None), form=form)
            session = auth.load_session(db, token, dash.cfg) if token else None
            roles = auth.dashboard_roles(db, session.member_id) if session else frozenset()
            if session is None or not roles:
                return _to_login(dash, request)
            ctx.member, ctx.roles = db.get(Member, session.member_id), roles
            ctx.actor_id, ctx.session_token = session.member_id, token
            ctx.t = translator_for(dash, ctx.member)
            if request.method == "POST":
                given = form.get("csrf_token") if form is not None else None
                if not same_origin(request) or not auth.csrf_ok(token or "", str(given or "")):
                    raise PageError(403, "csrf")
            if not allowed(roles, name):
                raise PageError(403, "role")
            return fn(ctx)
    except PageError as exc:
        return _error_page(dash, ctx, request, exc.status, exc.reason)
    except Exception as exc:  # never show a stack trace (it may hold personal data)
        log_failure(log, f"dashboard page {name} failed", exc)
        return _error_page(dash, ctx, request, 500, "error")


def _to_login(dash: Dashboard, request: Request) -> Response:
    if request.method != "GET":
        _ = translator_for(dash, None).gettext
        return secure(HTMLResponse(_("Please log in again."), status_code=403))
    target = request.url_for("login").path
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return secure(RedirectResponse(f"{target}?{urlencode({'next': nxt})}", status_code=303))


def _error_page(dash: Dashboard, ctx: WebContext | None, request: Request, status: int,
                reason: str) -> Response:
    """A kind error page. The rolled-back session is not used again."""
    if ctx is None:
        _ = translator_for(dash, None).gettext
        return secure(HTMLResponse(_("Something went wrong"), status_code=status))
    with Session(dash.bot_app.engine) as db:
        ctx.db = db
        ctx.member = db.get(Member, ctx.actor_id) if ctx.actor_id else None
        return ctx.render("error.html", status=status, status_code=status, reason=reason)
