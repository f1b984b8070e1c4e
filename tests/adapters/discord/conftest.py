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

from bot.app import BotApp
from bot.config import Settings
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

