"""A mixed workload for the process-level reliability tests, and the checks after it.

Members talk to the real bot (a `copro-bot run` subprocess) through the fake
Bot API: new people onboard by pressing the buttons they were sent or typing
answers, others ask for check-ins and answer them, one member confirms a
payment, and a scheduled broadcast fans out to everyone. The driver only
presses buttons the bot really delivered, and every update it adds has a new
update_id, so Telegram's redelivery is the only source of repeats.
"""

from __future__ import annotations

import os
import random
import signal
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, col, select

from bot.adapters.telegram_text import render_parts
from bot.app import BotApp
from bot.broadcasts import BroadcastSpec, create_draft
from bot.broadcasts.fanout import start_sending
from bot.core.events import OutgoingMessage
from bot.payments.calc import ExpenseItem
from bot.payments.ledger import Actor
from bot.payments.notify import after_paid
from bot.payments.ratecard import rate_card_for
from bot.payments.service import PaymentDraft, approve_payment, mark_paid, record_payment
from bot.services.sessions import add_to_group, ensure_group
from bot.storage.broadcast_models import BroadcastRecipient
from bot.storage.models import Identity, InboxEvent, Member, OutboxMessage, utcnow
from bot.storage.payment_models import PaymentEvent
from tests.fakes.fake_telegram import FakeTelegramServer
from tests.fakes.telegram_validation import parse_html

TOKEN = "123456:TEST-TOKEN"
NEWCOMERS = list(range(4101, 4106))
MEMBERS = list(range(4201, 4206))
PAYEE = MEMBERS[0]
BROADCAST_BODY = "The new room is on the ground floor."
TYPED = ["/start", "/help", "/checkins", "Sam", "skip", "hello", "/profile", "/payments"]


def seed(app: BotApp) -> tuple[int, int]:
    """Members on Telegram, a paid payment awaiting confirmation and a broadcast
    due in a few seconds. Returns (payment id, broadcast id)."""
    now = utcnow()
    with Session(app.engine, expire_on_commit=False) as session:
        ids = {}
        for user in MEMBERS:
            # No quiet hours, so the broadcast goes out whatever time the suite runs.
            member = Member(language="en", display_name=f"Member {user}",
                            quiet_start=None, quiet_end=None)
            session.add(member)
            session.flush()
            assert member.id is not None
            ids[user] = member.id
            session.add(Identity(member_id=member.id, platform="telegram", user_id=str(user),
                                 chat_id=str(user)))
        session.flush()
        group = ensure_group(session, "Panel")
        for member_id in ids.values():
            add_to_group(session, group, member_id)
        draft = PaymentDraft(
            member_id=ids[PAYEE], activity="meeting", activity_date=date.today(),
            hours=Decimal("2"), expenses=[ExpenseItem("travel", Decimal("4.50"), True)],
            method="bank_transfer", expected_date=date.today() + timedelta(days=3))
        state, _ = record_payment(session, draft, rate_card_for(app.settings), Actor.cli(),
                                  "reliability-1", now)
        assert state.payment.id is not None
        assert approve_payment(session, state.payment.id, Actor.cli(), now).ok
        outcome = mark_paid(session, state.payment.id, Actor.cli(), now, reference="BACS-9",
                            paid_on=date.today())
        assert outcome.ok and outcome.state is not None
        after_paid(session, app.i18n, app.settings, outcome.state, now)  # the confirmation
        broadcast = create_draft(session, BroadcastSpec(
            kind="learning", texts={"en": {"title": "Room change", "body": BROADCAST_BODY}},
            audience=["group:Panel"], default_language="en",
            send_at=now + timedelta(seconds=4)))
        start_sending(broadcast, now)
        session.add(broadcast)
        session.commit()
        assert broadcast.id is not None
        return state.payment.id, broadcast.id


class Driver:
    """Adds updates as members would, from what the bot really sent them."""

    def __init__(self, fake: FakeTelegramServer, seed_value: int = 12) -> None:
        self.fake = fake
        self.random = random.Random(seed_value)
        self.added: list[int] = []
        self.pressed_payment = False
        for user in NEWCOMERS + MEMBERS:
            fake.add_chat(user, first_name="Robin")  # so the bot may write to them first

    def step(self) -> None:
        user = self.random.choice(NEWCOMERS + MEMBERS)
        if user == PAYEE and not self.pressed_payment and self._press(user, "pay:yes:"):
            self.pressed_payment = True
            return
        if self.random.random() < 0.6 and self._press(user, ""):
            return
        text = self.random.choice(TYPED)
        self.added.append(self.fake.add_update(self.fake.make_text_update(user, text)))

    def _press(self, user: int, prefix: str) -> bool:
        """Press a button (starting with `prefix`) on the newest message that has one."""
        for message in reversed(self.fake.messages_to(user)):
            markup = message.get("reply_markup") or {}
            data = [b["callback_data"] for row in markup.get("inline_keyboard", [])
                    for b in row if b.get("callback_data", "").startswith(prefix)]
            if data:
                update = self.fake.make_callback_update(
                    user, self.random.choice(data), message_id=message["message_id"])
                self.added.append(self.fake.add_update(update))
                return True
            if not prefix:
                return False
        return False


def bot_env(db_url: str, fake: FakeTelegramServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("COPRO_CRASH_AT", "TELEGRAM_WEBHOOK_URL", "DISCORD_BOT_TOKEN")}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=fake.base_url, DATABASE_URL=db_url,
               LOG_LEVEL="INFO", PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return env


def bot_command() -> list[str]:
    return [sys.executable, "-m", "bot.cli", "run", "--platform", "telegram"]


def expected_parts(text: str) -> list[str]:
    """What the fake records as `plain_text` for each part of one outbox text."""
    return [parse_html(part).text for part in render_parts(text)]


def check_exactly_once(app: BotApp, fake: FakeTelegramServer, added: list[int],
                       payment_id: int, broadcast_id: int) -> dict[str, int]:
    """The invariants after the storm; returns counts for the report."""
    with Session(app.engine) as session:
        inbox = list(session.exec(select(InboxEvent).where(InboxEvent.platform == "telegram")))
        outbox = list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))
        confirmations = session.exec(select(PaymentEvent).where(
            PaymentEvent.payment_id == payment_id, PaymentEvent.kind == "confirmed")).all()
        recipients = session.exec(select(BroadcastRecipient).where(
            BroadcastRecipient.broadcast_id == broadcast_id)).all()
    # Every inbound update was stored once and handled once.
    assert sorted(int(r.external_id) for r in inbox) == sorted(added)
    assert {r.status for r in inbox} == {"done"}
    # One effect per update: its replies were written once (no repeated reply rows).
    per_event = Counter((r.source_event_id, repr(r.payload)) for r in outbox if r.source_event_id)
    assert max(per_event.values()) == 1
    assert len(confirmations) == 1, f"payment confirmed {len(confirmations)} times, not once"
    assert len(recipients) == len(MEMBERS)
    assert len({r.member_id for r in recipients}) == len(recipients)
    broadcast_rows = Counter(r.chat_id for r in outbox if BROADCAST_BODY in r.payload["text"])
    assert broadcast_rows and max(broadcast_rows.values()) == 1
    # Every message went out at least once, at most once, or is a recorded unknown.
    assert {r.status for r in outbox} <= {"sent", "unknown"}, Counter(r.status for r in outbox)
    delivered: Counter[tuple[str, str]] = Counter(
        (str(m["chat_id"]), m["plain_text"]) for m in fake.sent if m["method"] == "sendMessage")
    must: Counter[tuple[str, str]] = Counter()
    may: Counter[tuple[str, str]] = Counter()
    for row in outbox:
        parts = expected_parts(OutgoingMessage.from_dict(row.payload).text)
        for part in parts:
            (must if row.status == "sent" else may)[(row.chat_id, part)] += 1
    for key in set(must) | set(may) | set(delivered):
        assert must[key] <= delivered[key] <= must[key] + may[key], key
    return {"updates": len(inbox), "messages": len(outbox),
            "unknown": sum(r.status == "unknown" for r in outbox)}


__all__ = ["Driver", "bot_command", "bot_env", "check_exactly_once", "seed", "signal"]
