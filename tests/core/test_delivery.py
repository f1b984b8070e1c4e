"""The delivery worker: order per chat, retries, blocked members, crashes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, select

from bot.app import BotApp
from bot.core.delivery import MAX_ATTEMPTS, DeliveryWorker, SendResult
from bot.core.events import OutgoingMessage
from bot.core.members import resolve_member
from bot.storage.models import Identity, OutboxMessage, utcnow


@dataclass
class ScriptedSender:
    """Answers each send with the next scripted result, then `sent`."""

    script: dict[str, list[SendResult]] = field(default_factory=dict)
    platform: str = "fake"
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        self.calls.append((chat_id, message.text))
        queue = self.script.get(chat_id) or []
        return queue.pop(0) if queue else SendResult("sent", message_id="m")


class Clock:
    def __init__(self) -> None:
        self.now = utcnow() + timedelta(seconds=1)  # rows queued now are due

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


def queue(app: BotApp, chat_id: str, *texts: str) -> None:
    with Session(app.engine) as s:
        member, identity = resolve_member(s, "fake", chat_id, chat_id,
                                          default_language="en", default_timezone="UTC")
        for text in texts:
            s.add(OutboxMessage(member_id=member.id, platform="fake", chat_id=chat_id,
                                payload=OutgoingMessage(text).to_dict()))
        s.commit()


def statuses(app: BotApp) -> list[str]:
    with Session(app.engine) as s:
        return [r.status for r in s.exec(select(OutboxMessage).order_by(OutboxMessage.id))]  # type: ignore[arg-type]


def drain(worker: DeliveryWorker) -> None:
    async def go() -> None:
        while await worker.run_once():
            pass
    asyncio.run(go())


def test_retry_after_holds_the_chat_and_keeps_order(app: BotApp) -> None:
    clock = Clock()
    sender = ScriptedSender({"a": [SendResult("retry", retry_after=30)]})
    worker = DeliveryWorker(app.engine, {"fake": sender}, clock=clock)
    queue(app, "a", "a1", "a2")
    queue(app, "b", "b1")
    drain(worker)
    assert ("b", "b1") in sender.calls
    assert sender.calls.count(("a", "a1")) == 1 and ("a", "a2") not in sender.calls
    clock.now += timedelta(seconds=29)
    drain(worker)
    assert ("a", "a2") not in sender.calls, "nothing goes before retry_after has passed"
    clock.now += timedelta(seconds=2)
    drain(worker)
    a_calls = [text for chat, text in sender.calls if chat == "a"]
    assert a_calls == ["a1", "a1", "a2"]
    assert statuses(app) == ["sent", "sent", "sent"]


def test_blocked_member_is_tried_once_and_marked_unreachable(app: BotApp) -> None:
    sender = ScriptedSender({"a": [SendResult("unreachable", error="blocked")]})
    worker = DeliveryWorker(app.engine, {"fake": sender})
    queue(app, "a", "one", "two", "three")
    drain(worker)
    drain(worker)
    assert sender.calls == [("a", "one")]
    assert statuses(app) == ["unreachable"] * 3
    with Session(app.engine) as s:
        identity = s.exec(select(Identity)).one()
        assert identity.unreachable and identity.unreachable_reason == "blocked"


def test_network_errors_back_off_then_give_up(app: BotApp) -> None:
    clock = Clock()
    failures = [SendResult("retry", error="network")] * (MAX_ATTEMPTS + 2)
    sender = ScriptedSender({"a": list(failures)})
    worker = DeliveryWorker(app.engine, {"fake": sender}, clock=clock)
    queue(app, "a", "hello")
    for _ in range(MAX_ATTEMPTS + 2):
        drain(worker)
        clock.now += timedelta(seconds=301)
    assert len(sender.calls) == MAX_ATTEMPTS
    assert statuses(app) == ["failed"]


def test_migrated_chat_is_followed(app: BotApp) -> None:
    sender = ScriptedSender({"-1": [SendResult("migrated", new_chat_id="-1009")]})
    worker = DeliveryWorker(app.engine, {"fake": sender})
    queue(app, "-1", "first", "second")
    drain(worker)
    assert sender.calls == [("-1", "first"), ("-1009", "first"), ("-1009", "second")]
    with Session(app.engine) as s:
        assert s.exec(select(Identity)).one().chat_id == "-1009"


def test_crash_leftovers_never_resend_the_in_flight_message(app: BotApp) -> None:
    queue(app, "a", "in flight", "claimed only", "never claimed")
    with Session(app.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        rows[0].status, rows[1].status = "sending", "claimed"
        for r in rows:
            s.add(r)
        s.commit()
    sender = ScriptedSender()
    worker = DeliveryWorker(app.engine, {"fake": sender})
    assert worker.recover_in_flight() == 1
    drain(worker)
    assert sender.calls == [("a", "claimed only"), ("a", "never claimed")]
    assert statuses(app) == ["unknown", "sent", "sent"]


def test_a_sender_that_raises_does_not_lose_the_row(app: BotApp) -> None:
    class Broken:
        platform = "fake"

        async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
            raise ValueError("bug")

    queue(app, "a", "hello")
    drain(DeliveryWorker(app.engine, {"fake": Broken()}))
    assert statuses(app) == ["pending"]


def test_writing_to_us_again_makes_a_member_reachable(app: BotApp) -> None:
    from tests.harness import ChatHarness

    chat = ChatHarness(app)
    chat.say("/help")
    with Session(app.engine) as s:
        identity = s.exec(select(Identity)).one()
        identity.unreachable, identity.unreachable_reason = True, "dms_closed"
        s.add(identity)
        s.commit()
    assert chat.say("/help"), "the reply to their own message goes out"
    with Session(app.engine) as s:
        assert s.exec(select(Identity)).one().unreachable is False


def test_a_sensitive_message_is_blanked_once_sent(app: BotApp) -> None:
    with Session(app.engine) as s:
        member, _ = resolve_member(s, "fake", "a", "a", default_language="en",
                                   default_timezone="UTC")
        s.add(OutboxMessage(member_id=member.id, platform="fake", chat_id="a",
                            payload=OutgoingMessage("login: https://x/login/SECRET",
                                                    sensitive=True).to_dict()))
        s.commit()
    sender = ScriptedSender()
    drain(DeliveryWorker(app.engine, {"fake": sender}))
    assert "SECRET" in sender.calls[0][1], "the member gets the link"
    with Session(app.engine) as s:
        row = s.exec(select(OutboxMessage)).one()
        assert row.status == "sent" and "SECRET" not in str(row.payload)


def test_a_chat_that_must_wait_does_not_hold_up_the_others(app: BotApp) -> None:
    """Per-chat tasks: 'slow' waits 2 s for its rate limit; 'fast' goes at once."""

    class Slow(ScriptedSender):
        async def ready(self, chat_id: str) -> None:
            if chat_id == "slow":
                await asyncio.sleep(2)

    sender = Slow()
    worker = DeliveryWorker(app.engine, {"fake": sender})
    queue(app, "slow", "s1")

    async def scenario() -> list[tuple[str, str]]:
        stop = asyncio.Event()
        runner = asyncio.create_task(worker.run_forever(stop, idle=0.05))
        await asyncio.sleep(0.3)
        queue(app, "fast", "f1")
        worker.wake.set()
        await asyncio.sleep(0.5)
        seen = list(sender.calls)
        stop.set()
        await runner
        return seen

    seen = asyncio.run(scenario())
    assert ("fast", "f1") in seen and ("slow", "s1") not in seen
    assert statuses(app) == ["sent", "sent"], "the slow chat is finished before stopping"


def test_a_blocked_account_hands_its_messages_to_the_members_linked_account(
        app: BotApp) -> None:
    """A member who linked two accounts still gets what was queued for the one that
    became unreachable, once and in order, on the other; the blocked one is not retried."""
    queue(app, "a", "one", "two")
    with Session(app.engine) as s:
        member_id = s.exec(select(Identity)).one().member_id
        s.add(Identity(member_id=member_id, platform="other", user_id="b", chat_id="b"))
        s.commit()
    blocked = ScriptedSender({"a": [SendResult("unreachable", error="blocked")]})
    linked = ScriptedSender(platform="other")
    drain(DeliveryWorker(app.engine, {"fake": blocked, "other": linked}))
    assert blocked.calls == [("a", "one")]
    assert linked.calls == [("b", "one"), ("b", "two")]
    assert statuses(app) == ["sent", "sent"]
    with Session(app.engine) as s:
        assert {(i.platform, i.unreachable) for i in s.exec(select(Identity))} == {
            ("fake", True), ("other", False)}
