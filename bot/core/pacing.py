"""Reading pauses: a long reply goes out as short parts, spaced out in time.

Members who asked for "more time between messages" get each reply cut into
short parts (`bot.textstyle.reading_plan`), each part an outbox row whose
`not_before` is later than the one before. The delivery worker only sends a
row once its `not_before` has passed, and sends one chat's due rows in id
order, so order holds as long as no later row is due earlier. That is the rule
kept here: a new reply to a chat never gets a `not_before` earlier than the
last paced row still waiting for that chat.

Paced rows carry `"paced": true` in their payload, so a message held back for
another reason (quiet hours, a pause) never holds up a reply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.storage.models import OutboxMessage
from bot.textstyle import pause_after, reading_plan

PACED = "paced"
# Paced rows further away than this were moved by something else (a pause the
# member asked for): they must not hold a reply back for hours.
HORIZON = timedelta(minutes=30)


@dataclass
class Cursor:
    """Where the next part to one chat may go: not before `at`, after `last_text`."""

    at: datetime
    last_text: str | None = None

    def next_time(self, needs: Iterable[str]) -> datetime:
        """When the next part may go: after a reading pause if the last part was paced."""
        if self.last_text is None or not wants_more_time(needs):
            return self.at
        return self.at + timedelta(seconds=pause_after(self.last_text, needs))


def wants_more_time(needs: Iterable[str]) -> bool:
    return "more_time" in set(needs)


def parts(text: str, needs: Iterable[str]) -> list[str]:
    """The reply as the member should get it: whole, or cut for "more time"."""
    needs = list(needs)
    if not wants_more_time(needs):
        return [text]
    return [chunk for chunk, _ in reading_plan(text, needs)] or [text]


def waiting_cursor(session: Session, platform: str, chat_id: str, now: datetime) -> Cursor:
    """After the last paced row still waiting for this chat, or now if there is none."""
    rows = session.exec(
        select(OutboxMessage.not_before, OutboxMessage.payload).where(
            col(OutboxMessage.platform) == platform,
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.status).in_(("pending", "claimed")),
            col(OutboxMessage.not_before) > now,
            col(OutboxMessage.not_before) <= now + HORIZON,
        )
    ).all()
    paced = [(_aware(at), payload) for at, payload in rows if (payload or {}).get(PACED)]
    if not paced:
        return Cursor(now)
    at, payload = max(paced, key=lambda item: item[0])
    return Cursor(at, str(payload.get("text") or ""))


def _aware(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
