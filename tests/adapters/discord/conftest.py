"""Fixtures for the Discord adapter tests: the real discord.py client against the
in-process fake. `fake` here is the fake Discord, not the fake Telegram of
tests/adapters/conftest.py.

A module changes the setup by overriding one fixture: `dc_settings` for server
settings, `dc_app` for a different router, `clock` to move time by hand.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import pytest
from pydantic import SecretStr
from sqlmodel import Session

from bot.app import BotApp
from bot.config import Settings
from bot.core.members import find_identity
from bot.storage.models import Member
from tests.fakes.fake_discord import TOKEN, DiscordHarness, FakeDiscord


@pytest.fixture
def clock() -> Callable[[], float]:
    return time.monotonic


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch,
               clock: Callable[[], float]) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(clock=clock) as server:
        server.patch(monkeypatch)
        yield server


@pytest.fixture
def dc_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"discord_bot_token": SecretStr(TOKEN)})


@pytest.fixture
def dc_app(app: BotApp, dc_settings: Settings) -> BotApp:
    """The migrated test app, with a Discord token."""
    return BotApp(dc_settings, engine=app.engine)


@pytest.fixture
async def bot(dc_app: BotApp, fake: FakeDiscord,
              clock: Callable[[], float]) -> AsyncIterator[DiscordHarness]:
    async with DiscordHarness(dc_app, fake, clock=clock) as harness:
        yield harness



def member_of(app: BotApp, user_id: int) -> Member:
    """The member behind a Discord user id (they must have written to the bot)."""
    with Session(app.engine) as session:
        identity = find_identity(session, "discord", str(user_id))
        assert identity is not None
        member = session.get(Member, identity.member_id)
        assert member is not None
        return member
