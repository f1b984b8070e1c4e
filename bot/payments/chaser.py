"""Asking once more whether a payment arrived, and then stopping.

Run periodically by the scheduler. A payment that is paid but not confirmed
gets one reminder: 5 days after the expected arrival, or 3 days after the
member said "Not yet" (never before the expected date). The reminder is a
ledger event with a fixed idempotency key, so however often or however many
processes run this, no payment is ever chased twice. Quiet hours and pauses
are honoured through the outbox row's `not_before`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.core.easyread import member_translator
from bot.core.logsafe import log_failure
from bot.core.quiet import next_allowed, zone
from bot.core.reach import queue_when_allowed
from bot.i18n import I18n
from bot.payments.ledger import PaymentState, load_state
from bot.payments.messages import chaser_message
from bot.payments.service import record_chase
from bot.storage.models import Member, utcnow
from bot.storage.payment_models import Payment, PaymentEvent

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)


def chase_due(state: PaymentState, timezone: str | None, settings: Settings) -> datetime | None:
    """When this payment's one reminder is due (UTC), or None if it is never due."""
    if state.status != "paid" or state.first("chased") is not None:
        return None
    expected = state.expected_arrival
    tz = zone(timezone)
    after_expected = (datetime.combine(expected + timedelta(days=1), time(), tzinfo=tz)
                      if expected else None)
    not_yet = state.first("not_arrived")
    if not_yet is not None:
        days = settings.payments_not_yet_chase_days
        due = not_yet.created_at + timedelta(days=days)
        return max(due, after_expected).astimezone(UTC) if after_expected else due
    if expected is None:
        return None
    days = settings.payments_chase_after_days
    return datetime.combine(expected + timedelta(days=days), time(), tzinfo=tz).astimezone(UTC)


def _resolve(app_or_engine: Any) -> tuple[Engine, Any, I18n]:
    if isinstance(app_or_engine, Engine):
        from bot.config import get_settings

        settings = get_settings()
        i18n = I18n(settings.locales_dir, settings.languages, settings.default_language)
        return app_or_engine, settings, i18n
    return app_or_engine.engine, app_or_engine.settings, app_or_engine.i18n


def candidate_ids(session: Session) -> list[int]:
    """Payments marked paid and not yet chased; status is checked again per payment."""
    paid = select(PaymentEvent.payment_id).where(PaymentEvent.kind == "paid")
    chased = select(PaymentEvent.payment_id).where(
        col(PaymentEvent.kind).in_(["chased", "confirmed", "reversed", "problem_reported"]))
    query = select(Payment.id).where(col(Payment.id).in_(paid), col(Payment.id).not_in(chased),
                                     col(Payment.member_id).is_not(None))
    return [i for i in session.exec(query.order_by(col(Payment.id))).all() if i is not None]


def chase_unconfirmed(app_or_engine: Any, now: datetime | None = None) -> int:
    """Queue every reminder that is due; returns how many were queued.

    `app_or_engine` is a `BotApp` (preferred) or an `Engine` (settings are then
    read from the environment). Each payment commits on its own, so one bad
    row never holds back the others.
    """
    engine, settings, i18n = _resolve(app_or_engine)
    now = now or utcnow()
    with Session(engine) as session:
        ids = candidate_ids(session)
    sent = 0
    for payment_id in ids:
        try:
            sent += _chase_one(engine, settings, i18n, payment_id, now)
        except Exception as exc:  # one payment must not stop the rest
            log_failure(log, f"chasing payment {payment_id} failed", exc)
    return sent


def _chase_one(engine: Engine, settings: Any, i18n: I18n, payment_id: int,
               now: datetime) -> int:
    with Session(engine, expire_on_commit=False) as session:
        state = load_state(session, payment_id)
        if state is None or state.payment.member_id is None:
            return 0
        member = session.get(Member, state.payment.member_id)
        due = chase_due(state, member.timezone if member else None, settings)
        if member is None or due is None or due > now or next_allowed(member, now) is None:
            return 0
        if not record_chase(session, payment_id, now):
            return 0
        t = member_translator(i18n, session, member)
        queued = queue_when_allowed(session, member, chaser_message(t, state), now)
        if queued is None:  # unreachable everywhere: keep the event, nothing to send
            log.info("payment %s reminder has no reachable chat", payment_id)
        session.commit()
        return 1 if queued is not None else 0

