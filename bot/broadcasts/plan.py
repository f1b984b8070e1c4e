"""Deciding, for one member, where and when an update may reach them.

The preview and the fan-out both use `plan_recipient`, so the counts a
coordinator confirms are the counts that get queued.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

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


def choose_identity(member: Member, identities: Sequence[Identity]) -> Identity | None:
    """One account per person: the preferred platform if reachable, else the first
    reachable one (oldest link first). Same rule as `bot.core.reach.pick_identity`,
    done in memory because a fan-out picks for thousands of members at a time."""
    reachable = sorted((i for i in identities if not i.unreachable), key=lambda i: i.id or 0)
    for identity in reachable:
        if member.preferred_platform and identity.platform == member.preferred_platform:
            return identity
    return reachable[0] if reachable else None


def identities_for(session: Session, member_ids: Iterable[int]) -> dict[int, list[Identity]]:
    ids = list(member_ids)
    found: dict[int, list[Identity]] = defaultdict(list)
    if not ids:
        return found
    for identity in session.exec(select(Identity).where(col(Identity.member_id).in_(ids))):
        found[identity.member_id].append(identity)
    return found


def aware(when: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC; make it comparable with aware times."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def start_time(send_at: datetime | None, now: datetime) -> datetime:
    """A scheduled update starts at its time; one whose time has passed starts now."""
    send_at = aware(send_at)
    return send_at if send_at is not None and send_at > now else now


def plan_recipient(
    member: Member,
    identities: Sequence[Identity],
    *,
    text_language: str,
    urgent: bool,
    start: datetime,
) -> RecipientPlan:
    """Quiet hours and pauses decide when; STOP and an urgent update during a pause
    mean not at all. Urgent skips quiet hours, never a pause or STOP."""
    assert member.id is not None

    def plan(identity: Identity | None, when: datetime | None, reason: str | None
             ) -> RecipientPlan:
        return RecipientPlan(member.id or 0, member.language, text_language, identity, when,
                             reason)

    when = next_allowed(member, start, urgent=urgent)
    if when is None:
        return plan(None, None, STOPPED if member.status != "active" else PAUSED)
    identity = choose_identity(member, identities)
    if identity is None:
        return plan(None, None, NO_ACCOUNT)
    return plan(identity, max(when, start), None)
