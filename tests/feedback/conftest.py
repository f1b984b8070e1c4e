"""Helpers for feedback tests: members who can be messaged now, and sent requests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.core.members import grant_role, resolve_member
from bot.feedback.requests import audience_members, create_request, send_request
from bot.storage.db import transaction
from bot.storage.feedback_models import FeedbackItem
from bot.storage.models import Member
from tests.harness import PLATFORM, ChatHarness

QUESTION = "How was the session?"


def add_member(app: BotApp, user: str, *, language: str = "en", roles: tuple[str, ...] = (),
               name: str | None = None, quiet: bool = False) -> int:
    """A member on the test platform; quiet hours off unless asked, so messages go now."""
    with transaction(app.engine) as session:
        member, _ = resolve_member(session, PLATFORM, user, user, default_language=language,
                                   default_timezone="Europe/London")
        member.language, member.display_name = language, name
        if not quiet:
            member.quiet_start = member.quiet_end = None
        session.add(member)
        session.flush()
        assert member.id is not None
        for role in roles:
            grant_role(session, member.id, role)
        return member.id


def deliver(chat: ChatHarness) -> None:
    asyncio.run(chat._deliver())


@pytest.fixture
def ask(app: BotApp, chat: ChatHarness) -> Callable[..., int]:
    """Create a request, send it to an audience and deliver it; returns its id."""

    def make(kind: str, options: list[str] | None = None, *, anonymous: bool = False,
             audience: str = "everyone", question: str = QUESTION, **kw: object) -> int:
        with transaction(app.engine) as session:
            request = create_request(session, kind, question, options, anonymous=anonymous,
                                     **kw)  # type: ignore[arg-type]
            send_request(session, request, audience_members(session, audience), app.i18n,
                         app.settings)
            assert request.id is not None
            request_id = request.id
        deliver(chat)
        return request_id

    return make


def items(app: BotApp) -> list[FeedbackItem]:
    with Session(app.engine) as session:
        return list(session.exec(select(FeedbackItem)).all())


def member_row(app: BotApp, member_id: int) -> Member:
    with Session(app.engine) as session:
        found = session.get(Member, member_id)
        assert found is not None
        return found
