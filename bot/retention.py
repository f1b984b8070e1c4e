"""The daily retention job: delete or anonymise what is past its retention period.

Periods come from settings (in days), with the defaults below. Finance
records are kept for six years (`retention_finance_years`); the payments
feature deletes them after that, through `RETENTION_HOOKS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, func
from sqlmodel import Session, col, select

from bot.privacy import (
    consent_version,
    delete_cascade,
    erase_member,
    has_consent,
    scrub_sent_to_erased,
)
from bot.storage.models import (
    ConversationState,
    InboxEvent,
    Member,
    MemberRole,
    OutboxMessage,
    utcnow,
)
from bot.storage.profile_models import CodeAttempts, OneTimeCode, Profile

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

FINAL_OUTBOX = ("sent", "failed", "cancelled", "unreachable", "unknown")


def _purge_finance(session: Session, settings: Settings, now: datetime) -> int:
    from bot.payments import purge_old_finance_records  # payments import retention

    return int(purge_old_finance_records(session, now, years=settings.retention_finance_years))


# Features add `fn(session, settings, now) -> rows affected`.
RETENTION_HOOKS: dict[str, Callable[[Session, Settings, datetime], int]] = {
    "payments_deleted": _purge_finance,
}


def period(settings: Settings, name: str) -> timedelta:
    """A retention period: `name` is one of the RETENTION_*_DAYS settings."""
    return timedelta(days=int(getattr(settings, name)))


def run_retention(
    session: Session, settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """One pass; safe to run any number of times. Returns counts per kind."""
    now = now or utcnow()
    done: dict[str, int] = {}
    done["members_erased"] = _erase_expired_members(session, settings, now)
    outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
    outbox_cutoff = now - period(settings, "retention_outbox_days")
    old_outbox = and_(outbox.c.created_at < outbox_cutoff, outbox.c.status.in_(FINAL_OUTBOX))
    done["outbox_deleted"] = delete_cascade(session, outbox, old_outbox)
    inbox = InboxEvent.__table__  # type: ignore[attr-defined]
    inbox_cutoff = now - period(settings, "retention_inbox_days")
    done["inbox_deleted"] = delete_cascade(
        session, inbox, and_(inbox.c.received_at < inbox_cutoff, inbox.c.status != "pending")
    )
    codes_cutoff = now - period(settings, "retention_codes_days")
    done["codes_deleted"] = _count(session.execute(
        delete(OneTimeCode).where(col(OneTimeCode.expires_at) < codes_cutoff)
    ))
    session.execute(
        delete(CodeAttempts).where(func.coalesce(col(CodeAttempts.locked_until),
                                                 col(CodeAttempts.window_start)) < codes_cutoff)
    )
    done["goodbyes_scrubbed"] = scrub_sent_to_erased(session)
    for name, hook in RETENTION_HOOKS.items():
        done[name] = hook(session, settings, now)
    session.flush()
    log.info("retention: %s", ", ".join(f"{k}={v}" for k, v in sorted(done.items())))
    return done


def _erase_expired_members(session: Session, settings: Settings, now: datetime) -> int:
    """People who left long ago, and people who never consented and went quiet."""
    left_cutoff = now - period(settings, "retention_left_days")
    quiet_cutoff = now - period(settings, "retention_unconsented_days")
    left = session.exec(
        select(Member.id).join(Profile, col(Profile.member_id) == col(Member.id))
        .where(col(Member.status) == "left", col(Profile.left_at) < left_cutoff)
    ).all()
    team = select(MemberRole.member_id)
    candidates = session.exec(
        select(Member.id, ConversationState.updated_at)
        .join(ConversationState, col(ConversationState.member_id) == col(Member.id), isouter=True)
        .where(col(Member.status) != "erased", col(Member.created_at) < quiet_cutoff,
               col(Member.id).not_in(team))
    ).all()
    unconsented = [
        member_id for member_id, updated in candidates
        if member_id is not None and (updated is None or updated < quiet_cutoff)
        and not has_consent(session, member_id)
    ]
    targets = sorted({m for m in [*left, *unconsented] if m is not None})
    for member_id in targets:
        erase_member(
            session, member_id,
            default_language=settings.default_language,
            default_timezone=settings.default_timezone,
            channel="retention", version=consent_version(settings), ledger_action="expired",
        )
    return len(targets)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def run_from_settings(settings: Settings) -> dict[str, int]:
    """`copro-bot retention run`: one pass in one transaction."""
    from bot.storage.db import make_engine, transaction

    engine = make_engine(settings.database_url)  # type: ignore[attr-defined]
    try:
        with transaction(engine) as session:
            return run_retention(session, settings)
    finally:
        engine.dispose()
