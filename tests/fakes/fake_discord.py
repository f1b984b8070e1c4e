"""In-process fake of Discord's REST API for tests, served over real HTTP by aiohttp,
plus builders for raw gateway payloads.

discord.py runs unchanged against it (its real HTTP client, rate-limit handling,
interaction webhooks), once `Route.BASE` points here: use ``fake.patch(monkeypatch)``.
Gateway events are not sent over a websocket: tests feed the payloads to the
client's own parsers (``client._connection.parse_message_create(payload)``), as
discord.py's tests do, and discord.py builds its real objects from them.

Records (each with ``time`` from ``clock``, default ``time.monotonic``):
``requests`` (method, path, status), ``messages`` (sent channel messages: id,
channel_id, content, components, files), ``callbacks`` (interaction acks: id,
type, data), ``webhooks`` (edits/deletes/follow-ups on interaction tokens),
``syncs`` (command-sync PUTs: path, commands), ``violations`` (requests sent to a
scope while a 429 we answered still held it).

Scripting: ``close_dms(channel_id)`` answers 403/50007 to sends there;
``rate_limit(channel_id, retry_after, count=1, global_=False)`` answers the next
``count`` sends there (or, with ``global_``, any request) with a 429.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
import discord.webhook.async_
from aiohttp import web

TOKEN = "fake-discord-token"
APP_ID = 900000000000000001
BOT_ID = 900000000000000002
DEADLINE = 3.0  # seconds Discord allows to acknowledge an interaction


def user(user_id: int, name: str = "member") -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None,
            "global_name": None, "bot": False}


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class RateLimit:
    retry_after: float
    count: int
    global_: bool


@dataclass
class FakeDiscord:
    """The fake REST API; `async with FakeDiscord() as fake:` serves it on a free port."""

    clock: Callable[[], float] = time.monotonic
    requests: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    syncs: list[dict[str, Any]] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    closed_dms: set[str] = field(default_factory=set)
    dm_channels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1_000_000_000_000_000_000)
        self._limits: dict[str, RateLimit] = {}
        self._held: dict[str, float] = {}  # scope -> clock time its 429 ends
        self._interactions: dict[str, float] = {}  # id -> clock time created
        self._acked: set[str] = set()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ---------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/v10"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def patch(self, monkeypatch: Any) -> None:
        """Point discord.py's REST and webhook routes here for one test."""
        monkeypatch.setattr(discord.http.Route, "BASE", self.url)
        monkeypatch.setattr(discord.webhook.async_.Route, "BASE", self.url)

    def next_id(self) -> int:
        return next(self._ids)

    # ---------------------------------------------------------------- scripting

    def close_dms(self, channel_id: str | int) -> None:
        self.closed_dms.add(str(channel_id))

    def rate_limit(self, channel_id: str | int | None, retry_after: float, *, count: int = 1,
                   global_: bool = False) -> None:
        self._limits["*" if global_ else str(channel_id)] = RateLimit(retry_after, count, global_)

    def messages_to(self, channel_id: str | int) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel_id"] == str(channel_id)]

    def texts_to(self, channel_id: str | int) -> list[str]:
        return [m["content"] for m in self.messages_to(channel_id)]

    def last_buttons(self, channel_id: str | int) -> list[dict[str, Any]]:
        """The buttons of the latest message with buttons in that channel."""
        for message in reversed(self.messages_to(channel_id)):
            if message["components"]:
                return [b for row in message["components"] for b in row["components"]]
        return []

    def calls(self, method: str, path_part: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and path_part in r["path"]]

    # ---------------------------------------------------------------- gateway payloads

    def dm_channel_for(self, user_id: int) -> str:
        key = str(user_id)
        if key not in self.dm_channels:
            self.dm_channels[key] = str(self.next_id())
        return self.dm_channels[key]

    def dm_message(self, user_id: int, content: str, **extra: Any) -> dict[str, Any]:
        return {"id": str(self.next_id()), "channel_id": self.dm_channel_for(user_id),
                "author": user(user_id), "content": content, "timestamp": now_iso(),
                "edited_timestamp": None, "tts": False, "mention_everyone": False,
                "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
                "pinned": False, "type": 0, "flags": 0, **extra}

    def _interaction(self, user_id: int, kind: int, data: dict[str, Any],
                     guild_id: int | None, **extra: Any) -> dict[str, Any]:
        interaction_id = str(self.next_id())
        self._interactions[interaction_id] = self.clock()
        payload: dict[str, Any] = {
            "id": interaction_id, "application_id": str(APP_ID), "type": kind, "data": data,
            "token": f"itoken-{interaction_id}", "version": 1, "locale": "en-GB",
            "attachment_size_limit": 10_000_000, "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id or 0)}, **extra,
        }
        if guild_id is None:
            payload["context"] = 1
            payload["user"] = user(user_id)
            payload["channel"] = {"id": self.dm_channel_for(user_id), "type": 1,
                                  "recipients": [user(user_id)]}
        else:
            payload["context"] = 0
            payload["guild_id"] = str(guild_id)
            payload["member"] = member(user_id, [])
            payload["channel"] = {"id": str(guild_id + 1), "type": 0, "name": "general",
                                  "guild_id": str(guild_id), "position": 0,
                                  "permission_overwrites": []}
        payload["channel_id"] = payload["channel"]["id"]
        return payload

    def command(self, user_id: int, name: str, text: str | None = None, *,
                guild_id: int | None = None) -> dict[str, Any]:
        options = [{"name": "text", "type": 3, "value": text}] if text is not None else []
        data = {"id": str(self.next_id()), "name": name, "type": 1, "options": options}
        return self._interaction(user_id, 2, data, guild_id)

    def press(self, user_id: int, custom_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """A button interaction on `message` (a recorded message dict)."""
        data = {"custom_id": custom_id, "component_type": 2}
        return self._interaction(user_id, 3, data, None, message=message)

    # ---------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body = await _body(request)
        now = self.clock()
        response = self._limited(request.method, path, now) or self._route(
            request.method, path, body, now)
        self.requests.append({"method": request.method, "path": path,
                              "status": response.status, "time": now})
        return response

    def _limited(self, method: str, path: str, now: float) -> web.Response | None:
        scope = _channel_of(path)
        for key in ("*", scope):
            if key and self._held.get(key, 0) > now:
                self.violations.append({"method": method, "path": path, "time": now,
                                        "remaining": self._held[key] - now})
        if "/interactions/" in path:
            return None  # interaction callbacks are exempt from rate limits
        for key in ("*", scope):
            limit = self._limits.get(key) if key else None
            if key is None or limit is None or (key != "*" and method != "POST"):
                continue
            limit.count -= 1
            if limit.count <= 0:
                del self._limits[key]
            self._held[key] = now + limit.retry_after
            headers = {"Retry-After": str(limit.retry_after), "Via": "1.1 google",
                       "X-RateLimit-Scope": "global" if limit.global_ else "user"}
            if limit.global_:
                headers["X-RateLimit-Global"] = "true"
            body = {"message": "You are being rate limited.", "retry_after": limit.retry_after,
                    "global": limit.global_}
            return _json(body, status=429, headers=headers)
        return None

    def _route(self, method: str, path: str, body: Any, now: float) -> web.Response:
        parts = path.strip("/").split("/")
        if path == "/users/@me" and method == "GET":
            return _json({**user(BOT_ID, "copro-bot"), "bot": True})
        if path == "/oauth2/applications/@me":
            return _json(application())
        if path == "/users/@me/channels" and method == "POST":
            channel_id = self.dm_channel_for(int(body["recipient_id"]))
            return _json({"id": channel_id, "type": 1,
                                      "recipients": [user(int(body["recipient_id"]))]})
        if parts[0] == "channels" and parts[2:] == ["messages"] and method == "POST":
            return self._message(parts[1], body, now)
        if parts[0] == "interactions" and parts[-1] == "callback":
            return self._callback(parts[1], body, now)
        if parts[0] == "webhooks":
            self.webhooks.append({"method": method, "token": parts[2], "path": path,
                                  "data": body, "time": now})
            if method == "DELETE":
                return web.Response(status=204)
            return _json(self._message_object("0", body or {}))
        if parts[0] == "applications" and parts[-1] == "commands" and method == "PUT":
            self.syncs.append({"path": path, "commands": body, "time": now})
            return _json([{**c, "id": str(self.next_id()),
                                       "application_id": str(APP_ID), "version": "1"}
                                      for c in body])
        return _error(404, 0, "404: Not Found")

    def _message(self, channel_id: str, body: dict[str, Any], now: float) -> web.Response:
        if channel_id in self.closed_dms:
            return _error(403, 50007, "Cannot send messages to this user")
        content = body.get("content") or ""
        rows = body.get("components") or []
        problem = _invalid_message(content, rows, body.get("_files", []))
        if problem:
            return _error(400, 50035, problem)
        message = self._message_object(channel_id, body)
        self.messages.append({"id": message["id"], "channel_id": channel_id,
                              "content": content, "components": rows,
                              "files": body.get("_files", []), "time": now,
                              "object": message})
        return _json(message)

    def _message_object(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(self.next_id()), "channel_id": channel_id,
                "author": {**user(BOT_ID, "copro-bot"), "bot": True},
                "content": body.get("content") or "", "timestamp": now_iso(),
                "edited_timestamp": None, "tts": False, "mention_everyone": False,
                "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
                "pinned": False, "type": 0, "flags": 0,
                "components": body.get("components") or []}

    def _callback(self, interaction_id: str, body: dict[str, Any], now: float) -> web.Response:
        created = self._interactions.get(interaction_id)
        if created is None or now - created > DEADLINE:
            return _error(404, 10062, "Unknown interaction")
        if interaction_id in self._acked:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        self._acked.add(interaction_id)
        self.callbacks.append({"id": interaction_id, "type": body.get("type"),
                               "data": body.get("data"), "time": now, "created": created})
        return _json({"interaction": {"id": interaction_id, "type": 2,
                                                  "response_message_loading": True}})


def member(user_id: int, roles: list[int], joined_at: str | None = None) -> dict[str, Any]:
    return {"user": user(user_id), "roles": [str(r) for r in roles], "nick": None,
            "avatar": None, "joined_at": joined_at or now_iso(), "deaf": False, "mute": False,
            "flags": 0, "pending": False, "permissions": "0"}


def guild(guild_id: int, role_ids: list[int], members: list[dict[str, Any]] | None = None,
          welcome_channel_id: int | None = None) -> dict[str, Any]:
    """A GUILD_CREATE payload with an @everyone role, the given roles and members."""
    roles = [{"id": str(guild_id), "name": "@everyone", "permissions": "0", "position": 0,
              "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}]
    roles += [{"id": str(r), "name": f"role{i}", "permissions": "0", "position": i + 1,
               "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}
              for i, r in enumerate(role_ids)]
    channels = [{"id": str(welcome_channel_id or guild_id + 1), "type": 0, "name": "welcome",
                 "position": 0, "permission_overwrites": [], "guild_id": str(guild_id)}]
    members = members or []
    return {"id": str(guild_id), "name": "Riverside", "icon": None, "owner_id": "1",
            "roles": roles, "channels": channels, "members": members,
            "member_count": len(members), "emojis": [], "stickers": [], "features": [],
            "threads": [], "large": False, "unavailable": False, "voice_states": [],
            "presences": [], "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "premium_tier": 0,
            "preferred_locale": "en-GB", "nsfw_level": 0, "joined_at": now_iso()}


def application() -> dict[str, Any]:
    return {"id": str(APP_ID), "name": "copro-bot", "description": "", "icon": None,
            "bot_public": False, "bot_require_code_grant": False, "verify_key": "0" * 64,
            "owner": user(1, "owner"), "flags": 0}


def _channel_of(path: str) -> str | None:
    parts = path.strip("/").split("/")
    return parts[1] if parts[0] == "channels" and len(parts) > 1 else None


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Discord's exact content type (discord.py compares it literally)."""
    return web.Response(body=json.dumps(body).encode(), status=status,
                        headers={**(headers or {}), "Content-Type": "application/json"})


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status=status)


def _invalid_message(content: str, rows: list[dict[str, Any]], files: list[str]) -> str | None:
    """Discord's checks that matter here: 2000 characters, 5x5 buttons, unique ids."""
    if len(content.encode("utf-16-le")) // 2 > 2000:
        return "content: Must be 2000 or fewer in length."
    if not content and not rows and not files:
        return "Cannot send an empty message"
    if len(rows) > 5 or any(len(row.get("components", [])) > 5 for row in rows):
        return "components: too many"
    ids = [b.get("custom_id", "") for row in rows for b in row.get("components", [])]
    if len(set(ids)) != len(ids) or any(not 1 <= len(i) <= 100 for i in ids):
        return "custom_id: invalid or repeated"
    labels = [b.get("label") or "" for row in rows for b in row.get("components", [])]
    if any(len(label) > 80 for label in labels):
        return "label: Must be 80 or fewer in length."
    return None


async def _body(request: web.Request) -> Any:
    if request.content_type == "application/json":
        return await request.json()
    if request.content_type.startswith("multipart/"):
        found: dict[str, Any] = {"_files": []}
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":  # type: ignore[union-attr]
                found.update(json.loads(await part.text()))  # type: ignore[union-attr]
            else:
                found["_files"].append(part.filename)  # type: ignore[union-attr]
                await part.read()  # type: ignore[union-attr]
        return found
    return None


class FakeClock:
    """A clock the test moves by hand, for deadlines that must not depend on load."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll `condition` while the event loop keeps serving the fake and the client."""
    import asyncio

    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


class DiscordHarness:
    """The real adapter and discord.py client, logged in to the fake.

    `feed(name, payload)` hands a gateway payload to discord.py's own parser;
    `deliver()` runs the inbox and the outbox until both are empty.
    """

    def __init__(self, app: Any, fake: FakeDiscord, **options: Any) -> None:
        from bot.adapters.discord_adapter import DiscordAdapter
        from bot.core.ratelimit import RateLimiter

        options.setdefault("limiter", RateLimiter(global_rate=1000, group_rate=1000, slack=0,
                                                  is_group=lambda scope: True))
        self.app = app
        self.fake = fake
        self.adapter = DiscordAdapter(app, **options)
        self.client = self.adapter.client
        self.state = self.client._connection

    async def __aenter__(self) -> DiscordHarness:
        await self.client.login(TOKEN)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.close()

    def feed(self, event: str, payload: dict[str, Any]) -> None:
        getattr(self.state, f"parse_{event}")(payload)

    async def deliver(self) -> None:
        import asyncio

        while True:
            handled = await asyncio.to_thread(self.app.process_pending)
            sent = 0
            while batch := await self.adapter.worker.run_once():
                sent += batch
            if not handled and not sent:
                break
        await self.adapter.closer.close_ready()

    async def dm(self, user_id: int, text: str) -> dict[str, Any]:
        """A DM typed by `user_id`, stored and handled, replies delivered."""
        payload = self.fake.dm_message(user_id, text)
        self.feed("message_create", payload)
        await until(lambda: self.stored(payload["id"]))
        await self.deliver()
        return payload

    async def slash(self, user_id: int, name: str, text: str | None = None,
                    **kw: Any) -> dict[str, Any]:
        payload = self.fake.command(user_id, name, text, **kw)
        self.feed("interaction_create", payload)
        await until(lambda: self.stored(payload["id"]))
        await self.deliver()
        return payload

    async def press(self, user_id: int, label: str) -> dict[str, Any]:
        """Press the button with `label` on the latest message with buttons."""
        channel = self.fake.dm_channel_for(user_id)
        for message in reversed(self.fake.messages_to(channel)):
            buttons = [b for row in message["components"] for b in row["components"]]
            if buttons:
                found = [b for b in buttons if b["label"] == label]
                assert found, f"no button {label!r}; have {[b['label'] for b in buttons]}"
                payload = self.fake.press(user_id, found[0]["custom_id"], message["object"])
                self.feed("interaction_create", payload)
                external_id = payload["id"]
                await until(lambda: self.stored(external_id))  # noqa: B023 - awaited here
                await self.deliver()
                return payload
        raise AssertionError("no message with buttons")

    def stored(self, external_id: str) -> bool:
        from sqlmodel import Session, select

        from bot.storage.models import InboxEvent

        with Session(self.app.engine) as session:
            return session.exec(select(InboxEvent.id).where(
                InboxEvent.platform == "discord", InboxEvent.external_id == external_id)
            ).first() is not None
