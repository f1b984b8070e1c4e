"""Overview numbers from the feature tables: check-ins, feedback, payments, alerts, reach.

Each function returns None when its feature is not installed. Feature services
are preferred where they offer the figure, so the dashboard and the chat
reports agree; otherwise the figure is computed here from the feature's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, distinct, func
from sqlmodel import Session, col, select

from bot.storage.models import OutboxMessage
from bot.web.dashboard.features import attr, optional
from bot.web.dashboard.metrics import bucket, month_key, month_start, ratio

MIN_GROUP = 5  # the mood trend and any anonymous result: groups of five or more only
WINDOW = timedelta(days=30)


@dataclass
class Checkins:
    sent: int
    answered: int
    rate: float | None
    mood: list[tuple[str, float]]  # weeks with MIN_GROUP or more people only
    hidden_weeks: int


def checkins(db: Session, now: datetime, weeks: int = 12) -> Checkins | None:
    model = attr("bot.storage.checkin_models", "Checkin")
    if model is None:
        return None
    since = now - WINDOW
    sent, answered = db.exec(
        select(func.count(), func.coalesce(func.sum(case((col(model.status) == "answered", 1),
                                                         else_=0)), 0))
        .where(col(model.sent_at) >= since,
               col(model.status).in_(("sent", "answered", "skipped")))).one()
    key = bucket(db, col(model.answered_at), "week")
    rows = db.exec(
        select(key, func.avg(model.mood), func.count(distinct(model.member_id)))
        .where(col(model.answered_at) >= now - timedelta(weeks=weeks), col(model.mood).is_not(None))
        .group_by(key).order_by(key)
    ).all()
    mood = [(str(week), round(float(avg), 2)) for week, avg, people in rows if people >= MIN_GROUP]
    return Checkins(int(sent), int(answered), ratio(int(answered), int(sent)), mood,
                    len(rows) - len(mood))


@dataclass
class Feedback:
    total: int
    closed: int
    rate: float | None
    by_month: list[tuple[str, float]] = field(default_factory=list)


def feedback(db: Session, now: datetime, months: int = 6) -> Feedback | None:
    """Volume per month, and the closure rate from `bot.feedback.loop`."""
    model = attr("bot.storage.feedback_models", "FeedbackItem")
    closure_rate = attr("bot.feedback.loop", "closure_rate")
    if model is None or closure_rate is None:
        return None
    closure = closure_rate(db)
    key = bucket(db, col(model.given_on), zoned=False)
    since = month_start(now, months - 1).date()
    counts = dict(db.exec(select(key, func.count()).where(col(model.given_on) >= since)
                          .group_by(key)).all())
    labels = [month_key(month_start(now, back)) for back in reversed(range(months))]
    return Feedback(closure.total, closure.closed, ratio(closure.closed, closure.total),
                    [(label, float(counts.get(label, 0))) for label in labels])


@dataclass
class Payments:
    median_days: float | None  # activity to paid
    p90_days: float | None
    received_median: float | None  # activity to the member's "it arrived"
    received_p90: float | None
    waiting_confirmation: int
    waiting_approval: int
    waiting_payment: int
    problems: int


def last_status(models: Any, ledger: Any) -> Any:
    """(payment_id, kind): each payment's latest status-changing ledger event, in SQL.

    The same folding as `bot.payments.ledger.fold`, without loading every event.
    """
    event = models.PaymentEvent
    latest = (select(event.payment_id, func.max(event.id).label("eid"))
              .where(col(event.kind).in_(list(ledger.STATUS_AFTER)))
              .group_by(event.payment_id).subquery())
    return (select(latest.c.payment_id, col(event.kind).label("kind"))
            .join(event, col(event.id) == latest.c.eid).subquery())


def payments(db: Session, now: datetime, timezone: str = "Europe/London",
             days: int = 365) -> Payments | None:
    """Queues and days to pay for the last year, by the rules of `bot.payments.report`.

    `report.summarise(report.load_all(...))` folds every payment in Python, which
    takes seconds with tens of thousands of payments; the same figures are read
    here with three queries, and `report.day_stats` does the statistics.
    """
    models = optional("bot.storage.payment_models")
    ledger = optional("bot.payments.ledger")
    report = optional("bot.payments.report")
    if models is None or ledger is None or report is None:
        return None
    payment, event = models.Payment, models.PaymentEvent
    status = last_status(models, ledger)
    counts = {ledger.STATUS_AFTER.get(kind, kind): n for kind, n in db.exec(
        select(status.c.kind, func.count()).group_by(status.c.kind)).all()}
    since = (now - timedelta(days=days)).date()
    zone = ZoneInfo(timezone)
    paid, received = [], []
    for kind, activity_day, paid_on, created in db.exec(
        select(event.kind, payment.activity_date, event.paid_on, event.created_at)
        .join(payment, col(payment.id) == col(event.payment_id))
        .join(status, status.c.payment_id == col(payment.id))
        .where(col(event.kind).in_(("paid", "confirmed")), status.c.kind != "reversed",
               col(payment.activity_date) >= since)
    ).all():
        if kind == "paid" and paid_on is not None:
            paid.append((paid_on - activity_day).days)
        elif kind == "confirmed":
            stamp = created if created.tzinfo else created.replace(tzinfo=UTC)
            received.append((stamp.astimezone(zone).date() - activity_day).days)
    to_paid, to_received = report.day_stats(paid), report.day_stats(received)
    return Payments(to_paid.median, to_paid.p90, to_received.median, to_received.p90,
                    counts.get("paid", 0), counts.get("recorded", 0), counts.get("approved", 0),
                    counts.get("problem", 0))


def open_alerts(db: Session) -> dict[str, int] | None:
    model = attr("bot.storage.safeguarding_models", "SafeguardingAlert")
    if model is None:
        return None
    rows = db.exec(select(model.status, func.count()).group_by(model.status)).all()
    counts = {status: n for status, n in rows}
    return {"open": counts.get("open", 0), "contacted": counts.get("contacted", 0)}


@dataclass
class Reach:
    language: str
    recipients: int
    delivered: int

    @property
    def share(self) -> float:
        return ratio(self.delivered, self.recipients) or 0.0


def broadcast_reach(db: Session, now: datetime, days: int = 90) -> list[Reach] | None:
    """Per member language: how many people updates were for, and how many got them."""
    model = attr("bot.storage.broadcast_models", "BroadcastRecipient")
    if model is None:
        return None
    delivered = func.sum(case((col(OutboxMessage.status) == "sent", 1), else_=0))
    rows = db.exec(
        select(model.language, func.count(), delivered)
        .select_from(model).outerjoin(OutboxMessage, col(OutboxMessage.id) == col(model.outbox_id))
        .where(col(model.created_at) >= now - timedelta(days=days))
        .group_by(model.language).order_by(model.language)
    ).all()
    return [Reach(lang, int(n), int(ok or 0)) for lang, n, ok in rows]
