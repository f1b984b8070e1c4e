"""Choosing the one process that runs the scheduler.

PostgreSQL: a session-level `pg_try_advisory_lock`, held on a dedicated
connection for as long as this process leads. If the process dies, its
connection closes and PostgreSQL releases the lock, so a standby's next try
succeeds. SQLite means one process, which is always the leader.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from bot.storage.db import is_postgres

log = logging.getLogger(__name__)


def lock_key(name: str, schema: str) -> int:
    """A stable signed 64-bit key; the schema keeps deployments sharing a database apart."""
    digest = hashlib.sha256(f"copro-bot:{name}:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class LeaderLock:
    """Try, check and release leadership. Blocking calls: run them in a thread."""

    def __init__(self, engine: Engine, name: str = "scheduler") -> None:
        self.name = name
        self.postgres = is_postgres(engine)
        self._url = engine.url
        self._engine: Engine | None = None
        self._conn: Connection | None = None
        self._key: int | None = None
        self.held = False

    def try_acquire(self) -> bool:
        """True when this process now leads (or already did)."""
        if not self.postgres:
            self.held = True
            return True
        if self.held:
            return True
        try:
            conn = self._connection()
            if self._key is None:
                schema = conn.execute(text("SELECT current_schema()")).scalar() or "public"
                self._key = lock_key(self.name, str(schema))
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar()
        except Exception as exc:
            log.warning("leader lock attempt failed: %s", type(exc).__name__)
            self._close()
            return False
        self.held = bool(got)
        return self.held

    def alive(self) -> bool:
        """Still leading? False when the lock connection has gone."""
        if not self.postgres:
            return True
        if not self.held or self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            return True
        except Exception as exc:
            log.warning("leader lock connection lost: %s", type(exc).__name__)
            self.held = False
            self._close()
            return False

    def release(self) -> None:
        if not self.postgres:
            self.held = False
            return
        if self.held and self._conn is not None and self._key is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            except Exception as exc:
                log.warning("leader lock release failed: %s", type(exc).__name__)
        self.held = False
        self._close()

    def _connection(self) -> Connection:
        if self._conn is None:
            if self._engine is None:
                # Its own engine without a pool: closing it really closes the
                # connection, so the lock can never linger in a pooled one.
                self._engine = create_engine(self._url, poolclass=NullPool)
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # the connection is already broken  # noqa: S110
                pass
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
