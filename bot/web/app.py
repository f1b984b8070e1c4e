"""The ASGI app: `/healthz`, the Telegram webhook, and room for the staff dashboard.

`create_web_app()` builds the Starlette app; more routes (the dashboard) are
passed in as `routes=` or mounted on the result. `run_web()` serves it with
uvicorn and, when a webhook is configured, runs Telegram's processing and
delivery loops beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import BotApp
from bot.core.logsafe import log_failure

if TYPE_CHECKING:
    from bot.adapters.telegram_adapter import TelegramAdapter

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
MAX_UPDATE_BYTES = 1024 * 1024  # real updates are a few KB


def webhook_path(webhook_url: str | None) -> str:
    """The route path, taken from TELEGRAM_WEBHOOK_URL so the two always match."""
    path = urlsplit(webhook_url).path if webhook_url else ""
    return path if path not in ("", "/") else DEFAULT_WEBHOOK_PATH


def _db_ok(app: BotApp) -> bool:
    try:
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return False


async def healthz(request: Request) -> Response:
    """200 when the database answers; 503 otherwise, so a load balancer moves on."""
    ok = await asyncio.to_thread(_db_ok, request.app.state.bot_app)
    body = {"status": "ok" if ok else "error", "database": "ok" if ok else "error"}
    return JSONResponse(body, status_code=200 if ok else 503)


async def _read_limited(request: Request, limit: int) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def telegram_webhook(request: Request) -> Response:
    """Store the update, then say 200: Telegram resends anything not acknowledged.

    The secret header is how we know the request comes from Telegram; without
    it anyone could post fake button presses.
    """
    from telegram import Update

    adapter: TelegramAdapter = request.app.state.telegram
    expected: bytes | None = request.app.state.webhook_secret
    given = request.headers.get(SECRET_HEADER)
    if expected is None or given is None or not hmac.compare_digest(
        given.encode("utf-8", "replace"), expected
    ):
        return JSONResponse({"ok": False}, status_code=403)
    body = await _read_limited(request, MAX_UPDATE_BYTES)
    if body is None:
        return JSONResponse({"ok": False}, status_code=413)
    try:
        data = json.loads(body)
    except ValueError:
        return JSONResponse({"ok": False}, status_code=400)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return JSONResponse({"ok": False}, status_code=400)
    try:
        update = Update.de_json(data, adapter.bot)
    except Exception as exc:  # Telegram would resend it forever; there is nothing to keep
        log.warning("unreadable telegram update %s: %s", data["update_id"], type(exc).__name__)
        return JSONResponse({"ok": True})
    try:
        await adapter.ingest(update)
    except Exception as exc:  # not stored: let Telegram send it again
        log_failure(log, "could not store a telegram update", exc)
        return JSONResponse({"ok": False}, status_code=503)
    return JSONResponse({"ok": True})


def create_web_app(
    app: BotApp,
    *,
    telegram: TelegramAdapter | None = None,
    routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The web app for `app`; with `telegram`, also its webhook route.

    Extra routes (the dashboard) go in `routes`; handlers reach the bot through
    `request.app.state.bot_app`.
    """
    all_routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    if telegram is not None:
        path = webhook_path(app.settings.telegram_webhook_url)
        all_routes.append(Route(path, telegram_webhook, methods=["POST"]))
    all_routes.extend(routes)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if telegram is not None:
            from telegram.error import NetworkError

            try:
                await telegram.start()  # the route needs to know who the bot is
            except NetworkError as exc:  # until then updates get 503 and come again
                log.warning("telegram unreachable at start: %s", type(exc).__name__)
        yield

    web = Starlette(routes=all_routes, lifespan=lifespan)
    secret = app.settings.telegram_webhook_secret
    web.state.bot_app = app
    web.state.telegram = telegram
    web.state.webhook_secret = secret.get_secret_value().encode() if secret else None
    return web


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: our `stop` event decides."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def run_web(
    app: BotApp,
    stop: asyncio.Event | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    telegram: TelegramAdapter | None = None,
    routes: Sequence[BaseRoute] | None = None,
    serve_only: bool = False,
) -> None:
    """Serve the web app until `stop` (SIGINT/SIGTERM when None); with a Telegram
    webhook configured, run Telegram's processing and delivery beside it.

    `routes` defaults to the staff dashboard. `serve_only` leaves the webhook
    side (setting it, processing, delivery) to the process runner."""
    from bot.adapters.telegram_adapter import TelegramAdapter
    from bot.core.loops import run_together, stop_on_signals

    if stop is None:
        stop = asyncio.Event()
        with stop_on_signals(stop):
            await run_web(app, stop, host=host, port=port, telegram=telegram,
                          routes=routes, serve_only=serve_only)
        return
    if routes is None:
        from bot.web.dashboard import dashboard_routes

        routes = dashboard_routes(app)

    settings = app.settings
    if telegram is None and settings.telegram_bot_token and settings.telegram_webhook_url:
        telegram = TelegramAdapter(app)
    config = uvicorn.Config(
        create_web_app(app, telegram=telegram, routes=routes),
        host=host or settings.web_host,
        port=settings.web_port if port is None else port,
        log_config=None,
        access_log=False,  # paths and client addresses stay out of the logs
        lifespan="on",
    )
    server = _Server(config)

    async def serve(inner: asyncio.Event) -> None:
        task = asyncio.create_task(server.serve())
        waiter = asyncio.create_task(inner.wait())
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        server.should_exit = True
        await task

    side = telegram is not None and not serve_only
    loops = [serve] + ([telegram.run_webhook_side] if side and telegram else [])
    await run_together(stop, *loops)
