"""A chat in the terminal: the embedded default, and a way to script the bot.

Buttons are shown as numbered choices; typing the number presses the button.
Every line goes through the same inbox, router, outbox and delivery worker as
Telegram and Discord, so what works here works there.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TextIO

from sqlmodel import Session, col, select

from bot.app import BotApp
from bot.core.delivery import DeliveryWorker, SendResult
from bot.core.events import Event, OutgoingMessage, text_event
from bot.core.members import grant_role, resolve_member
from bot.storage.models import OutboxMessage

PLATFORM = "console"


def render(message: OutgoingMessage) -> str:
    """Text, then each button on its own numbered line."""
    lines = [message.text]
    number = 0
    for row in message.buttons:
        for button in row:
            number += 1
            lines.append(f"  {number}. {button.label}")
    if message.document_text is not None:
        lines.append(f"  [{message.document_name}]")
    return "\n".join(lines)


class ConsoleSender:
    """Prints messages; the console never rate limits or blocks."""

    platform = PLATFORM

    def __init__(self, out: TextIO, files_dir: str = ".") -> None:
        self.out = out
        self.files_dir = files_dir

    async def send(self, chat_id: str, message: OutgoingMessage) -> SendResult:
        text = render(message)
        if message.document_text is not None and message.document_name:
            path = self._write_file(chat_id, message.document_name, message.document_text)
            text += f"\n  ({path})"
        self.out.write(f"\nbot: {text}\n")
        self.out.flush()
        return SendResult("sent")

    def _write_file(self, chat_id: str, name: str, content: str) -> str:
        from pathlib import Path

        safe = "".join(c for c in f"{chat_id}-{name}" if c.isalnum() or c in "-_.")
        path = Path(self.files_dir) / safe
        path.write_text(content, encoding="utf-8")
        return str(path.resolve())


class ConsoleAdapter:
    """Reads lines as one member and prints the bot's replies."""

    def __init__(self, app: BotApp, user: str = "you", out: TextIO | None = None) -> None:
        self.app = app
        self.user = user
        self.out = out or sys.stdout
        self.worker = DeliveryWorker(app.engine, {PLATFORM: ConsoleSender(self.out)})

    def grant(self, role: str) -> None:
        """Take a staff role locally, so team features can be tried in a terminal."""
        with Session(self.app.engine) as session:
            member, _ = resolve_member(
                session, PLATFORM, self.user, self.user,
                default_language=self.app.settings.default_language,
                default_timezone=self.app.settings.default_timezone,
            )
            assert member.id is not None
            grant_role(session, member.id, role)
            session.commit()

    def to_event(self, line: str) -> Event:
        """A typed number presses the matching button of the last message; else text."""
        stripped = line.strip()
        if stripped.isdigit():
            action = self._numbered_action(int(stripped))
            if action is not None:
                return Event(PLATFORM, self.user, self.user, "button", action=action)
        return text_event(PLATFORM, self.user, self.user, line)

    def _numbered_action(self, number: int) -> str | None:
        with Session(self.app.engine) as session:
            payloads = session.exec(
                select(OutboxMessage.payload)
                .where(OutboxMessage.platform == PLATFORM, OutboxMessage.chat_id == self.user,
                       col(OutboxMessage.status).in_(["sent", "unknown"]))
                .order_by(col(OutboxMessage.id).desc())
                .limit(20)
            ).all()
        for payload in payloads:
            actions = OutgoingMessage.from_dict(payload).actions()
            if actions:
                return actions[number - 1] if 1 <= number <= len(actions) else None
        return None

    async def catch_up(self) -> None:
        """After a restart: finish stored events and queued replies before reading more."""
        self.worker.recover_in_flight()
        self.app.process_pending()
        await self.deliver()

    async def deliver(self) -> None:
        while await self.worker.run_once():
            pass

    async def handle_line(self, line: str) -> None:
        self.app.receive(self.to_event(line), f"console-{uuid.uuid4().hex}")
        self.app.process_pending()
        await self.deliver()

    async def run(self, stream: TextIO) -> None:
        await self.catch_up()
        interactive = stream.isatty()
        if interactive:
            self.out.write(f"Chatting as {self.user}. Type /start to begin, Ctrl-D to quit.\n")
        while True:
            if interactive:
                self.out.write("> ")
                self.out.flush()
            line = await asyncio.to_thread(stream.readline)
            if not line:
                return
            await self.handle_line(line.rstrip("\n"))
