"""Logging in (by one-time link or password) and out.

Opening a link only shows a "Log in" button; pressing it uses the link up.
Chat apps fetch links to draw previews, and a GET that used the link would
let a preview spend it before the person ever saw it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.storage.db import transaction
from bot.web.dashboard import auth
from bot.web.dashboard.web import COOKIE, Dashboard, WebContext, same_origin, secure

LOGIN_CSRF = "copro_login_csrf"
PublicFn = Callable[[WebContext], Response]


def public(dash: Dashboard, fn: PublicFn) -> Callable[[Request], Awaitable[Response]]:
    """Run a page that needs no session, in a worker thread and one transaction."""

    async def endpoint(request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        return await run_in_threadpool(_run, dash, fn, request, form)

    endpoint.__name__ = fn.__name__
    return endpoint


def _run(dash: Dashboard, fn: PublicFn, request: Request, form: FormData | None) -> Response:
    from bot.web.dashboard.web import translator_for

    with transaction(dash.bot_app.engine) as db:
        return fn(WebContext(request, dash, db, translator_for(dash, None), form=form))


def _cookie_path(ctx: WebContext) -> str:
    return ctx.request.scope.get("root_path") or "/"


def _with_login_csrf(ctx: WebContext, template: str, status: int = 200,
                     **values: object) -> Response:
    """Render a login form with a fresh double-submit token (cookie plus hidden field)."""
    token = secrets.token_urlsafe(24)
    response = ctx.render(template, status=status, login_csrf=token, **values)
    response.set_cookie(LOGIN_CSRF, token, max_age=3600, httponly=True,
                        secure=ctx.cfg.cookie_secure, samesite="strict", path=_cookie_path(ctx))
    return response


def _login_csrf_ok(ctx: WebContext) -> bool:
    cookie = ctx.request.cookies.get(LOGIN_CSRF, "")
    given = ctx.field("csrf_token")
    return same_origin(ctx.request) and bool(cookie) and secrets.compare_digest(cookie, given)


def _client(ctx: WebContext) -> str | None:
    return ctx.request.client.host if ctx.request.client else None


def _safe_next(value: str) -> str | None:
    """Only our own paths: never `//evil.example` or a full URL."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def _start_session(ctx: WebContext, member_id: int, method: str, target: str | None) -> Response:
    token = auth.create_session(ctx.db, member_id, method, ctx.cfg)
    ctx.actor_id = member_id
    ctx.audit("login", "session", method=method)
    response = secure(RedirectResponse(target or ctx.url("overview"), status_code=303))
    response.set_cookie(COOKIE, token, max_age=int(ctx.cfg.session_hours * 3600), httponly=True,
                        secure=ctx.cfg.cookie_secure, samesite="lax", path=_cookie_path(ctx))
    response.delete_cookie(LOGIN_CSRF, path=_cookie_path(ctx))
    return response


def login_form(ctx: WebContext) -> Response:
    return _with_login_csrf(ctx, "login.html", problem="", next=_safe_next(ctx.arg("next")) or "")


def login_password(ctx: WebContext) -> Response:
    username, password = ctx.field("username"), ctx.form.get("password") if ctx.form else ""
    nxt = _safe_next(ctx.field("next"))
    if not _login_csrf_ok(ctx):
        return _with_login_csrf(ctx, "login.html", 403, problem="expired", next=nxt or "")
    keys = auth.attempt_keys(username, _client(ctx))
    if auth.is_limited(ctx.db, keys, ctx.cfg):
        return _with_login_csrf(ctx, "login.html", 429, problem="limited", next=nxt or "")
    member_id = auth.check_password(ctx.db, username, str(password or "")) if username else None
    if member_id is None:
        auth.record_failure(ctx.db, keys, ctx.cfg)
        return _with_login_csrf(ctx, "login.html", 401, problem="wrong", next=nxt or "")
    if not auth.dashboard_roles(ctx.db, member_id):
        return _with_login_csrf(ctx, "login.html", 403, problem="no_access", next="")
    auth.clear_failures(ctx.db, username)
    return _start_session(ctx, member_id, "password", nxt)


def link_page(ctx: WebContext) -> Response:
    token = ctx.request.path_params["token"]
    if not auth.peek_login_token(ctx.db, token, ctx.cfg.now()):
        return ctx.render("link_invalid.html", status=410)
    return _with_login_csrf(ctx, "link.html", token=token)


def link_login(ctx: WebContext) -> Response:
    token = ctx.request.path_params["token"]
    if not _login_csrf_ok(ctx):
        return _with_login_csrf(ctx, "link.html", 403, token=token)
    keys = auth.attempt_keys(None, _client(ctx))
    if auth.is_limited(ctx.db, keys, ctx.cfg):
        return ctx.render("link_invalid.html", status=429, limited=True)
    member_id = auth.consume_login_token(ctx.db, token, ctx.cfg.now())
    if member_id is None:
        auth.record_failure(ctx.db, keys, ctx.cfg)
        return ctx.render("link_invalid.html", status=410)
    if not auth.dashboard_roles(ctx.db, member_id):
        return ctx.render("link_invalid.html", status=403, no_access=True)
    return _start_session(ctx, member_id, "link", None)


def logout(ctx: WebContext) -> Response:
    """Needs the session's CSRF token, so another site cannot log staff out."""
    token = ctx.request.cookies.get(COOKIE, "")
    valid = bool(token) and auth.csrf_ok(token, ctx.field("csrf_token"))
    if not valid or not same_origin(ctx.request):
        return ctx.render("link_invalid.html", status=403, expired_form=True)
    session = auth.load_session(ctx.db, token, ctx.cfg)
    if session is not None:
        ctx.actor_id = session.member_id
        auth.revoke_session(ctx.db, token, ctx.cfg.now())
        ctx.audit("logout", "session")
    response = secure(RedirectResponse(ctx.url("login", {"bye": "1"}), status_code=303))
    response.delete_cookie(COOKIE, path=_cookie_path(ctx))
    return response
