"""Periodic work of features that keep their own "due" rows.

Each job is idempotent: whatever it sends is recorded in the same transaction
as the item it handled, so running it twice, or in a new leader after a
handover, never sends anything twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.scheduler.registry import register_periodic

if TYPE_CHECKING:
    from bot.app import BotApp

HOUR = 3600.0


def payment_chasers(app: BotApp, now: datetime) -> int:
    """'Has it arrived?' asked once more after the expected date."""
    from bot.payments.chaser import chase_unconfirmed

    return chase_unconfirmed(app, now)


def session_feedback(app: BotApp, now: datetime) -> int:
    """Feedback requests that go out a set time after a session ends."""
    from bot.feedback.requests import send_due_session_feedback

    return send_due_session_feedback(app, now, settings=app.settings, i18n=app.i18n)


def unfinished_broadcasts(app: BotApp, now: datetime) -> int:
    """Finish fan-outs that a crash or a leader change left half done."""
    from bot.broadcasts.fanout import resume_unfinished

    return len(resume_unfinished(app.engine, app.i18n))


def scheduled_broadcasts(app: BotApp, now: datetime) -> int:
    """Fan out updates whose send time has come (each claimed by one scheduler only)."""
    from bot.broadcasts.fanout import batch_size_from
    from bot.broadcasts.schedule import fan_out_due

    return len(fan_out_due(app.engine, app.i18n, now, batch_size=batch_size_from(app.settings)))


def next_scheduled_broadcast(app: BotApp, now: datetime) -> datetime | None:
    """Wake up exactly when the next scheduled update is due, not up to a minute late."""
    from bot.broadcasts.schedule import next_send_at

    with Session(app.engine) as session:
        return next_send_at(session)


def retention(app: BotApp, now: datetime) -> int:
    """Delete or anonymise data past its retention period."""
    from bot.retention import run_retention

    with Session(app.engine) as session:
        counts = run_retention(session, app.settings, now)
        session.commit()
    return sum(counts.values())


def erased_goodbyes(app: BotApp, now: datetime) -> int:
    """Once the goodbye after /forget is delivered, remove its chat id too."""
    from bot.privacy import scrub_sent_to_erased

    with Session(app.engine) as session:
        count = scrub_sent_to_erased(session)
        session.commit()
    return count


register_periodic("erased_goodbyes", erased_goodbyes, every_seconds=60)
register_periodic("payment_chasers", payment_chasers, every_seconds=HOUR)
register_periodic("session_feedback", session_feedback, every_seconds=300)
register_periodic("scheduled_broadcasts", scheduled_broadcasts, every_seconds=60,
                  next_due=next_scheduled_broadcast)
register_periodic("unfinished_broadcasts", unfinished_broadcasts, every_seconds=60)
register_periodic("retention", retention, every_seconds=24 * HOUR)
