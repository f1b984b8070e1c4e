"""Helpers that walk people through the /start journey in handler tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session, select

from bot.app import BotApp
from bot.core.events import OutgoingMessage
from bot.storage.models import Identity, Member
from bot.storage.profile_models import ConsentRecord, Profile
from tests.harness import PLATFORM, ChatHarness

SKIPPABLE = ("name", "pronouns", "intro", "timezone", "quiet", "checkins", "needs", "ways",
             "translate", "payment")


def labels(message: OutgoingMessage) -> list[str]:
    return [b.label for row in message.buttons for b in row]


def last_with_buttons(replies: list[OutgoingMessage]) -> OutgoingMessage:
    return [m for m in replies if m.buttons][-1]


@contextmanager
def db(app: BotApp) -> Iterator[Session]:
    with Session(app.engine, expire_on_commit=False) as session:
        yield session


def member(app: BotApp, user: str = "u1", platform: str = PLATFORM) -> Member:
    with db(app) as session:
        identity = session.exec(
            select(Identity).where(Identity.platform == platform, Identity.user_id == user)
        ).one()
        found = session.get(Member, identity.member_id)
        assert found is not None
        return found


def profile(app: BotApp, user: str = "u1") -> Profile | None:
    with db(app) as session:
        return session.get(Profile, member(app, user).id)


def consents(app: BotApp, user: str = "u1") -> list[ConsentRecord]:
    with db(app) as session:
        return list(session.exec(
            select(ConsentRecord).where(ConsentRecord.member_id == member(app, user).id)
        ).all())


def start_and_consent(chat: ChatHarness, user: str = "u1") -> list[OutgoingMessage]:
    """/start, English, Yes: returns the replies to "Yes" (ending with the name question)."""
    chat.say("/start", user=user)
    chat.press_label("English", user=user)
    return chat.press_label("Yes, save my details", user=user)


def skip_to_summary(chat: ChatHarness, user: str = "u1") -> list[OutgoingMessage]:
    replies: list[OutgoingMessage] = []
    for _ in SKIPPABLE:
        replies = chat.press_label("Skip", user=user)
    return replies


def onboard(chat: ChatHarness, user: str = "u1", name: str = "Sam") -> None:
    """A full, quick journey: a name, then everything else skipped, then All done."""
    start_and_consent(chat, user)
    chat.say(name, user=user)
    for _ in SKIPPABLE[1:]:
        chat.press_label("Skip", user=user)
    chat.press_label("All done", user=user)
