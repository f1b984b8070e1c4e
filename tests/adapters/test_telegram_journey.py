"""The whole /start journey through the real PTB library and the fake Bot API."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from bot.storage.profile_models import ConsentRecord, Profile
from tests.adapters.test_telegram_flow import buttons_of, no_errors
from tests.fakes.fake_telegram import FakeTelegramServer

pytestmark = pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")


class Member:
    """One person tapping buttons in Telegram."""

    def __init__(self, fake: FakeTelegramServer, records: Any, wait_until: Any, user: int):
        self.fake, self.records, self.wait_until, self.user = fake, records, wait_until, user

    async def say(self, text: str) -> None:
        before = len(self.fake.messages_to(self.user))
        self.fake.add_update(self.fake.make_text_update(self.user, text))
        await self._answered(before)

    async def press(self, label: str) -> None:
        """Tap `label` on the newest message that has it, like a person would."""
        for record in reversed(self.fake.messages_to(self.user)):
            if label in buttons_of(record):
                before = len(self.fake.messages_to(self.user))
                self.fake.add_update(self.fake.make_callback_update(
                    self.user, buttons_of(record)[label], message_id=record["message_id"]))
                await self._answered(before)
                return
        raise AssertionError(f"no {label!r} button")

    async def _answered(self, before: int) -> None:
        await self.wait_until(lambda: len(self.fake.messages_to(self.user)) > before, 10)
        await self.wait_until(self.records.settled, 10)

    def last_text(self) -> str:
        return str(self.fake.messages_to(self.user)[-1]["plain_text"])


async def test_complete_journey_skipping_every_question(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any, tg_app: Any
) -> None:
    person = Member(fake, records, wait_until, 4101)
    async with polling():
        await person.say("/start")
        await person.press("English")
        await person.press("Yes, save my details")
        for _ in range(12):
            if "Here's what I've saved" in person.last_text():
                break
            await person.press("Skip")
        assert "Here's what I've saved" in person.last_text()
    member = records.member(4101)
    with Session(tg_app.engine) as s:
        assert s.get(Profile, member.id) is not None
        kinds = [c.action for c in s.exec(select(ConsentRecord)).all()]
    assert kinds == ["given"]
    no_errors(fake)


async def test_declining_consent_stores_no_profile(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any, tg_app: Any
) -> None:
    person = Member(fake, records, wait_until, 4102)
    async with polling():
        await person.say("/start")
        await person.press("English")
        await person.press("No, thank you")
        assert "HELP" in person.last_text()
    with Session(tg_app.engine) as s:
        assert s.get(Profile, records.member(4102).id) is None
    no_errors(fake)
