"""The delivery report: what happened to each recipient, by language and platform.

It reads the outbox rows the recipients link to, so it always shows what
the delivery worker actually did: sent, going out now, waiting (for quiet
hours, a pause or the send time), failed (with the reason code), unreachable
(blocked, or no account we can reach), unknown (in flight during a crash),
cancelled (STOP, erasure, or the broadcast was cancelled), or not sent
(paused when an urgent update went out).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from bot.broadcasts.plan import NO_ACCOUNT
from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
from bot.storage.models import OutboxMessage, utcnow

CATEGORIES = ("sent", "going_out", "waiting", "failed", "unreachable", "unknown",
              "cancelled", "not_sent")


@dataclass
class ReportLine:
    language: str
    platform: str
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class DeliveryReport:
    broadcast_id: int
    kind: str
    status: str
    send_at: datetime | None
    lines: list[ReportLine]
    # (category, reason) -> people, for failed, unreachable, cancelled and not_sent
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    waiting_from: datetime | None = None
    waiting_until: datetime | None = None

    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for line in self.lines:
            total.update(line.counts)
        return total

    def by_language(self) -> dict[str, Counter[str]]:
        found: dict[str, Counter[str]] = {}
        for line in self.lines:
            found.setdefault(line.language, Counter()).update(line.counts)
        return found

    @property
    def recipients(self) -> int:
        return sum(self.totals().values())


def classify(
    recipient_status: str, recipient_reason: str | None, outbox_status: str | None,
    not_before: datetime | None, last_error: str | None, now: datetime,
) -> tuple[str, str | None]:
    """(category, reason) for one recipient."""
    if outbox_status is None:
        if recipient_reason == NO_ACCOUNT:
            return "unreachable", NO_ACCOUNT
        return "not_sent", recipient_reason or recipient_status
    if outbox_status in ("pending", "claimed"):
        if not_before is not None and _aware(not_before) > now:
            return "waiting", None
        return "going_out", None
    if outbox_status == "sending":
        return "going_out", None
    if outbox_status in ("sent", "unknown"):
        return outbox_status, None
    if outbox_status in ("failed", "unreachable", "cancelled"):
        return outbox_status, last_error or "unknown"
    return "unknown", outbox_status


def build_report(session: Session, broadcast_id: int, *, now: datetime | None = None
                 ) -> DeliveryReport:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise LookupError(f"there is no broadcast {broadcast_id}")
    now = now or utcnow()
    query = (
        select(col(BroadcastRecipient.language), col(BroadcastRecipient.platform),
               col(BroadcastRecipient.status), col(BroadcastRecipient.reason),
               col(OutboxMessage.status), col(OutboxMessage.not_before),
               col(OutboxMessage.last_error))
        .outerjoin(OutboxMessage, col(OutboxMessage.id) == col(BroadcastRecipient.outbox_id))
        .where(col(BroadcastRecipient.broadcast_id) == broadcast_id)
    )
    lines: dict[tuple[str, str], ReportLine] = {}
    report = DeliveryReport(broadcast_id, broadcast.kind, broadcast.status, broadcast.send_at, [])
    for language, platform, r_status, r_reason, o_status, not_before, error in session.execute(
        query
    ):
        category, reason = classify(r_status, r_reason, o_status, not_before, error, now)
        key = (language, platform or "-")
        lines.setdefault(key, ReportLine(*key)).counts[category] += 1
        if reason is not None:
            report.reasons[(category, reason)] += 1
        if category == "waiting" and not_before is not None:
            when = _aware(not_before)
            report.waiting_from = min(report.waiting_from or when, when)
            report.waiting_until = max(report.waiting_until or when, when)
    report.lines = [lines[k] for k in sorted(lines)]
    return report


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
