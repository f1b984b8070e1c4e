"""Where a long message stopped, so a retried outbox row does not repeat its parts.

A message that goes out as several API calls can fail half-way with a retry.
Both senders remember, for a while, which part comes next, keyed by chat and
message content, and start there when the delivery worker tries the row again.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.delivery import SendResult
from bot.core.events import OutgoingMessage

Key = tuple[str, str]


@dataclass
class _Progress:
    next_step: int
    at: float


class PartProgress:
    """The next part to send for messages that stopped part-way, forgotten after `ttl`."""

    def __init__(self, ttl: float = 3600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._progress: dict[Key, _Progress] = {}

    @staticmethod
    def key(chat_id: str, message: OutgoingMessage) -> Key:
        raw = json.dumps(message.to_dict(), sort_keys=True, ensure_ascii=False)
        return chat_id, hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def resume_from(self, key: Key) -> int:
        """The part to start with: 0 unless an earlier try stopped part-way."""
        now = self.clock()
        for stale in [k for k, p in self._progress.items() if now - p.at > self.ttl]:
            del self._progress[stale]
        found = self._progress.get(key)
        return found.next_step if found else 0

    def stopped(self, key: Key, index: int, result: SendResult) -> None:
        """Part `index` failed with `result`: remember it only if a retry will come
        and earlier parts are out; otherwise the next try starts from the top."""
        if result.outcome == "retry" and index > 0:
            self._progress[key] = _Progress(index, self.clock())
        else:
            self._progress.pop(key, None)

    def finished(self, key: Key) -> None:
        self._progress.pop(key, None)
