"""Deciding, for one member, where and when an update may reach them.

The preview and the fan-out both use `plan_recipient`, so the counts a
coordinator confirms are the counts that get queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.quiet import next_allowed
from bot.storage.models import Identity, Member

# Why someone in the audience gets no outbox row.
PAUSED = "paused"
STOPPED = "stopped"
NO_ACCOUNT = "no_reachable_account"


@dataclass(frozen=True)
class RecipientPlan:
    """Where and when one member gets the update, or why they don't."""

    member_id: int
    language: str
    text_language: str
    identity: Identity | None
    not_before: datetime | None
    reason: str | None = None

    @property
    def queued(self) -> bool:
        return self.reason is None

    @property
    def platform(self) -> str | None:
        return self.identity.platform if self.identity else None


def aware(when: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC; make it comparable with aware times."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def start_time(send_at: datetime | None, now: datetime) -> datetime:
    """A scheduled update starts at its time; one whose time has passed starts now."""
    send_at = aware(send_at)
    return send_at if send_at is not None and send_at > now else now


def plan_recipient(
    member: Member,
    identity: Identity | None,
    *,
    text_language: str,
    urgent: bool,
    start: datetime,
) -> RecipientPlan:
    """Quiet hours and pauses decide when; STOP and an urgent update during a pause
    mean not at all. Urgent skips quiet hours, never a pause or STOP. `identity` is
    the member's pick from `bot.core.reach.pick_identities`."""
    assert member.id is not None

    def plan(identity: Identity | None, when: datetime | None, reason: str | None
             ) -> RecipientPlan:
        return RecipientPlan(member.id or 0, member.language, text_language, identity, when,
                             reason)

    when = next_allowed(member, start, urgent=urgent)
    if when is None:
        return plan(None, None, STOPPED if member.status != "active" else PAUSED)
    if identity is None:
        return plan(None, None, NO_ACCOUNT)
    return plan(identity, max(when, start), None)
