"""Easy Read, asked once in onboarding, shapes scheduled messages too."""

from __future__ import annotations

from sqlmodel import Session

from bot.storage.profile_models import Profile
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member, tick, utc
from tests.scheduler.test_checkin_schedule import plan


def _needs(chat: ChatHarness, member_id: int, needs: list[str]) -> None:
    with Session(chat.app.engine) as s:
        s.add(Profile(member_id=member_id, needs=needs))
        s.commit()


def test_easy_read_member_gets_the_short_check_in(chat: ChatHarness) -> None:
    easy = add_member(chat.app, "easy")
    usual = add_member(chat.app, "usual")
    _needs(chat, easy, ["easy_read"])
    _needs(chat, usual, ["short"])
    for member_id in (easy, usual):
        plan(chat, member_id, "weekly", 0, "10:00", now=utc(2027, 6, 2, 12))
    sent = dict(tick(chat, utc(2027, 6, 7, 9, 0)))  # Monday 10:00 BST
    assert sent["easy"].text == "Check-in. How are you? Tap one. Or skip."
    assert sent["usual"].text.startswith("Hello. It is time for your check-in.")
    assert [b.label for row in sent["easy"].buttons for b in row] == \
        [b.label for row in sent["usual"].buttons for b in row], "same words on the buttons"
