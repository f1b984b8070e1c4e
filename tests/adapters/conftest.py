"""Fixtures for adapter tests: the real PTB Bot against the in-process fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, select

from bot.adapters.telegram_adapter import TelegramAdapter
from bot.app import BotApp
from bot.config import Settings
from bot.core.ratelimit import RateLimiter
from bot.storage.models import ConversationState, Identity, InboxEvent, Member, OutboxMessage
from tests.fakes.fake_telegram import FakeTelegramServer

TOKEN = "123456:TEST-TOKEN"
# Tests run with a short per-chat interval (both sides agree) to stay fast.
FAST_INTERVAL = 0.1


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(
        TOKEN, per_chat_interval=FAST_INTERVAL, per_chat_tolerance=0.02
    ) as server:
        yield server


@pytest.fixture
def tg_settings(settings: Settings, fake: FakeTelegramServer) -> Settings:
    return settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_url": fake.base_url}
    )


@pytest.fixture
def tg_app(app: BotApp, tg_settings: Settings) -> BotApp:
    """The migrated test app, with Telegram settings pointing at the fake."""
    return BotApp(tg_settings, engine=app.engine)


@pytest.fixture
def fast_limiter() -> RateLimiter:
    return RateLimiter(private_interval=FAST_INTERVAL, slack=0.02)


@pytest.fixture
async def adapter(tg_app: BotApp, fast_limiter: RateLimiter) -> AsyncIterator[TelegramAdapter]:
    tg = TelegramAdapter(tg_app, limiter=fast_limiter, poll_timeout=1, idle=0.2)
    yield tg
    await tg.close()


@pytest.fixture
def polling(adapter: TelegramAdapter) -> Callable[[], Any]:
    """`async with polling():` runs the adapter's polling loops for the block."""

    @contextlib.asynccontextmanager
    async def run() -> AsyncIterator[TelegramAdapter]:
        stop = asyncio.Event()
        task = asyncio.create_task(adapter.run_polling(stop))
        try:
            yield adapter
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=10)

    return run


class Records:
    """Reads what the bot stored, for assertions."""

    def __init__(self, app: BotApp) -> None:
        self.app = app

    def session(self) -> Session:
        return Session(self.app.engine, expire_on_commit=False)

    def identity(self, user_id: int) -> Identity | None:
        with self.session() as session:
            return session.exec(
                select(Identity).where(
                    Identity.platform == "telegram", Identity.user_id == str(user_id)
                )
            ).first()

    def member(self, user_id: int) -> Member | None:
        identity = self.identity(user_id)
        if identity is None:
            return None
        with self.session() as session:
            return session.get(Member, identity.member_id)

    def state(self, user_id: int) -> tuple[Any, ...] | None:
        """The member's conversation state, as comparable values."""
        identity = self.identity(user_id)
        if identity is None:
            return None
        with self.session() as session:
            row = session.get(ConversationState, identity.member_id)
            return (row.flow, row.step, row.data) if row else None

    def inbox(self) -> list[InboxEvent]:
        with self.session() as session:
            return list(session.exec(select(InboxEvent).order_by(col(InboxEvent.id))).all())

    def outbox(self) -> list[OutboxMessage]:
        with self.session() as session:
            return list(
                session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
            )


    def settled(self) -> bool:
        """Every stored event handled and every reply out (or given up on)."""
        return all(r.status != "pending" for r in self.inbox()) and all(
            r.status not in ("pending", "claimed", "sending") for r in self.outbox()
        )

    def replies_to(self, external_id: str) -> list[OutboxMessage]:
        """The outbox rows written while handling one update."""
        event = next(r for r in self.inbox() if r.external_id == external_id)
        return [r for r in self.outbox() if r.source_event_id == event.id]


@pytest.fixture
def records(tg_app: BotApp) -> Records:
    return Records(tg_app)


async def _wait_until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    """`await wait_until(lambda: ..., timeout=5)`: poll a condition without blocking the fake."""
    return _wait_until
