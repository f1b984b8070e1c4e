"""Counting Discord's "invalid request" answers, and stopping well before a ban.

Discord bans a bot's IP for a while after 10,000 answers of 401, 403 or 429
within 10 minutes (429s with `X-RateLimit-Scope: shared` do not count). We
count every answer through aiohttp's trace hooks, so requests made inside
discord.py (interaction acks, DM channel lookups) are counted too. When the
last 10 minutes hold `budget` invalid answers (default 1,000: a tenth of the
ban line), the sender stops until the window has room again.

One object per process, handed explicitly to the adapter and the dashboard.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aiohttp

INVALID_STATUSES = (401, 403, 429)
WINDOW = 600.0
DEFAULT_BUDGET = 1000


class DiscordMetrics:
    """Request counters for the dashboard, and the invalid-request budget."""

    def __init__(self, *, budget: int = DEFAULT_BUDGET, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self.window = window
        self.clock = clock
        self.requests = 0
        self.invalid: Counter[int] = Counter()
        self.shared_429 = 0
        self._recent: deque[float] = deque()

    def record(self, status: int, scope: str | None = None) -> None:
        """Count one answer from Discord."""
        self.requests += 1
        if status not in INVALID_STATUSES:
            return
        if status == 429 and (scope or "").lower() == "shared":
            self.shared_429 += 1  # another app's use of a shared resource: not ours
            return
        self.invalid[status] += 1
        self._recent.append(self.clock())
        self._prune()

    def recent_invalid(self) -> int:
        """Invalid answers in the last 10 minutes."""
        self._prune()
        return len(self._recent)

    def pause_for(self) -> float:
        """Seconds until the window has room under the budget again (0: send now)."""
        self._prune()
        if len(self._recent) < self.budget:
            return 0.0
        oldest_that_must_expire = self._recent[len(self._recent) - self.budget]
        return max(oldest_that_must_expire + self.window - self.clock(), 0.0)

    def snapshot(self) -> dict[str, int]:
        """Plain numbers for the staff dashboard."""
        return {
            "requests": self.requests,
            "invalid_401": self.invalid[401],
            "invalid_403": self.invalid[403],
            "invalid_429": self.invalid[429],
            "shared_429": self.shared_429,
            "invalid_last_10_min": self.recent_invalid(),
        }

    def trace_config(self) -> aiohttp.TraceConfig:
        """A hook for discord.py's `http_trace`, counting every REST answer."""

        async def on_end(session: aiohttp.ClientSession, context: SimpleNamespace,
                         params: Any) -> None:
            response = params.response
            self.record(response.status, response.headers.get("X-RateLimit-Scope"))

        trace = aiohttp.TraceConfig()
        trace.on_request_end.append(on_end)
        return trace

    def _prune(self) -> None:
        horizon = self.clock() - self.window
        while self._recent and self._recent[0] <= horizon:
            self._recent.popleft()
        # Past the budget nothing more is learnt; keep memory bounded in a storm.
        while len(self._recent) > self.budget * 2:
            self._recent.popleft()
