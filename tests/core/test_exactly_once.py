"""Nothing is lost and nothing happens twice: duplicates, handler crashes."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.core.events import Event, text_event
from bot.core.router import Router
from bot.storage.models import InboxEvent, Member, OutboxMessage
from tests.harness import PLATFORM, ChatHarness


def test_same_update_twice_has_one_effect_and_one_reply(chat: ChatHarness) -> None:
    event = text_event(PLATFORM, "u1", "u1", "/start")
    first = chat.event(event, external_id="update-42")
    second = chat.event(event, external_id="update-42")
    assert len(first) == 2
    assert second == []
    with Session(chat.app.engine) as s:
        assert len(s.exec(select(InboxEvent)).all()) == 1
        assert len(s.exec(select(OutboxMessage)).all()) == 2
        assert len(s.exec(select(Member)).all()) == 1


def test_a_crashing_handler_rolls_back_its_writes_and_apologises_once(
    settings, app: BotApp  # type: ignore[no-untyped-def]
) -> None:
    def explode(event: Event, ctx) -> None:  # type: ignore[no-untyped-def]
        ctx.member.display_name = "half-written"
        ctx.reply("this reply must never be sent")
        raise RuntimeError("boom")

    router = Router()
    router.command("boom")(explode)
    crashing = BotApp(settings, engine=app.engine, router=router)
    chat = ChatHarness(crashing)
    replies = chat.say("/boom")
    assert [m.text for m in replies] == [
        "Sorry, something went wrong on our side. Please try again."
    ]
    with Session(app.engine) as s:
        row = s.exec(select(InboxEvent)).one()
        assert row.status == "failed"
        assert row.error == "handler error"  # the class of problem, never the text
        assert row.payload["text"] == "" and row.payload["command"] == "boom"
        assert s.exec(select(Member)).one().display_name is None
    assert chat.say("/boom") != []  # the next event is handled normally
    assert crashing.process_pending() == 0


def test_events_are_handled_in_arrival_order(chat: ChatHarness) -> None:
    for n in range(5):
        chat.app.receive(text_event(PLATFORM, "u1", "u1", f"message {n}"), f"order-{n}")
    assert chat.app.process_pending() == 5
    with Session(chat.app.engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()  # type: ignore[arg-type]
        sources = [r.source_event_id for r in rows]
    assert sources == sorted(sources)


@pytest.mark.parametrize("external_id", ["x" * 128, "ünïcode-✓", "0"])
def test_odd_external_ids_are_stored(app: BotApp, external_id: str) -> None:
    event = text_event(PLATFORM, "u1", "u1", "hi")
    assert app.receive(event, external_id) is not None
    assert app.receive(event, external_id) is None


def test_a_crash_never_logs_what_the_member_typed(
    settings, app: BotApp, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    secret = "my address is 1 Secret Street"

    def explode(event: Event, ctx) -> None:  # type: ignore[no-untyped-def]
        raise ValueError(f"bad input: {event.text}")

    router = Router()
    router.fallback(explode)
    chat = ChatHarness(BotApp(settings, engine=app.engine, router=router))
    with caplog.at_level("DEBUG"):
        chat.say(secret)
    assert "ValueError" in caplog.text
    assert "Secret Street" not in caplog.text
