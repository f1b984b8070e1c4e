"""Reading pauses: "more time between messages" splits long replies and spaces them out.

Driven through the real dispatcher, outbox and `DeliveryWorker`, with the
worker's clock moved by hand, so "later" is exact and nothing sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from sqlmodel import Session, col, select

from bot.core.context import Context
from bot.core.easyread import member_translator
from bot.core.events import OutgoingMessage, text_event
from bot.core.pacing import HORIZON, PACED
from bot.core.state import StateView
from bot.storage.models import Identity, Member, OutboxMessage, utcnow
from bot.storage.profile_models import Profile
from bot.textstyle import MORE_TIME_MIN_SECONDS
from tests.handlers.journey import member, onboard
from tests.harness import PLATFORM, ChatHarness


class Clock:
    """The delivery worker's clock: real time plus however far it was moved on."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.ahead

    def jump(self, seconds: float) -> None:
        self.ahead += timedelta(seconds=seconds)


@pytest.fixture
def clock(chat: ChatHarness) -> Iterator[Clock]:
    clock = Clock()
    chat.worker.clock = clock
    yield clock


def set_needs(chat: ChatHarness, user: str, needs: list[str]) -> None:
    with Session(chat.app.engine) as s:
        profile = s.get(Profile, member(chat.app, user).id)
        assert profile is not None
        profile.needs = needs
        s.add(profile)
        s.commit()


def rows(chat: ChatHarness, user: str = "u1") -> list[OutboxMessage]:
    with Session(chat.app.engine) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.chat_id == user)
                           .order_by(col(OutboxMessage.id))).all())


def run_worker(chat: ChatHarness) -> list[OutgoingMessage]:
    """Let the real worker send whatever is due on its clock."""
    before = len(chat.sender.sent)
    asyncio.run(chat._deliver())
    return [m for _, m in chat.sender.sent[before:]]


def onboarded(chat: ChatHarness, clock: Clock, needs: list[str]) -> None:
    onboard(chat)
    set_needs(chat, "u1", needs)


def test_a_long_reply_comes_in_short_parts_with_pauses(chat: ChatHarness, clock: Clock) -> None:
    onboarded(chat, clock, ["more_time", "short"])
    first = chat.say("/start")  # welcome (about 300 characters) + "already set up"
    assert len(first) == 1 and first[0].text.startswith("Hello! I am the chat bot")
    waiting = [r for r in rows(chat) if r.status == "pending"]
    assert len(waiting) >= 2 and all(r.payload.get(PACED) for r in waiting)
    assert all(len(r.payload["text"]) <= 250 for r in waiting)
    got = [m.text for m in first]
    for _ in range(10):
        got += [m.text for m in run_worker(chat)]
        clock.jump(MORE_TIME_MIN_SECONDS)
    whole = "\n".join(got)
    assert whole.index("Hello! I am the chat bot") < whole.index("I am not for emergencies") \
        < whole.index("You are already set up")
    gaps = sorted(r.not_before for r in rows(chat)[-len(got):])
    assert all((b - a).total_seconds() >= MORE_TIME_MIN_SECONDS for a, b in pairwise(gaps))


def test_nothing_overtakes_parts_still_waiting(chat: ChatHarness, clock: Clock) -> None:
    onboarded(chat, clock, ["more_time", "short"])
    chat.say("/start")
    pending = [r for r in rows(chat) if r.status == "pending"]
    last_part = max(r.not_before for r in pending)
    # The member writes again at once; the answer must queue behind every part.
    answer = chat.say("/profile")
    assert answer == [], "the answer did not jump the queue"
    answer = [r for r in rows(chat) if r.payload["buttons"] and r.status == "pending"]
    assert answer and all(r.not_before > last_part for r in answer), "buttons on the last part"
    # Step through time: at every moment, what was sent is a prefix of the queue order.
    sent_order: list[str] = []
    for _ in range(20):
        sent_order += [m.text for m in run_worker(chat)]
        clock.jump(3)
    ids = [r.payload["text"] for r in rows(chat) if r.status == "sent"]
    assert sent_order == ids[-len(sent_order):]
    done = next(i for i, t in enumerate(sent_order) if "You are already set up" in t)
    assert any(t.startswith("Here's what I've saved") for t in sent_order[done + 1:])


def test_others_get_one_message_at_once(chat: ChatHarness, clock: Clock) -> None:
    onboarded(chat, clock, ["short", "easy_read"])
    replies = chat.say("/start")
    assert [m.text.split("\n")[0] for m in replies][-1].startswith("You are already set up")
    assert len(replies) == 2 and all(r.status == "sent" for r in rows(chat))


def test_a_reply_still_waits_after_more_time_is_turned_off(chat: ChatHarness,
                                                           clock: Clock) -> None:
    onboarded(chat, clock, ["more_time", "short"])
    chat.say("/start")
    last_part = max(r.not_before for r in rows(chat) if r.status == "pending")
    set_needs(chat, "u1", [])
    assert chat.say("/profile") == []
    answer = [r for r in rows(chat) if r.status == "pending" and r.not_before >= last_part
              and r.payload["text"].startswith("Here's what I've saved")]
    assert len(answer) == 1 and "Payment:" in answer[0].payload["text"], "waits, not split"


def test_messages_held_for_quiet_hours_or_a_pause_never_hold_a_reply(
    chat: ChatHarness, clock: Clock
) -> None:
    onboarded(chat, clock, ["more_time"])
    me = member(chat.app)
    with Session(chat.app.engine) as s:
        for later in (timedelta(minutes=5), HORIZON + timedelta(minutes=1)):
            # A broadcast waiting for quiet hours to end; a paced part moved by a pause.
            s.add(OutboxMessage(member_id=me.id, platform="test", chat_id="u1",
                                payload={**OutgoingMessage("News").to_dict(),
                                         **({PACED: True} if later > HORIZON else {})},
                                not_before=utcnow() + later))
        s.commit()
    replies = chat.say("/profile")
    assert replies and replies[0].text.startswith("Here's what I've saved")


def test_secret_replies_stay_secret_in_every_part(chat: ChatHarness, clock: Clock) -> None:
    onboarded(chat, clock, ["more_time", "short"])
    with Session(chat.app.engine) as s:
        ctx = _context(chat, s)
        ctx.reply("Your code. " * 60, sensitive=True)
        assert len(ctx.sent) > 1
        assert all(r.payload["sensitive"] for r in ctx.sent)
        assert [bool(r.payload.get(PACED)) for r in ctx.sent] == [False] + [True] * (
            len(ctx.sent) - 1)


def _context(chat: ChatHarness, session: Session) -> Context:
    """A handler context as the dispatcher builds it, for a reply no handler sends."""
    me = session.get(Member, member(chat.app).id)
    assert me is not None and me.id is not None
    identity = session.exec(select(Identity).where(Identity.member_id == me.id)).one()
    return Context(session=session, member=me, identity=identity,
                   t=member_translator(chat.app.i18n, session, me),
                   state=StateView(session, me.id), settings=chat.app.settings,
                   i18n=chat.app.i18n, roles=frozenset())


def test_the_mydata_file_waits_its_turn(chat: ChatHarness, clock: Clock) -> None:
    onboarded(chat, clock, ["more_time", "short"])
    chat.say("/start")
    last_part = max(r.not_before for r in rows(chat) if r.status == "pending")
    chat.say("/mydata")
    [document] = [r for r in rows(chat) if r.payload.get("document_name")]
    assert document.status == "pending" and document.not_before >= last_part


def test_a_group_is_never_slowed_down(chat: ChatHarness, clock: Clock) -> None:
    onboarded(chat, clock, ["more_time", "short"])
    chat.say("/start")  # parts still waiting in the private chat
    event = text_event(PLATFORM, "u1", "group-7", "/help",
                       extra={"chat_type": "group", "private_chat_id": "u1"})
    answer = chat.event(event)
    assert answer and all(len(m.buttons) == 0 or m is answer[-1] for m in answer)
    assert all(not r.payload.get(PACED) for r in rows(chat, "group-7"))


def test_a_scheduled_message_waits_behind_paced_parts(chat: ChatHarness, clock: Clock) -> None:
    """Messages queued outside a handler (reminders, chasers) keep the order too."""
    from bot.core.reach import queue_to_member

    onboarded(chat, clock, ["more_time", "short"])
    chat.say("/start")
    last_part = max(r.not_before for r in rows(chat) if r.status == "pending")
    with Session(chat.app.engine) as s:
        who = s.get(Member, member(chat.app, "u1").id)
        assert who is not None
        row = queue_to_member(s, who, OutgoingMessage("Reminder: the panel is at 6pm."), utcnow())
        assert row is not None
        s.commit()
    reminder = next(r for r in rows(chat) if r.payload["text"].startswith("Reminder:"))
    assert reminder.not_before.replace(tzinfo=None) >= last_part.replace(tzinfo=None)
    sent: list[str] = []
    for _ in range(20):
        sent += [m.text for m in run_worker(chat)]
        clock.jump(3)
    assert sent[-1].startswith("Reminder:"), "the reminder came after every waiting part"
