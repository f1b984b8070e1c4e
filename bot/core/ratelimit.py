"""An asyncio rate limiter for platform sends, shared by the chat adapters.

Platforms publish limits per bot (Telegram: about 30 messages a second), per
chat (1 a second) and per group (20 a minute), and answer 429 with a
`retry_after` when a bot goes over. We keep under the limits ourselves, and a
429 blocks only the scope it was about, so one throttled chat never stalls
the others. PTB's AIORateLimiter is not used: in 22.8 a RetryAfter pause can be
released early by other requests.

The server counts a send when the request reaches it, somewhere between our
`acquire()` and the answer. Callers that report the answer with `done()` get
every window counted from the answer, so network jitter can never squeeze two
sends closer together at the server than they were allowed to be.

One limiter lives in one process and one event loop. Waiters for the global
window queue in FIFO order behind one lock, so a freed slot wakes one waiter,
not all of them (thousands of chats may be waiting during a broadcast). The
global window is a sorted list of send times, so each check is a bisect.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

GLOBAL = "*"
MAX_OPEN_PER_SCOPE = 16  # callers that never call done() must not grow memory


def default_is_group(scope: str) -> bool:
    """Telegram groups and channels have negative ids; private chats positive."""
    return scope.startswith("-")


@dataclass
class _Slot:
    """One send: when it counts from (acquire, then answer time once known)."""

    at: float


def _nth_latest(slots: Iterable[_Slot], n: int) -> float | None:
    latest = heapq.nlargest(n, (slot.at for slot in slots))
    return latest[-1] if len(latest) == n else None


class RateLimiter:
    """Waits until a send to `scope` is within every limit, then records it.

    `slack` seconds are added to every interval and window as a safety margin;
    the global window gets `global_slack` (default: a fifth of `slack`), as it
    is counted from answers and keeping it tight is what keeps a broadcast fast.
    """

    def __init__(
        self,
        *,
        global_rate: int = 30,
        global_period: float = 1.0,
        private_interval: float = 1.0,
        group_rate: int = 20,
        group_period: float = 60.0,
        slack: float = 0.05,
        global_slack: float | None = None,
        is_group: Callable[[str], bool] = default_is_group,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if global_rate < 1 or group_rate < 1:
            raise ValueError("rates must be at least 1")
        self.global_rate = global_rate
        self.global_period = global_period + (slack / 5 if global_slack is None else global_slack)
        self.private_interval = private_interval + slack if private_interval > 0 else 0.0
        self.group_rate = group_rate
        self.group_period = group_period + slack
        self.is_group = is_group
        self.clock = clock
        self.sleep = sleep
        self._times: list[float] = []  # sorted `at` of the sends in the global window
        self._horizon = float("-inf")  # times at or before this were pruned from _times
        self._turn: asyncio.Lock | None = None
        self._turn_loop: asyncio.AbstractEventLoop | None = None
        self._last: dict[str, _Slot] = {}
        self._groups: dict[str, deque[_Slot]] = {}
        self._open: dict[str, deque[_Slot]] = {}
        self._blocked: dict[str, float] = {}

    def block(self, scope: str | None, seconds: float) -> None:
        """Send nothing to `scope` (None: to anyone) for `seconds`, e.g. after a 429."""
        key = GLOBAL if scope is None else scope
        until = self.clock() + max(seconds, 0.0)
        self._blocked[key] = max(self._blocked.get(key, 0.0), until)

    def blocked_for(self, scope: str | None) -> float:
        """Seconds left on a block of `scope` (0 when not blocked)."""
        key = GLOBAL if scope is None else scope
        return max(self._blocked.get(key, 0.0) - self.clock(), 0.0)

    def delay(self, scope: str) -> float:
        """Seconds to wait before a send to `scope` would be within every limit."""
        now = self.clock()
        self._prune(now, scope)
        return max(self._own_wait(scope, now), self._global_wait(now), 0.0)

    def scope_delay(self, scope: str) -> float:
        """Like `delay()`, leaving out the shared global window: what only this
        scope (or a block on everyone) must wait for."""
        now = self.clock()
        self._prune(now, scope)
        return max(self._own_wait(scope, now), 0.0)

    def _own_wait(self, scope: str, now: float) -> float:
        """The wait for blocks and the scope's own limits, leaving out the global window."""
        waits = [
            self._blocked.get(GLOBAL, 0.0) - now,
            self._blocked.get(scope, 0.0) - now,
        ]
        if self.is_group(scope):
            sends = self._groups.get(scope)
            if sends is not None and len(sends) >= self.group_rate:
                oldest = _nth_latest(sends, self.group_rate)
                if oldest is not None:
                    waits.append(oldest + self.group_period - now)
        elif scope in self._last:
            waits.append(self._last[scope].at + self.private_interval - now)
        return max(waits)

    def _global_wait(self, now: float) -> float:
        if len(self._times) < self.global_rate:
            return 0.0
        return self._times[-self.global_rate] + self.global_period - now

    def _turn_lock(self) -> asyncio.Lock:
        """One FIFO lock per event loop (tests may reuse a limiter across loops)."""
        loop = asyncio.get_running_loop()
        if self._turn is None or self._turn_loop is not loop:
            self._turn, self._turn_loop = asyncio.Lock(), loop
        return self._turn

    async def acquire(self, scope: str) -> None:
        """Wait for a free slot for `scope` and take it.

        The scope's own limits are waited for alone. Then waiters take turns, in
        order, for the global window; only the one at the front sleeps on it.
        """
        while True:
            now = self.clock()
            self._prune(now, scope)
            own = self._own_wait(scope, now)
            if own > 0:
                await self.sleep(own)
                continue
            async with self._turn_lock():
                while (wait := self._global_wait(self.clock())) > 0:
                    await self.sleep(wait)
                if self.delay(scope) <= 0:
                    self._record(scope, self.clock())
                    return
            # a block, or another send to this scope, came while we waited

    def done(self, scope: str) -> None:
        """The oldest unanswered send to `scope` has been answered: count it from now."""
        pending = self._open.get(scope)
        if not pending:
            return
        slot = pending.popleft()
        new = max(slot.at, self.clock())
        if new != slot.at:
            if slot.at > self._horizon:
                index = bisect_left(self._times, slot.at)
                if index < len(self._times) and self._times[index] == slot.at:
                    del self._times[index]
            insort(self._times, new)
            slot.at = new
        if not pending:
            del self._open[scope]

    def _record(self, scope: str, now: float) -> None:
        slot = _Slot(now)
        insort(self._times, now)
        if self.is_group(scope):
            self._groups.setdefault(scope, deque()).append(slot)
        else:
            self._last[scope] = slot
        pending = self._open.setdefault(scope, deque())
        pending.append(slot)
        if len(pending) > MAX_OPEN_PER_SCOPE:
            pending.popleft()

    def _prune(self, now: float, scope: str) -> None:
        """Forget sends that no longer count, so memory stays bounded by activity."""
        self._horizon = max(self._horizon, now - self.global_period)
        cut = bisect_right(self._times, self._horizon)
        if cut:
            del self._times[:cut]
        sends = self._groups.get(scope)
        while sends and sends[0].at <= now - self.group_period:
            sends.popleft()
        if len(self._last) > 1000:
            horizon = now - self.private_interval
            self._last = {k: s for k, s in self._last.items() if s.at > horizon}
        if len(self._groups) > 100:
            horizon = now - self.group_period
            self._groups = {k: d for k, d in self._groups.items() if d and d[-1].at > horizon}
        if len(self._open) > 1000:
            self._open = {k: d for k, d in self._open.items() if k in self._last or
                          k in self._groups}
        if len(self._blocked) > 100:
            self._blocked = {k: until for k, until in self._blocked.items() if until > now}
