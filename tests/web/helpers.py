"""Rows the dashboard shows, made directly or through the features' own services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.app import BotApp
from bot.storage.db import transaction
from bot.storage.feedback_models import FeedbackItem
from bot.storage.models import utcnow
from bot.storage.safeguarding_models import SafeguardingAlert


def add_feedback(app: BotApp, member_id: int | None, text: str, *, day: date | None = None,
                 tags: list[str] | None = None, session_id: int | None = None) -> int:
    with transaction(app.engine) as db:
        item = FeedbackItem(member_id=member_id, anonymous=member_id is None, kind="free",
                            text=text, given_on=day or date.today(), tags=tags or [],
                            session_id=session_id,
                            created_at=None if member_id is None else utcnow())
        db.add(item)
        db.flush()
        return item.id


def add_alert(app: BotApp, member_id: int, said: str = "I feel low") -> int:
    with transaction(app.engine) as db:
        alert = SafeguardingAlert(member_id=member_id, source="asked_for_contact", mood=1,
                                  said=said)
        db.add(alert)
        db.flush()
        assert alert.id is not None
        return alert.id


def add_payment(app: BotApp, member_id: int, now: datetime, key: str = "k1",
                days_ago: int = 10) -> int:
    from bot.payments.ledger import Actor
    from bot.payments.ratecard import default_card
    from bot.payments.service import PaymentDraft, record_payment

    draft = PaymentDraft(member_id=member_id, activity="meeting",
                         activity_date=(now - timedelta(days=days_ago)).date(),
                         hours=Decimal("2"))
    with transaction(app.engine) as db:
        state, _ = record_payment(db, draft, default_card("Bridge Trust"), Actor.cli(), key, now)
        return state.id
