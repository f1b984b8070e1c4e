"""Shared fixtures. The suite runs on SQLite by default, or on PostgreSQL when
TEST_DATABASE_URL points at a server: each test then gets its own schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot.app import BotApp
from bot.config import Settings
from tests.harness import ChatHarness

PG_ENV = "TEST_DATABASE_URL"


def _pg_base() -> str | None:
    url = os.environ.get(PG_ENV, "")
    return url if url.startswith("postgres") else None


@pytest.fixture
def db_url(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty database for one test (file SQLite, or a PostgreSQL schema)."""
    base = _pg_base()
    if base is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = Settings(database_url=base).database_url
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url,
        organisations=["Bridge Trust", "NHS Riverside"],
        group_name="the Riverside group",
        languages=["en", "cy"],
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[BotApp]:
    bot_app = BotApp(settings)
    bot_app.upgrade_database()
    yield bot_app
    bot_app.engine.dispose()


@pytest.fixture
def chat(app: BotApp) -> ChatHarness:
    return ChatHarness(app)
