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


async def test_waiters_for_the_global_window_go_in_order_and_only_the_first_sleeps() -> None:
    """A broadcast queues thousands of chats: a freed slot must wake one waiter, not all."""
    clock = FakeClock()
    limit = limiter(clock, global_rate=5, global_period=1.0)
    order: list[str] = []

    async def send(chat: str) -> None:
        await limit.acquire(chat)
        order.append(chat)

    chats = [str(i) for i in range(50)]
    await asyncio.gather(*(send(chat) for chat in chats))
    assert order == chats
    assert clock.now == 9.0  # 50 sends at 5 a second: the last batch goes at t=9
    assert len(clock.slept) <= 12, "waiters behind the first must not poll the clock"


async def test_scope_delay_leaves_out_the_shared_window() -> None:
    clock = FakeClock()
    limit = limiter(clock, global_rate=1, global_period=1.0, private_interval=3.0)
    await limit.acquire("1")
    assert limit.delay("2") == 1.0 and limit.scope_delay("2") == 0.0
    assert limit.scope_delay("1") == 3.0
    limit.block(None, 7)
    assert limit.scope_delay("2") == 7.0, "a block on everyone counts for every scope"


async def test_a_block_that_comes_while_waiting_in_line_is_respected() -> None:
    clock = FakeClock()
    limit = limiter(clock, global_rate=1, global_period=1.0)
    await limit.acquire("1")
    waiter = asyncio.create_task(limit.acquire("2"))
    await asyncio.sleep(0)
    limit.block("2", 5)  # a 429 for chat 2 arrives while it waits for the window
    await waiter
    assert clock.now >= 5.0


async def test_answers_that_arrive_out_of_order_keep_the_window_exact() -> None:
    clock = FakeClock()
    limit = limiter(clock, global_rate=3, global_period=1.0)
    for chat in ("1", "2", "3"):
        await limit.acquire(chat)
    clock.now = 0.4
    limit.done("3")
    clock.now = 0.6
    limit.done("1")  # chat 2 is never answered: it counts from its request
    assert limit.delay("4") == 0.0 + 1.0 - 0.6  # the oldest of the three counts first
    clock.now = 1.0
    assert limit.delay("4") == 0.0
    await limit.acquire("4")
    assert abs(limit.delay("5") - 0.4) < 1e-9  # now the answer at 0.4 is the oldest
