"""Shared fixtures.

Every database test runs twice: on SQLite and on PostgreSQL (each test gets its
own schema). PostgreSQL is at TEST_DATABASE_URL, by default the local server.
When it is down those runs are skipped, unless COPRO_REQUIRE_POSTGRES=1 (CI),
which makes them fail. TEST_DATABASES=sqlite limits a run to one database.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot.app import BotApp
from bot.config import Settings
from tests.harness import ChatHarness

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DATABASES = [d for d in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",") if d]


@functools.cache
def _pg_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # the reason is shown in the skip message
        return type(exc).__name__


@pytest.fixture(params=DATABASES)
def db_url(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A fresh, empty database for one test (file SQLite, or a PostgreSQL schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = Settings(database_url=os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)).database_url
    problem = _pg_reachable(base)
    if problem:
        if os.environ.get("COPRO_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable ({problem})")
        pytest.skip(f"PostgreSQL unreachable ({problem})")
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


@pytest.fixture
def run_cli(db_url: str, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """`run_cli("roles", "list")` runs `copro-bot` on this test's database and
    returns (exit code, stdout, stderr)."""
    from bot import cli
    from bot.config import get_settings

    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    get_settings.cache_clear()
