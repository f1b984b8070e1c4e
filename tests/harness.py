"""A recording fake messenger for handler tests.

It drives the real inbox, router, outbox and delivery worker, and records
what a person would see, like aiogram's MockedBot or errbot's TestBackend.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

from bot.app import BotApp
from bot.core.delivery import DeliveryWorker, SendResult
from bot.core.events import Event, OutgoingMessage, text_event

PLATFORM = "test"


@dataclass
class RecordingSender:
    platform: str = PLATFORM
    sent: list[tuple[str, OutgoingMessage]] = field(default_factory=list)

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        self.sent.append((chat_id, message))
        return SendResult("sent", message_id=str(len(self.sent)))


class ChatHarness:
    """Send text and press buttons as members; read back what they were sent."""

    _ids = itertools.count(1)

    def __init__(self, app: BotApp) -> None:
        self.app = app
        self.sender = RecordingSender()
        self.worker = DeliveryWorker(app.engine, {PLATFORM: self.sender})

    def event(self, event: Event, external_id: str | None = None) -> list[OutgoingMessage]:
        """Deliver one event (optionally with a fixed platform id); return the replies."""
        before = len(self.sender.sent)
        self.app.receive(event, external_id or f"ev-{next(self._ids)}-{id(self)}")
        self.app.process_pending()
        asyncio.run(self._deliver())
        return [m for _, m in self.sender.sent[before:]]

    def say(self, text: str, user: str = "u1") -> list[OutgoingMessage]:
        return self.event(text_event(PLATFORM, user, user, text))

    def press(self, action: str, user: str = "u1") -> list[OutgoingMessage]:
        return self.event(Event(PLATFORM, user, user, "button", action=action))

    def press_label(self, label: str, user: str = "u1") -> list[OutgoingMessage]:
        """Press the button with this label on the latest message that has buttons."""
        for chat_id, message in reversed(self.sender.sent):
            if chat_id == user and message.buttons:
                for row in message.buttons:
                    for button in row:
                        if button.label == label:
                            return self.press(button.action, user)
                raise AssertionError(f"no button {label!r}; have {message.actions()}")
        raise AssertionError("no message with buttons")

    def texts(self, user: str = "u1") -> list[str]:
        return [m.text for chat, m in self.sender.sent if chat == user]

    async def _deliver(self) -> None:
        while await self.worker.run_once():
            pass
