"""PostgreSQL restarted (and down for a while) under a running bot: nothing lost or doubled.

The bot runs as a real process (`copro-bot run --platform telegram`) on a
private throwaway cluster, while members keep writing and a scheduled
broadcast goes out. The cluster is restarted with `-m fast`, then killed with
`-m immediate` and left down for a few seconds. The same process must carry on
by itself (no restart of the bot), and afterwards every update was handled
once, the broadcast reached each recipient once, and every reply went out
once (or is a recorded `unknown`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import BotApp
from bot.config import Settings
from tests.adapters.conftest import Records
from tests.fakes.fake_telegram import FakeTelegramServer
from tests.reliability.private_pg import PrivateCluster, private_cluster
from tests.reliability.workload import (
    TOKEN,
    Driver,
    bot_command,
    bot_env,
    check_exactly_once,
    seed,
)

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    with private_cluster() as running:
        if running is None:
            if os.environ.get("COPRO_REQUIRE_POSTGRES") == "1":
                pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are required but missing")
            pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
        yield running


@pytest.fixture
def pg_app(cluster: PrivateCluster, fake: FakeTelegramServer) -> Iterator[BotApp]:
    settings = Settings(_env_file=None, database_url=cluster.url,  # type: ignore[call-arg]
                        telegram_bot_token=SecretStr(TOKEN), telegram_api_url=fake.base_url)
    app = BotApp(settings)
    app.upgrade_database()
    yield app
    app.engine.dispose()


async def keep_driving(driver: Driver, stop: asyncio.Event) -> None:
    while not stop.is_set():
        driver.step()
        await asyncio.sleep(0.25)


async def in_thread(fn: Any, *args: Any) -> None:
    await asyncio.get_running_loop().run_in_executor(None, fn, *args)


async def test_postgres_restart_and_outage_lose_and_double_nothing(
    fake: FakeTelegramServer, pg_app: BotApp, cluster: PrivateCluster, tmp_path: Path,
    wait_until: Any,
) -> None:
    records = Records(pg_app)
    payment_id, broadcast_id = seed(pg_app)
    log = tmp_path / "bot.log"
    driver = Driver(fake, seed_value=5)
    stop = asyncio.Event()
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            *bot_command(), cwd=tmp_path, env=bot_env(cluster.url, fake), stdout=out, stderr=out)
    driving = asyncio.create_task(keep_driving(driver, stop))
    try:
        await wait_until(lambda: len(fake.sent) >= 10, timeout=60)
        # A clean restart: every connection the bot holds is closed under it.
        await in_thread(cluster.restart, "fast")
        await wait_until(lambda: len(fake.sent) >= 25, timeout=60)
        # A crash of the server, and a few seconds with no database at all.
        await in_thread(cluster.stop, "immediate")
        await asyncio.sleep(4)
        await in_thread(cluster.start)
        await asyncio.sleep(6)
        stop.set()
        await driving

        def settled() -> bool:
            try:
                inbox = records.inbox()
                return (len(inbox) == len(driver.added) and records.settled()
                        and not fake.pending_updates)
            except Exception:  # the database may still be coming back
                return False

        await wait_until(settled, timeout=120)
        assert proc.returncode is None, "the bot exited instead of reconnecting"
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        stop.set()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    counts = check_exactly_once(pg_app, fake, driver.added, payment_id, broadcast_id)
    assert counts["updates"] >= 40, counts
    text = log.read_text(errors="replace")
    assert TOKEN.split(":")[1] not in text
    print(f"postgres restart: {counts}", file=sys.stderr)
