"""Helpers for payment tests: people with roles, a recorded payment, the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.app import BotApp
from bot.core.members import grant_role
from bot.payments.calc import ExpenseItem
from bot.payments.ledger import Actor, PaymentState, load_state
from bot.payments.ratecard import rate_card_for
from bot.payments.service import PaymentDraft, approve_payment, mark_paid, record_payment
from bot.storage.models import Identity, Member, OutboxMessage

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def add_member(app: BotApp, user: str, *roles: str, language: str = "en",
               name: str | None = None, quiet: tuple[str, str] | None = None) -> int:
    """A member on the test platform (chat id = user id); quiet hours off unless given."""
    with Session(app.engine) as s:
        member = Member(language=language, display_name=name,
                        quiet_start=quiet[0] if quiet else None,
                        quiet_end=quiet[1] if quiet else None)
        s.add(member)
        s.flush()
        assert member.id is not None
        s.add(Identity(member_id=member.id, platform="test", user_id=user, chat_id=user))
        for role in roles:
            grant_role(s, member.id, role)
        s.commit()
        return member.id


def configure(settings: Any, **values: Any) -> None:
    """Set payment settings that bot/config.py does not declare (yet)."""
    for name, value in values.items():
        object.__setattr__(settings, name, value)


def draft(member_id: int, **kw: Any) -> PaymentDraft:
    base: dict[str, Any] = {
        "member_id": member_id, "activity": "meeting", "activity_date": date(2026, 11, 20),
        "hours": Decimal("2.5"), "expenses": [ExpenseItem("travel", Decimal("12.50"), True)],
        "method": "bank_transfer", "expected_date": date(2026, 11, 27),
    }
    base.update(kw)
    return PaymentDraft(**base)


def record(app: BotApp, member_id: int, key: str = "k1", by: int | None = None,
           now: datetime = NOW, **kw: Any) -> PaymentState:
    actor = Actor(member_id=by, roles=frozenset({"coordinator"})) if by else Actor.cli()
    with Session(app.engine, expire_on_commit=False) as s:
        state, _ = record_payment(s, draft(member_id, **kw), rate_card_for(app.settings),
                                  actor, key, now)
        s.commit()
        return state


def approve_and_pay(app: BotApp, payment_id: int, paid_on: date = date(2026, 11, 24),
                    now: datetime = NOW) -> PaymentState:
    with Session(app.engine, expire_on_commit=False) as s:
        assert approve_payment(s, payment_id, Actor.cli(), now).ok
        outcome = mark_paid(s, payment_id, Actor.cli(), now, reference="BACS-1",
                            paid_on=paid_on)
        assert outcome.ok and outcome.state is not None
        s.commit()
        return outcome.state


def state_of(app: BotApp, payment_id: int) -> PaymentState:
    with Session(app.engine, expire_on_commit=False) as s:
        state = load_state(s, payment_id)
        assert state is not None
        return state


def kinds(app: BotApp, payment_id: int) -> list[str]:
    return [e.kind for e in state_of(app, payment_id).events]


def outbox_for(app: BotApp, member_id: int) -> list[OutboxMessage]:
    with Session(app.engine) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.member_id == member_id)
                           .order_by(col(OutboxMessage.id))))


@pytest.fixture
def team(app: BotApp) -> dict[str, int]:
    """A coordinator, two finance people and two members."""
    return {
        "coord": add_member(app, "coord", "coordinator", name="Cara"),
        "fin": add_member(app, "fin", "finance", name="Femi"),
        "fin2": add_member(app, "fin2", "finance", name="Fran"),
        "m1": add_member(app, "m1", name="Mo"),
        "m2": add_member(app, "m2", name="Max"),
    }
