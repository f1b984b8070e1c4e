"""In-process fake of the Telegram Bot API for tests, served over real HTTP by aiohttp.

The real ``telegram.Bot`` talks to it unchanged::

    async with FakeTelegramServer(token="123:ABC") as server:
        async with Bot("123:ABC", base_url=server.base_url) as bot:
            server.add_update(server.make_text_update(42, "/start"))
            updates = await bot.get_updates(timeout=5)
            await bot.send_message(42, "<b>hi</b>", parse_mode="HTML")
            assert server.messages_to(42)[0]["text"] == "<b>hi</b>"

Requests go to ``POST {base_url}{token}/{method}`` (form, multipart or JSON bodies; method
names are case-insensitive like Telegram's). Answers are ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": ..., "parameters": {...}}``; a wrong token
gives 401 ``Unauthorized`` and an unknown method 404 ``Not Found``.

Methods: getMe, getUpdates, sendMessage, editMessageText, editMessageReplyMarkup,
deleteMessage, answerCallbackQuery, sendDocument, sendPhoto, sendChatAction, setWebhook,
deleteWebhook, getWebhookInfo, setMyCommands, getMyCommands, deleteMyCommands.
Text, captions and reply markups are validated by :mod:`telegram_validation` (HTML /
MarkdownV2 / Markdown parsing, 4096 UTF-16 units, 1..64-byte callback_data, ...).

``FakeTelegramServer(token="123456:TEST-TOKEN", *, host="127.0.0.1", port=0, ...)``
  Keyword options: ``bot_username``, ``bot_first_name``, ``global_limit=30``,
  ``global_window=1.0``, ``per_chat_interval=1.0``, ``per_chat_tolerance=0.05``,
  ``group_limit=20``, ``group_window=60.0``, ``enforce_limits=False``,
  ``strict_html_entities=True``, ``strict_private_chats=False`` (True: users only seen in
  groups get 403 "bot can't initiate conversation with a user"), ``max_text_length=4096``,
  ``max_caption_length=1024``, ``retry_after_grace=0.0`` (see Failures).

Lifecycle: ``await start()`` / ``await stop()`` or ``async with``; ``url``
(``http://127.0.0.1:PORT``), ``base_url`` (``url + "/bot"``), ``bot_user`` (the getMe dict).

Updates: ``add_update(update) -> int`` queues an update (assigning ``update_id`` when
missing) and registers its chats, users, messages and callback query ids. A
``my_chat_member`` update with status kicked/left blocks the chat, member unblocks it.
``pending_updates`` lists unconfirmed updates; getUpdates with ``offset=N`` drops all
updates with ``update_id < N``; a second concurrent getUpdates ends the first with 409.
Builders (methods; they allocate per-chat message ids but do not queue)::

    make_text_update(user_id, text, chat_id=None, chat_type="private", first_name="Test",
                     username=None, update_id=None, **kw)   # /commands get bot_command
    make_message_update(user_id, chat_id=None, chat_type="private", ..., **message_fields)
    make_edited_message_update(user_id, text, message_id=None, chat_id=None, **kw)
    make_callback_update(user_id, data, message_id=None, chat_id=None, first_name="Test",
                         username=None, update_id=None, callback_id=None)
    make_sticker_update(user_id, emoji="👍", **kw)
    make_photo_update(user_id, caption=None, **kw)
    make_voice_update(user_id, duration=3, **kw)
    make_document_update(user_id, file_name="file.pdf", mime_type="application/pdf", **kw)
    make_my_chat_member_update(user_id, new_status="kicked", old_status=None, chat_id=None,
                               chat_type="private", update_id=None)

``**kw`` of the message builders: chat_id, chat_type ("private", "group", "supergroup"),
first_name, last_name, username, language_code, title, update_id, message_id. Group chats
default to ``DEFAULT_GROUP_ID``, supergroups to ``DEFAULT_SUPERGROUP_ID``.

Chats: ``add_chat(chat_id, type="private", *, first_name=None, title=None, username=None)``,
``block(chat_id)``, ``unblock(chat_id)``, ``deactivate(chat_id)``,
``migrate(chat_id, new_chat_id)``, ``get_message(chat_id, message_id)``. Sending to an
unknown chat gives 400 "chat not found".

Records: ``sent`` (one dict per successful send/edit: method, chat_id, text (as sent, with
markup), plain_text, entities, parse_mode, reply_markup (dict or None), time
(``time.monotonic()``), message_id; documents add filename and content), ``requests``
(method, params, time, status, description), ``answered_callbacks`` (ids),
``callback_answers`` (dicts), ``deleted`` ((chat_id, message_id)), ``commands``,
``messages_to(chat_id)``, ``texts_to(chat_id)``, ``reset_records()``,
``await wait_for_sent(count=1, *, chat_id=None, method=None, timeout=5.0)``,
``await wait_until_confirmed(timeout=5.0)``.

Failures: ``fail_next(method, kind, count=1, *, retry_after=1, delay=10.0, chat_id=None,
scope="chat", description=None, parameters=None, process=True)``; method ``"*"`` matches
every method except getUpdates. Kinds: "429", "400"/"403"/"409"/"500"/"502"/... (any HTTP
status), "403_blocked", "403_deactivated", "timeout" (answer after ``delay`` seconds, by
default performing the request then), "disconnect" (drop the connection).
``throttle_for(chat_id_or_None, seconds)`` puts a scope under flood control (None: all
methods but getUpdates). Requests to a throttled scope are answered 429; those that arrive
after a 429 was already sent for that scope and before its deadline are appended to
``retry_after_violations`` (``RetryAfterViolation(method, scope, time, remaining)``).
``retry_after_grace`` (seconds, default 0) excuses requests that arrive that soon after
the scope's first 429: a client sending to many chats at once has several requests in
flight before it can read the 429, and only what it sends afterwards is a violation.
Storms: ``fail_next(..., count=N)`` fails the next N matching calls (each 429 re-arms the
scope's flood control), ``fail_next("*", "500", count=N)`` is a 5xx storm across methods,
and ``fail_next(method, "timeout", delay=10.0)`` answers after 10 s (a slow response; with
``process=False`` the request is not performed and 504 comes back).

Rate limits (sendMessage, sendDocument, sendPhoto; see ``limited_methods``): more than
``global_limit`` sends per ``global_window`` seconds, two sends to one private chat closer
than ``per_chat_interval - per_chat_tolerance`` seconds, more than ``group_limit`` sends to
one group (negative id) per ``group_window`` seconds are appended to ``rate_violations`` as
``RateViolation(kind, chat_id, time)`` with kind "global", "private" or "group". With
``enforce_limits = True`` such a send is refused with 429 (retry_after 1) instead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, NamedTuple

from aiohttp import web

from .telegram_validation import (
    ApiError,
    FormattedText,
    check_bot_commands,
    check_caption,
    check_reply_markup,
    check_text,
)

__all__ = [
    "DEFAULT_GROUP_ID",
    "DEFAULT_SUPERGROUP_ID",
    "ApiError",
    "FakeTelegramServer",
    "RateViolation",
    "RetryAfterViolation",
]

JSONDict = dict[str, Any]

DEFAULT_GROUP_ID = -987654321
DEFAULT_SUPERGROUP_ID = -1001987654321
_DEFAULT_ALLOWED = {"chat_member", "message_reaction", "message_reaction_count"}
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")
_BLOCKED = {
    "private": "Forbidden: bot was blocked by the user",
    "group": "Forbidden: bot was kicked from the group chat",
    "supergroup": "Forbidden: bot was kicked from the supergroup chat",
    "channel": "Forbidden: bot is not a member of the channel chat",
}
_DEACTIVATED = "Forbidden: user is deactivated"
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class RateViolation(NamedTuple):
    """A send that broke one of Telegram's rate limits."""

    kind: str  # "global", "private" or "group"
    chat_id: int
    time: float


class RetryAfterViolation(NamedTuple):
    """A request sent before the ``retry_after`` of an earlier 429 had passed."""

    method: str
    scope: int | None
    time: float
    remaining: float


@dataclass
class _Failure:
    method: str
    kind: str
    count: int
    retry_after: int = 1
    delay: float = 10.0
    chat_id: int | None = None
    scope: str = "chat"
    description: str | None = None
    parameters: JSONDict | None = None
    process: bool = True


@dataclass
class _Chat:
    id: int
    type: str
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    title: str | None = None
    blocked: bool = False
    deactivated: bool = False
    migrated_to: int | None = None

    def to_dict(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or "Test"
            if self.last_name:
                data["last_name"] = self.last_name
        else:
            data["title"] = self.title or f"Chat {self.id}"
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class _Throttle:
    until: float
    notified: bool
    notified_at: float = 0.0  # when the first 429 for this scope was answered


@dataclass
class _Upload:
    filename: str
    content_type: str
    content: bytes


@dataclass
class _Call:
    method: str
    params: JSONDict
    files: dict[str, _Upload]
    request: web.Request


class _ClientGoneError(Exception):
    """The HTTP client disconnected while a request was waiting."""


def _opt_str(params: JSONDict, name: str) -> str | None:
    value = params.get(name)
    return None if value is None else str(value)


def _opt_int(params: JSONDict, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _opt_float(params: JSONDict, name: str) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _opt_bool(params: JSONDict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _opt_json(params: JSONDict, name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    return value


def _update_type(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "")


class FakeTelegramServer:
    """A fake Telegram Bot API server on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "copro_test_bot",
        bot_first_name: str = "CoproBot",
        global_limit: int = 30,
        global_window: float = 1.0,
        per_chat_interval: float = 1.0,
        per_chat_tolerance: float = 0.05,
        group_limit: int = 20,
        group_window: float = 60.0,
        enforce_limits: bool = False,
        strict_html_entities: bool = True,
        strict_private_chats: bool = False,
        max_text_length: int = 4096,
        max_caption_length: int = 1024,
        retry_after_grace: float = 0.0,
    ) -> None:
        self.token = token
        self.host = host
        self._port = port
        prefix = token.split(":", 1)[0]
        self.bot_user: JSONDict = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.global_limit = global_limit
        self.global_window = global_window
        self.per_chat_interval = per_chat_interval
        self.per_chat_tolerance = per_chat_tolerance
        self.group_limit = group_limit
        self.group_window = group_window
        self.enforce_limits = enforce_limits
        self.strict_html_entities = strict_html_entities
        self.strict_private_chats = strict_private_chats
        self.max_text_length = max_text_length
        self.max_caption_length = max_caption_length
        self.retry_after_grace = retry_after_grace
        self.limited_methods: set[str] = {"sendMessage", "sendDocument", "sendPhoto"}

        self.sent: list[JSONDict] = []
        self.requests: list[JSONDict] = []
        self.answered_callbacks: list[str] = []
        self.callback_answers: list[JSONDict] = []
        self.deleted: list[tuple[int, int]] = []
        self.rate_violations: list[RateViolation] = []
        self.retry_after_violations: list[RetryAfterViolation] = []
        self.my_commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.webhook_url = ""

        self._chats: dict[int, _Chat] = {}
        self._group_only_users: set[int] = set()
        self._messages: dict[int, dict[int, JSONDict]] = {}
        self._last_message_id: dict[int, int] = {}
        self._pending: list[JSONDict] = []
        self._last_update_id = 0
        self._allowed_updates: set[str] | None = None
        self._open_callbacks: set[str] = set()
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._poll_serial = 0
        self._failures: list[_Failure] = []
        self._throttles: dict[int | None, _Throttle] = {}
        self._global_sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = {}
        self._changed = asyncio.Event()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._handlers = {
            name.lower(): (name, getattr(self, f"_api_{name}"))
            for name in (
                "getMe",
                "getUpdates",
                "sendMessage",
                "editMessageText",
                "editMessageReplyMarkup",
                "deleteMessage",
                "answerCallbackQuery",
                "sendDocument",
                "sendPhoto",
                "sendChatAction",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "setMyCommands",
                "getMyCommands",
                "deleteMyCommands",
            )
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start serving on ``host`` at a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        self._stopping.clear()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self._port)
        await site.start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Wake pending long polls and delays, then shut the server down."""
        self._stopping.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        """What to pass as ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_changed(self, timeout: float) -> None:
        event = self._changed
        try:
            await asyncio.wait_for(event.wait(), max(timeout, 0))
        except TimeoutError:
            pass

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").to_json(), status=404)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        entry: JSONDict = {
            "method": request.match_info["method"],
            "params": {},
            "time": time.monotonic(),
            "status": None,
            "description": None,
        }
        self.requests.append(entry)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            spec = self._handlers.get(request.match_info["method"].lower())
            if spec is None:
                raise ApiError(404, "Not Found")
            entry["method"], handler = spec
            params, files = await self._read_params(request)
            entry["params"] = params
            call = _Call(entry["method"], params, files, request)
            result = await self._dispatch(call, handler)
        except ApiError as error:
            entry["status"], entry["description"] = error.status, error.description
            return web.json_response(error.to_json(), status=error.status)
        except _ClientGoneError:
            entry["status"], entry["description"] = 499, "client disconnected"
            return web.Response(status=499)
        entry["status"] = 200
        return web.json_response({"ok": True, "result": result})

    async def _dispatch(self, call: _Call, handler: Any) -> Any:
        failure = self._take_failure(call)
        if failure is not None:
            await self._apply_failure(call, failure)
        self._check_throttle(call)
        violations = self._rate_check(call)
        result = await handler(call)
        if call.method in self.limited_methods and isinstance(result, dict):
            self._rate_commit(result["chat"]["id"], violations)
        return result

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, _Upload]]:
        params: JSONDict = dict(request.query)
        files: dict[str, _Upload] = {}
        if not request.body_exists:
            return params, files
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse JSON object")
            params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                content = value.file.read()
                files[key] = _Upload(value.filename, value.content_type, content)
            else:
                params[key] = value
        return params, files

    # ------------------------------------------------------------------ failures & limits

    def fail_next(
        self,
        method: str,
        kind: str,
        count: int = 1,
        *,
        retry_after: int = 1,
        delay: float = 10.0,
        chat_id: int | None = None,
        scope: str = "chat",
        description: str | None = None,
        parameters: JSONDict | None = None,
        process: bool = True,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (``"*"``: any but getUpdates) fail."""
        known = {"429", "timeout", "disconnect", "403_blocked", "403_deactivated"}
        if kind not in known and not (kind.isdigit() and 400 <= int(kind) < 600):
            raise ValueError(f"unknown failure kind {kind!r}")
        if scope not in ("chat", "global"):
            raise ValueError("scope must be 'chat' or 'global'")
        self._failures.append(
            _Failure(
                method,
                kind,
                count,
                retry_after,
                delay,
                chat_id,
                scope,
                description,
                parameters,
                process,
            )
        )

    def throttle_for(self, chat_id: int | None, seconds: float) -> None:
        """Answer 429 to requests for ``chat_id`` (None: all but getUpdates) for ``seconds``."""
        self._throttles[chat_id] = _Throttle(time.monotonic() + seconds, notified=False)

    def _peek_chat_id(self, params: JSONDict) -> int | None:
        raw = params.get("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):
            chat = self._chat_by_username(raw[1:])
            return chat.id if chat else None
        try:
            return int(raw) if raw is not None else None
        except (TypeError, ValueError):
            return None

    def _take_failure(self, call: _Call) -> _Failure | None:
        chat_id = self._peek_chat_id(call.params)
        for failure in self._failures:
            if failure.method == "*" and call.method == "getUpdates":
                continue
            if failure.method.lower() not in ("*", call.method.lower()):
                continue
            if failure.chat_id is not None and failure.chat_id != chat_id:
                continue
            failure.count -= 1
            if failure.count <= 0:
                self._failures.remove(failure)
            return failure
        return None

    async def _sleep(self, delay: float) -> bool:
        """Sleep up to ``delay`` seconds; False when the server is stopping."""
        try:
            await asyncio.wait_for(self._stopping.wait(), delay)
        except TimeoutError:
            return True
        return False

    async def _apply_failure(self, call: _Call, failure: _Failure) -> None:
        kind = failure.kind
        if kind == "429":
            scope = None if failure.scope == "global" else self._peek_chat_id(call.params)
            now = time.monotonic()
            self._throttles[scope] = _Throttle(now + failure.retry_after, True, now)
            raise self._too_many(failure.retry_after)
        if kind == "403_blocked":
            raise ApiError(403, _BLOCKED["private"])
        if kind == "403_deactivated":
            raise ApiError(403, _DEACTIVATED)
        if kind == "timeout":
            if not await self._sleep(failure.delay):
                raise ApiError(503, "Service Unavailable")
            if not failure.process:
                raise ApiError(504, "Gateway Timeout")
            return
        if kind == "disconnect":
            if call.request.transport is not None:
                call.request.transport.abort()
            raise _ClientGoneError
        status = int(kind)
        description = failure.description or HTTPStatus(status).phrase
        raise ApiError(status, description, failure.parameters)

    @staticmethod
    def _too_many(retry_after: int) -> ApiError:
        return ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )

    def _check_throttle(self, call: _Call) -> None:
        now = time.monotonic()
        chat_id = self._peek_chat_id(call.params)
        scopes: list[int | None] = [] if chat_id is None else [chat_id]
        if call.method != "getUpdates":
            scopes.append(None)
        for scope in scopes:
            throttle = self._throttles.get(scope)
            if throttle is None:
                continue
            if now >= throttle.until:
                del self._throttles[scope]
                continue
            remaining = throttle.until - now
            in_flight = now - throttle.notified_at < self.retry_after_grace
            if throttle.notified and not in_flight:
                self.retry_after_violations.append(
                    RetryAfterViolation(call.method, scope, now, remaining)
                )
            if not throttle.notified:
                throttle.notified, throttle.notified_at = True, now
            raise self._too_many(max(1, math.ceil(remaining)))

    def _rate_check(self, call: _Call) -> list[RateViolation]:
        """Violations a send would cause now; with enforce_limits they are refused."""
        chat_id = self._peek_chat_id(call.params)
        if call.method not in self.limited_methods or chat_id is None:
            return []
        now = time.monotonic()
        violations = []
        while self._global_sends and self._global_sends[0] <= now - self.global_window:
            self._global_sends.popleft()
        if len(self._global_sends) >= self.global_limit:
            violations.append(RateViolation("global", chat_id, now))
        history = self._chat_sends.setdefault(chat_id, deque())
        if chat_id > 0:
            allowed = self.per_chat_interval - self.per_chat_tolerance
            if history and now - history[-1] < allowed:
                violations.append(RateViolation("private", chat_id, now))
        else:
            while history and history[0] <= now - self.group_window:
                history.popleft()
            if len(history) >= self.group_limit:
                violations.append(RateViolation("group", chat_id, now))
        if violations and self.enforce_limits:
            self.rate_violations.extend(violations)
            scope = None if violations[0].kind == "global" else chat_id
            self._throttles[scope] = _Throttle(now + 1, notified=True, notified_at=now)
            raise self._too_many(1)
        return violations

    def _rate_commit(self, chat_id: int, violations: list[RateViolation]) -> None:
        now = time.monotonic()
        self.rate_violations.extend(violations)
        self._global_sends.append(now)
        self._chat_sends.setdefault(chat_id, deque()).append(now)

    # ------------------------------------------------------------------ chats & messages

    def add_chat(
        self,
        chat_id: int,
        type: str = "private",
        *,
        first_name: str | None = None,
        title: str | None = None,
        username: str | None = None,
    ) -> JSONDict:
        """Make a chat known to the bot; returns its Chat dict."""
        if (type == "private") != (chat_id > 0):
            raise ValueError("private chats have positive ids, groups and channels negative")
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(chat_id, type)
        chat.type = type
        chat.first_name = first_name or chat.first_name
        chat.title = title or chat.title
        chat.username = username or chat.username
        self._group_only_users.discard(chat_id)
        return chat.to_dict()

    def _ensure_chat(self, chat_id: int) -> _Chat:
        if chat_id not in self._chats:
            self.add_chat(chat_id, "private" if chat_id > 0 else "group")
        return self._chats[chat_id]

    def block(self, chat_id: int) -> None:
        """The user blocked the bot (or the bot was kicked from the group)."""
        self._ensure_chat(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block`."""
        self._ensure_chat(chat_id).blocked = False

    def deactivate(self, chat_id: int) -> None:
        """The user deleted their account."""
        self._ensure_chat(chat_id).deactivated = True

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group was upgraded to the supergroup ``new_chat_id``."""
        self._ensure_chat(chat_id).migrated_to = new_chat_id
        self.add_chat(new_chat_id, "supergroup", title=self._chats[chat_id].title)

    def _chat_by_username(self, username: str) -> _Chat | None:
        return next((c for c in self._chats.values() if c.username == username), None)

    def _writable_chat(self, params: JSONDict) -> _Chat:
        """The chat of ``chat_id``, raising the errors Telegram gives for it."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = self._peek_chat_id(params)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            if chat_id in self._group_only_users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise ApiError(400, "Bad Request: chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.deactivated:
            raise ApiError(403, _DEACTIVATED)
        if chat.blocked:
            raise ApiError(403, _BLOCKED.get(chat.type, _BLOCKED["private"]))
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _store_message(self, message: JSONDict) -> None:
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        self._messages.setdefault(chat_id, {})[message_id] = message
        if message_id > self._last_message_id.get(chat_id, 0):
            self._last_message_id[chat_id] = message_id

    def get_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The current state (after edits) of a stored message."""
        return self._messages.get(chat_id, {}).get(message_id)

    def _last_message(self, chat_id: int, sender_id: int) -> JSONDict | None:
        messages = self._messages.get(chat_id, {})
        for message_id in sorted(messages, reverse=True):
            if messages[message_id].get("from", {}).get("id") == sender_id:
                return messages[message_id]
        return None

    # ------------------------------------------------------------------ updates

    def add_update(self, update: JSONDict) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._last_update_id + 1
        update_id = int(update["update_id"])
        self._last_update_id = max(self._last_update_id, update_id)
        self._register_update(update)
        self._pending.append(update)
        self._pending.sort(key=lambda u: u["update_id"])
        self._notify()
        return update_id

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by an ``offset``."""
        return list(self._pending)

    def _register_user(self, user: JSONDict | None, chat: JSONDict) -> None:
        if not user or user.get("is_bot"):
            return
        user_id = int(user["id"])
        if chat["type"] == "private" or not self.strict_private_chats:
            if user_id not in self._chats:
                self._chats[user_id] = _Chat(
                    user_id,
                    "private",
                    first_name=user.get("first_name"),
                    last_name=user.get("last_name"),
                    username=user.get("username"),
                )
            self._group_only_users.discard(user_id)
        elif user_id not in self._chats:
            self._group_only_users.add(user_id)

    def _register_chat(self, chat: JSONDict) -> _Chat:
        known = self._chats.get(chat["id"])
        if known is None:
            known = self._chats[chat["id"]] = _Chat(
                chat["id"],
                chat["type"],
                first_name=chat.get("first_name"),
                last_name=chat.get("last_name"),
                username=chat.get("username"),
                title=chat.get("title"),
            )
            self._group_only_users.discard(chat["id"])
        return known

    def _register_update(self, update: JSONDict) -> None:
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            message = update.get(key)
            if message:
                self._register_chat(message["chat"])
                self._register_user(message.get("from"), message["chat"])
                self._store_message(message)
        query = update.get("callback_query")
        if query:
            self._open_callbacks.add(str(query["id"]))
            message = query.get("message")
            if message:
                self._register_chat(message["chat"])
                self._register_user(query.get("from"), message["chat"])
                if self.get_message(message["chat"]["id"], message["message_id"]) is None:
                    self._store_message(message)
        member = update.get("my_chat_member")
        if member:
            chat = self._register_chat(member["chat"])
            self._register_user(member.get("from"), member["chat"])
            status = member["new_chat_member"]["status"]
            chat.blocked = status in ("kicked", "left")

    def _deliverable(self, limit: int) -> list[JSONDict]:
        allowed = self._allowed_updates
        ready = []
        for update in list(self._pending):
            kind = _update_type(update)
            if (kind not in allowed) if allowed else (kind in _DEFAULT_ALLOWED):
                self._pending.remove(update)
                continue
            ready.append(update)
        return ready[:limit]

    def _confirm(self, offset: int) -> None:
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        self._notify()

    # ------------------------------------------------------------------ records

    def _record_sent(
        self,
        method: str,
        message: JSONDict,
        params: JSONDict,
        formatted: FormattedText,
        markup: JSONDict | None,
        text_param: str = "text",
        **extra: Any,
    ) -> None:
        self.sent.append(
            {
                "method": method,
                "chat_id": message["chat"]["id"],
                "message_id": message["message_id"],
                "text": params.get(text_param),
                "plain_text": formatted.text,
                "entities": formatted.entities,
                "parse_mode": params.get("parse_mode"),
                "reply_markup": markup,
                "time": time.monotonic(),
                **extra,
            }
        )
        self._notify()

    def messages_to(self, chat_id: int, *, include_edits: bool = False) -> list[JSONDict]:
        """Records of messages sent (and optionally edited) in ``chat_id``."""
        return [
            r
            for r in self.sent
            if r["chat_id"] == chat_id and (include_edits or r["method"].startswith("send"))
        ]

    def texts_to(self, chat_id: int) -> list[str | None]:
        """The ``text`` (as sent) of each message sent to ``chat_id``."""
        return [r["text"] for r in self.messages_to(chat_id)]

    @property
    def commands(self) -> list[JSONDict]:
        """Commands set for the default scope and no language."""
        return self.my_commands.get(('{"type": "default"}', ""), [])

    def reset_records(self) -> None:
        """Forget recorded requests, messages, answers and violations."""
        for records in (
            self.sent,
            self.requests,
            self.answered_callbacks,
            self.callback_answers,
            self.deleted,
            self.rate_violations,
            self.retry_after_violations,
        ):
            records.clear()

    async def wait_for_sent(
        self,
        count: int = 1,
        *,
        chat_id: int | None = None,
        method: str | None = None,
        timeout: float = 5.0,
    ) -> list[JSONDict]:
        """Wait until ``count`` matching records are in ``sent``; returns them all."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                r
                for r in self.sent
                if (chat_id is None or r["chat_id"] == chat_id)
                and (method is None or r["method"] == method)
            ]
            remaining = deadline - time.monotonic()
            if len(found) >= count:
                return found
            if remaining <= 0:
                raise TimeoutError(f"expected {count} sent messages, got {len(found)}: {found}")
            await self._wait_changed(remaining)

    async def wait_until_confirmed(self, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed (via offset) every queued update."""
        deadline = time.monotonic() + timeout
        while self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"updates still pending: {self._pending}")
            await self._wait_changed(remaining)

    # ------------------------------------------------------------------ API methods

    async def _api_getMe(self, call: _Call) -> JSONDict:
        return dict(self.bot_user)

    async def _api_getUpdates(self, call: _Call) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = call.params
        offset = _opt_int(params, "offset")
        limit = min(max(_opt_int(params, "limit") or 100, 1), 100)
        timeout = _opt_float(params, "timeout") or 0.0
        allowed = _opt_json(params, "allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = set(allowed) or None
        if offset is not None:
            self._confirm(offset)
        self._poll_serial += 1
        serial = self._poll_serial
        self._notify()
        deadline = time.monotonic() + timeout
        while True:
            transport = call.request.transport
            if transport is None or transport.is_closing():
                raise _ClientGoneError
            if serial != self._poll_serial:
                raise ApiError(409, _CONFLICT_POLL)
            ready = self._deliverable(limit)
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._stopping.is_set():
                return ready
            await self._wait_changed(min(remaining, 0.2))

    def _bot_message(self, chat: _Chat, **content: Any) -> JSONDict:
        message = {
            "message_id": self._new_message_id(chat.id),
            "from": dict(self.bot_user),
            "chat": chat.to_dict(),
            "date": int(time.time()),
            **content,
        }
        self._store_message(message)
        return message

    def _check_reply_to(self, chat: _Chat, params: JSONDict) -> None:
        reply = _opt_json(params, "reply_parameters")
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        if message_id is None:
            message_id = _opt_int(params, "reply_to_message_id")
            reply = {}
        if message_id is None or reply.get("allow_sending_without_reply"):
            return
        if self.get_message(chat.id, int(message_id)) is None:
            raise ApiError(400, "Bad Request: message to be replied not found")

    @staticmethod
    def _with_format(
        message: JSONDict, formatted: FormattedText, markup: JSONDict | None, key: str = "text"
    ) -> None:
        message[key] = formatted.text
        entities_key = "entities" if key == "text" else "caption_entities"
        message.pop(entities_key, None)
        if formatted.entities:
            message[entities_key] = formatted.entities
        message.pop("reply_markup", None)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup

    def _check_text(self, params: JSONDict) -> FormattedText:
        entities = _opt_json(params, "entities")
        return check_text(
            _opt_str(params, "text"),
            _opt_str(params, "parse_mode"),
            limit=self.max_text_length,
            entities=entities if isinstance(entities, list) else None,
            strict_html_entities=self.strict_html_entities,
        )

    async def _api_sendMessage(self, call: _Call) -> JSONDict:
        chat = self._writable_chat(call.params)
        markup = check_reply_markup(call.params.get("reply_markup"))
        formatted = self._check_text(call.params)
        self._check_reply_to(chat, call.params)
        message = self._bot_message(chat)
        self._with_format(message, formatted, markup)
        self._record_sent(call.method, message, call.params, formatted, markup)
        return message

    def _editable_message(self, params: JSONDict) -> tuple[_Chat, JSONDict]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the fake")
        chat = self._writable_chat(params)
        message_id = _opt_int(params, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self.get_message(chat.id, message_id)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, message

    @staticmethod
    def _not_modified() -> ApiError:
        return ApiError(
            400,
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message",
        )

    async def _api_editMessageText(self, call: _Call) -> JSONDict:
        _, message = self._editable_message(call.params)
        markup = check_reply_markup(call.params.get("reply_markup"))
        formatted = self._check_text(call.params)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        updated = dict(message)
        self._with_format(updated, formatted, markup)
        if updated == message:
            raise self._not_modified()
        updated["edit_date"] = int(time.time())
        self._store_message(updated)
        self._record_sent(call.method, updated, call.params, formatted, markup)
        return updated

    async def _api_editMessageReplyMarkup(self, call: _Call) -> JSONDict:
        _, message = self._editable_message(call.params)
        markup = check_reply_markup(call.params.get("reply_markup"))
        updated = dict(message)
        updated.pop("reply_markup", None)
        if markup and "inline_keyboard" in markup:
            updated["reply_markup"] = markup
        if updated == message:
            raise self._not_modified()
        updated["edit_date"] = int(time.time())
        self._store_message(updated)
        formatted = FormattedText(message.get("text", ""), message.get("entities", []))
        self._record_sent(call.method, updated, {"text": message.get("text")}, formatted, markup)
        return updated

    async def _api_deleteMessage(self, call: _Call) -> bool:
        chat = self._writable_chat(call.params)
        message_id = _opt_int(call.params, "message_id") or 0
        if self._messages.get(chat.id, {}).pop(message_id, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self.deleted.append((chat.id, message_id))
        return True

    async def _api_answerCallbackQuery(self, call: _Call) -> bool:
        query_id = _opt_str(call.params, "callback_query_id") or ""
        if query_id not in self._open_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        text = _opt_str(call.params, "text")
        if text and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks.append(query_id)
        self.callback_answers.append(
            {
                "id": query_id,
                "text": text,
                "show_alert": _opt_bool(call.params, "show_alert"),
                "url": _opt_str(call.params, "url"),
                "time": time.monotonic(),
            }
        )
        return True

    def _file(self, call: _Call, field: str) -> tuple[str, _Upload | None]:
        """The file_id/URL string or the uploaded file of ``field``."""
        value = call.params.get(field)
        upload = call.files.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value.removeprefix("attach://"))
        if upload is not None:
            if not upload.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return upload.filename, upload
        if not value:
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        return str(value), None

    async def _send_media(self, call: _Call, field: str) -> JSONDict:
        chat = self._writable_chat(call.params)
        name, upload = self._file(call, field)
        markup = check_reply_markup(call.params.get("reply_markup"))
        formatted = check_caption(
            _opt_str(call.params, "caption"),
            _opt_str(call.params, "parse_mode"),
            limit=self.max_caption_length,
            strict_html_entities=self.strict_html_entities,
        )
        self._check_reply_to(chat, call.params)
        serial = next(self._file_ids)
        file_info: JSONDict = {
            "file_id": f"{field}-{serial}" if upload else name,
            "file_unique_id": f"u{field}{serial}",
            "file_size": len(upload.content) if upload else 1024,
        }
        if field == "photo":
            media: Any = [{**file_info, "width": 800, "height": 600}]
        else:
            media = {**file_info, "file_name": name.rsplit("/", 1)[-1]}
            if upload:
                media["mime_type"] = upload.content_type
        message = self._bot_message(chat, **{field: media})
        if formatted.text:
            self._with_format(message, formatted, markup, key="caption")
        elif markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._record_sent(
            call.method,
            message,
            call.params,
            formatted,
            markup,
            text_param="caption",
            filename=name,
            content=upload.content if upload else None,
        )
        return message

    async def _api_sendDocument(self, call: _Call) -> JSONDict:
        return await self._send_media(call, "document")

    async def _api_sendPhoto(self, call: _Call) -> JSONDict:
        return await self._send_media(call, "photo")

    async def _api_sendChatAction(self, call: _Call) -> bool:
        self._writable_chat(call.params)
        return True

    async def _api_setWebhook(self, call: _Call) -> bool:
        url = _opt_str(call.params, "url") or ""
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        if _opt_bool(call.params, "drop_pending_updates"):
            self._pending.clear()
        self.webhook_url = url
        return True

    async def _api_deleteWebhook(self, call: _Call) -> bool:
        if _opt_bool(call.params, "drop_pending_updates"):
            self._pending.clear()
        self.webhook_url = ""
        return True

    async def _api_getWebhookInfo(self, call: _Call) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _commands_key(self, params: JSONDict) -> tuple[str, str]:
        scope = _opt_json(params, "scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), _opt_str(params, "language_code") or ""

    async def _api_setMyCommands(self, call: _Call) -> bool:
        commands = check_bot_commands(call.params.get("commands"))
        self.my_commands[self._commands_key(call.params)] = commands
        return True

    async def _api_getMyCommands(self, call: _Call) -> list[JSONDict]:
        return self.my_commands.get(self._commands_key(call.params), [])

    async def _api_deleteMyCommands(self, call: _Call) -> bool:
        self.my_commands.pop(self._commands_key(call.params), None)
        return True

    # ------------------------------------------------------------------ update builders

    def _user(
        self,
        user_id: int,
        first_name: str = "Test",
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                user[key] = value
        return user

    @staticmethod
    def _chat_for(
        user: JSONDict, chat_id: int | None, chat_type: str, title: str | None
    ) -> JSONDict:
        if chat_type == "private":
            chat_id = user["id"] if chat_id is None else chat_id
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    chat[key] = user[key]
            return chat
        if chat_id is None:
            chat_id = DEFAULT_SUPERGROUP_ID if chat_type == "supergroup" else DEFAULT_GROUP_ID
        if chat_id >= 0:
            raise ValueError(f"{chat_type} chats need a negative chat_id")
        return {"id": chat_id, "type": chat_type, "title": title or "Test group"}

    def make_message_update(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        title: str | None = None,
        update_id: int | None = None,
        message_id: int | None = None,
        update_type: str = "message",
        **message_fields: Any,
    ) -> JSONDict:
        """A ``message`` update from ``user_id`` with the given Message fields."""
        user = self._user(user_id, first_name, username, last_name, language_code)
        chat = self._chat_for(user, chat_id, chat_type, title)
        message = {
            "message_id": message_id or self._new_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            **message_fields,
        }
        update: JSONDict = {update_type: message}
        if update_id is not None:
            update["update_id"] = update_id
        return update

    def make_text_update(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        username: str | None = None,
        update_id: int | None = None,
        **kw: Any,
    ) -> JSONDict:
        """A text message; a leading ``/command`` gets a ``bot_command`` entity."""
        fields: JSONDict = {"text": text}
        match = _COMMAND_RE.match(text)
        if match:
            length = len(match.group(0).encode("utf-16-le")) // 2
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.make_message_update(
            user_id,
            chat_id=chat_id,
            chat_type=chat_type,
            first_name=first_name,
            username=username,
            update_id=update_id,
            **kw,
            **fields,
        )

    def make_edited_message_update(
        self,
        user_id: int,
        text: str,
        message_id: int | None = None,
        chat_id: int | None = None,
        **kw: Any,
    ) -> JSONDict:
        """An ``edited_message`` update; defaults to the user's last message in the chat."""
        update = self.make_text_update(user_id, text, chat_id=chat_id, message_id=-1, **kw)
        message = update.pop("message")
        original = None
        if message_id is None:
            original = self._last_message(message["chat"]["id"], user_id)
        message["message_id"] = (
            message_id
            or (original or {}).get("message_id")
            or self._new_message_id(message["chat"]["id"])
        )
        if original:
            message["date"] = original["date"]
        message["edit_date"] = int(time.time())
        update["edited_message"] = message
        return update

    def make_callback_update(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        chat_id: int | None = None,
        first_name: str = "Test",
        username: str | None = None,
        update_id: int | None = None,
        callback_id: str | None = None,
    ) -> JSONDict:
        """A button press on a bot message (default: the bot's last message in the chat)."""
        user = self._user(user_id, first_name, username)
        chat_id = user_id if chat_id is None else chat_id
        if message_id is None:
            message = self._last_message(chat_id, self.bot_user["id"])
        else:
            message = self.get_message(chat_id, message_id)
        if message is None:
            chat = self._chats.get(chat_id)
            message = {
                "message_id": message_id or self._new_message_id(chat_id),
                "from": dict(self.bot_user),
                "chat": chat.to_dict()
                if chat
                else self._chat_for(user, chat_id, "private" if chat_id > 0 else "group", None),
                "date": int(time.time()),
                "text": "...",
            }
        query = {
            "id": callback_id or f"cb{next(self._callback_ids)}",
            "from": user,
            "message": message,
            "chat_instance": str(abs(chat_id) * 7919),
            "data": data,
        }
        update: JSONDict = {"callback_query": query}
        if update_id is not None:
            update["update_id"] = update_id
        return update

    def _file_fields(self, prefix: str) -> JSONDict:
        serial = next(self._file_ids)
        return {"file_id": f"{prefix}-{serial}", "file_unique_id": f"u{prefix}{serial}"}

    def make_sticker_update(self, user_id: int, emoji: str = "👍", **kw: Any) -> JSONDict:
        """A sticker message."""
        sticker = {
            **self._file_fields("sticker"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self.make_message_update(user_id, sticker=sticker, **kw)

    def make_photo_update(self, user_id: int, caption: str | None = None, **kw: Any) -> JSONDict:
        """A photo message (two sizes), with an optional caption."""
        photo = [
            {**self._file_fields("photo"), "width": 90, "height": 68, "file_size": 1200},
            {**self._file_fields("photo"), "width": 800, "height": 600, "file_size": 54000},
        ]
        if caption is not None:
            kw["caption"] = caption
        return self.make_message_update(user_id, photo=photo, **kw)

    def make_voice_update(self, user_id: int, duration: int = 3, **kw: Any) -> JSONDict:
        """A voice message."""
        voice = {
            **self._file_fields("voice"),
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 4000 * duration,
        }
        return self.make_message_update(user_id, voice=voice, **kw)

    def make_document_update(
        self,
        user_id: int,
        file_name: str = "file.pdf",
        mime_type: str = "application/pdf",
        **kw: Any,
    ) -> JSONDict:
        """A document message."""
        document = {
            **self._file_fields("document"),
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": 2048,
        }
        return self.make_message_update(user_id, document=document, **kw)

    def make_my_chat_member_update(
        self,
        user_id: int,
        new_status: str = "kicked",
        old_status: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        update_id: int | None = None,
    ) -> JSONDict:
        """The user blocked ("kicked") or (re)started ("member") the bot, or left a group."""
        statuses = ("member", "kicked", "left")
        if old_status is None:
            old_status = (
                "member"
                if new_status != "member"
                else ("kicked" if chat_type == "private" else "left")
            )
        if new_status not in statuses or old_status not in statuses:
            raise ValueError(f"statuses must be one of {statuses}")
        user = self._user(user_id)

        def member(status: str) -> JSONDict:
            data: JSONDict = {"user": dict(self.bot_user), "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        update: JSONDict = {
            "my_chat_member": {
                "chat": self._chat_for(user, chat_id, chat_type, None),
                "from": user,
                "date": int(time.time()),
                "old_chat_member": member(old_status),
                "new_chat_member": member(new_status),
            }
        }
        if update_id is not None:
            update["update_id"] = update_id
        return update
