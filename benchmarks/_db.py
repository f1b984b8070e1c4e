"""Throwaway PostgreSQL databases and schemas for benchmarks.

Benchmarks must never touch real data, and two runs (or two engineers) on one
server must not see each other's rows. The runner makes one database per run;
each benchmark then works in a fresh schema of whatever URL it is given, so a
benchmark run on its own is just as isolated.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import make_url

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def normalise(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs, as the bot's settings do."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(normalise(url), isolation_level="AUTOCOMMIT",
                            connect_args={"connect_timeout": 5})


def with_search_path(url: str, schema: str) -> str:
    """`url` with every connection's search_path set to `schema` (libpq options)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def scratch_database(url: str | None = None) -> Iterator[str]:
    """A new, empty database on the server of `url`; dropped afterwards (even on error)."""
    base = make_url(normalise(url or DEFAULT_URL))
    name = f"copro_bench_{uuid.uuid4().hex[:10]}"
    admin = _admin(base.render_as_string(hide_password=False))
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_schema(url: str | None = None) -> Iterator[str]:
    """A URL whose connections live in a new schema of `url`'s database; dropped after."""
    base = normalise(url or DEFAULT_URL)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = _admin(base)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def server_version(url: str | None = None) -> str:
    """The PostgreSQL server's version string, e.g. '16.4'."""
    engine = _admin(url or DEFAULT_URL)
    try:
        with engine.connect() as conn:
            return str(conn.execute(sa.text("SHOW server_version")).scalar())
    finally:
        engine.dispose()
