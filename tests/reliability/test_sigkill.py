"""SIGKILL the real bot process at random moments, 20 times, during a mixed workload.

`copro-bot run --platform telegram` runs as a subprocess against the fake Bot
API in this process. Members onboard, check in, confirm a payment, and a
scheduled broadcast fans out, while the process is killed from outside at a
random moment (seeded, so the run repeats) and restarted each time. Telegram
redelivers whatever was not confirmed. At the end: each update was stored and
handled exactly once, the payment was confirmed once, the broadcast reached
each recipient once, and every reply went out at least once and at most once,
except sends recorded `unknown` (in flight at a kill).
"""

from __future__ import annotations

import asyncio
import functools
import random
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.app import BotApp
from tests.adapters.conftest import Records
from tests.fakes.fake_telegram import FakeTelegramServer
from tests.reliability.workload import (
    TOKEN,
    Driver,
    bot_command,
    bot_env,
    check_exactly_once,
    seed,
)

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

KILLS = 20
NAME_IN_LOGS = "Member 42"  # a seeded display name: must never be logged


class BotProcess:
    """The bot as a real OS process, started and killed by the test."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.env = env
        self.log = tmp_path / "bot.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *bot_command(), cwd=self.tmp_path, env=self.env, stdout=log, stderr=log)

    async def kill(self) -> int | None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        return await asyncio.wait_for(self.proc.wait(), 15)

    async def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), 20)


def describe(records: Records, driver: Driver, fake: FakeTelegramServer, log: Path) -> str:
    """Why the run did not settle, for the failure message (counts only)."""
    inbox, outbox = records.inbox(), records.outbox()
    return (f"updates added {len(driver.added)}, stored {len(inbox)}, "
            f"inbox {Counter(r.status for r in inbox)}, "
            f"outbox {Counter((r.status, r.last_error) for r in outbox)}, "
            f"pending at the fake {len(fake.pending_updates)}; log tail: "
            f"{log.read_text(errors='replace')[-1500:]}")


def polled_since(fake: FakeTelegramServer, seen: int) -> bool:
    return any(r["method"] == "getUpdates" for r in fake.requests[seen:])


async def drive(driver: Driver, stop: asyncio.Event, every: float, most: int) -> None:
    """Members act at a pace the bot can answer (1 message a second per chat)."""
    while not stop.is_set() and len(driver.added) < most:
        driver.step()
        await asyncio.sleep(every)


async def test_sigkill_20_times_during_a_mixed_workload(
    fake: FakeTelegramServer, tg_app: BotApp, db_url: str, tmp_path: Path, records: Records,
    wait_until: Any,
) -> None:
    assert fake.token == TOKEN
    payment_id, broadcast_id = seed(tg_app)
    proc = BotProcess(tmp_path, bot_env(db_url, fake))
    driver = Driver(fake)
    timing = random.Random(20)
    stop_driving = asyncio.Event()
    driving = asyncio.create_task(drive(driver, stop_driving, every=0.25, most=220))
    outcomes = []
    try:
        for kill in range(KILLS):
            seen = len(fake.requests)
            await proc.start()
            if kill % 4 == 3:  # some kills land in start-up (migrations, recovery)
                await asyncio.sleep(timing.uniform(0.1, 1.0))
            else:  # most while it polls, handles and sends
                await wait_until(functools.partial(polled_since, fake, seen), timeout=60)
                await asyncio.sleep(timing.uniform(0.0, 2.5))
            outcomes.append(await proc.kill())
        stop_driving.set()
        await driving
        await proc.start()

        def settled() -> bool:
            inbox = records.inbox()
            return (len(inbox) == len(driver.added) and records.settled()
                    and not fake.pending_updates)

        try:
            await wait_until(settled, timeout=120)
        except AssertionError:
            raise AssertionError(describe(records, driver, fake, proc.log)) from None
        await asyncio.sleep(0.5)
        assert await proc.stop() == 0
    finally:
        stop_driving.set()
        if proc.proc is not None and proc.proc.returncode is None:
            await proc.kill()
    assert outcomes.count(-signal.SIGKILL) >= KILLS - 2, outcomes  # really killed, not exited
    counts = check_exactly_once(tg_app, fake, driver.added, payment_id, broadcast_id)
    assert counts["updates"] >= 80 and counts["messages"] >= 80, counts
    assert driver.pressed_payment
    log = proc.log.read_text(errors="replace")
    assert TOKEN.split(":")[1] not in log and "Member 42" not in log
