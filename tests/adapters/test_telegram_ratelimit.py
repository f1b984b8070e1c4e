"""The shared rate limiter, on a fake clock: global, per-chat, per-group, and 429 blocks."""

from __future__ import annotations

import asyncio

from bot.core.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def limiter(clock: FakeClock, **kw: float) -> RateLimiter:
    return RateLimiter(clock=clock, sleep=clock.sleep, slack=0.0, **kw)  # type: ignore[arg-type]


async def test_global_rate() -> None:
    clock = FakeClock()
    limit = limiter(clock, global_rate=3, global_period=1.0)
    for chat in ("1", "2", "3", "4"):
        await limit.acquire(chat)
    assert clock.now == 1.0


async def test_private_chat_interval_does_not_delay_other_chats() -> None:
    clock = FakeClock()
    limit = limiter(clock, private_interval=1.0)
    await limit.acquire("1")
    await limit.acquire("2")
    assert clock.now == 0.0
    await limit.acquire("1")
    assert clock.now == 1.0


async def test_group_window() -> None:
    clock = FakeClock()
    limit = limiter(clock, group_rate=2, group_period=60.0)
    await limit.acquire("-5")
    await limit.acquire("-5")
    await limit.acquire("7")
    assert clock.now == 0.0
    await limit.acquire("-5")
    assert clock.now == 60.0


async def test_block_one_chat_or_everyone() -> None:
    clock = FakeClock()
    limit = limiter(clock)
    limit.block("1", 5)
    await limit.acquire("2")
    assert clock.now == 0.0 and limit.blocked_for("1") == 5
    await limit.acquire("1")
    assert clock.now == 5.0
    limit.block(None, 3)
    await limit.acquire("3")
    assert clock.now == 8.0


async def test_concurrent_waiters_never_exceed_the_rate() -> None:
    clock = FakeClock()
    limit = limiter(clock, global_rate=5, global_period=1.0)
    times: list[float] = []

    async def send(chat: str) -> None:
        await limit.acquire(chat)
        times.append(clock.now)

    await asyncio.gather(*(send(str(i)) for i in range(20)))
    for index in range(len(times) - 5):
        assert times[index + 5] - times[index] >= 1.0


async def test_interval_counts_from_the_answer_not_the_request() -> None:
    """A slow request must not let the next one reach the server too soon after it."""
    clock = FakeClock()
    limit = limiter(clock, private_interval=1.0)
    await limit.acquire("1")
    clock.now += 0.7  # the request took 0.7s to be answered
    limit.done("1")
    await limit.acquire("1")
    assert clock.now == 1.7


async def test_global_window_counts_from_answers() -> None:
    clock = FakeClock()
    limit = limiter(clock, global_rate=2, global_period=1.0)
    await limit.acquire("1")
    await limit.acquire("2")
    clock.now = 0.5  # both answered late: the server may have seen them only now
    limit.done("1")
    limit.done("2")
    await limit.acquire("3")
    assert clock.now == 1.5
