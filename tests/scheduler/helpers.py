"""Shared helpers for scheduler, check-in, session and safeguarding tests.

Time is driven by hand: `tick(chat, when)` runs every scanner at `when`, then
delivers what is due at `when` through the chat harness's recording sender.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlmodel import Session

from bot.app import BotApp
from bot.core.delivery import DeliveryWorker
from bot.core.events import OutgoingMessage
from bot.core.members import grant_role, resolve_member
from bot.scheduler import run_due
from bot.storage.models import Member
from tests.harness import PLATFORM, ChatHarness


def add_member(app: BotApp, user: str, *, tz: str = "Europe/London",
               quiet: tuple[str | None, str | None] = ("21:00", "08:00"), language: str = "en",
               roles: tuple[str, ...] = (), name: str | None = None) -> int:
    """A member reachable as `user` on the test platform."""
    with Session(app.engine) as s:
        member, _ = resolve_member(s, PLATFORM, user, user, default_language=language,
                                   default_timezone=tz)
        member.timezone, member.language = tz, language
        member.quiet_start, member.quiet_end = quiet
        member.display_name = name
        s.add(member)
        assert member.id is not None
        for role in roles:
            grant_role(s, member.id, role)
        s.commit()
        return member.id


def update_member(app: BotApp, member_id: int, **values: object) -> None:
    with Session(app.engine) as s:
        member = s.get(Member, member_id)
        assert member is not None
        for key, value in values.items():
            setattr(member, key, value)
        s.add(member)
        s.commit()


def deliver(chat: ChatHarness, when: datetime) -> list[tuple[str, OutgoingMessage]]:
    """Send everything due at `when`; returns (user, message) pairs sent now."""
    before = len(chat.sender.sent)
    worker = DeliveryWorker(chat.app.engine, {PLATFORM: chat.sender}, clock=lambda: when)

    async def go() -> None:
        while await worker.run_once():
            pass

    asyncio.run(go())
    return chat.sender.sent[before:]


def tick(chat: ChatHarness, when: datetime) -> list[tuple[str, OutgoingMessage]]:
    """Run every scanner at `when`, then deliver what is due then.

    Retention is left out: these test members never gave consent, so once the
    clock jumps a month ahead retention would rightly erase them (it has its
    own tests in tests/handlers/test_retention.py).
    """
    run_due(chat.app, when, skip=("retention",))
    return deliver(chat, when)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)
