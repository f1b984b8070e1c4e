"""The coordinator's /broadcast conversation, end to end through the chat harness."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.core.events import OutgoingMessage
from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
from bot.storage.models import OutboxMessage
from bot.storage.session_models import GroupMember, ProjectGroup
from tests.broadcasts.conftest import add_member, run_scheduled
from tests.harness import ChatHarness


@pytest.fixture
def team(app: BotApp) -> None:
    with Session(app.engine) as s:
        add_member(s, "coord", roles=("coordinator",))
        add_member(s, "en1")
        add_member(s, "cy1", language="cy")
        s.commit()


def compose(chat: ChatHarness, *, when: str = "Now") -> list[str]:
    """Write a two-language update to everyone; return the preview texts."""
    def say(text: str) -> list[OutgoingMessage]:
        return chat.say(text, user="coord")

    def press(label: str) -> list[OutgoingMessage]:
        return chat.press_label(label, user="coord")

    assert "What kind of update" in say("/broadcast")[0].text
    assert "Which language" in press("Learning update")[0].text
    assert "title in English" in press("English")[0].text
    assert "message itself" in say("Room news")[0].text
    assert "another language" in say("We got a heater.")[0].text
    assert "title in Cymraeg" in press("Cymraeg")[0].text
    say("Newyddion")
    say("Cawsom wresogydd.")
    assert press("No, that's all")[0].text == "Who should get it?"
    assert "When should it go?" in press("Everyone")[0].text
    if when == "Now":
        return [m.text for m in press("Now")]
    assert "time zone (Europe/London)" in press("Later")[0].text
    return [m.text for m in say(when)]


def one_language_update(chat: ChatHarness, kind: str, language: str, title: str, body: str,
                        *audience: str) -> list[str]:
    """Write a one-language update for `audience` (the buttons pressed), to go now;
    return the replies to "Now"."""
    chat.say("/broadcast", user="coord")
    for label in (kind, language):
        chat.press_label(label, user="coord")
    chat.say(title, user="coord")
    chat.say(body, user="coord")
    for label in ("No, that's all", *audience):
        chat.press_label(label, user="coord")
    return [m.text for m in chat.press_label("Now", user="coord")]


def broadcasts(app: BotApp) -> list[Broadcast]:
    with Session(app.engine) as s:
        return list(s.exec(select(Broadcast)))


def test_coordinator_composes_previews_and_sends(chat: ChatHarness, team: None) -> None:
    preview = compose(chat)
    assert preview[0] == "English: 2 people\n\nRoom news\n\nWe got a heater."
    assert preview[1] == "Cymraeg: 1 person\n\nNewyddion\n\nCawsom wresogydd."
    assert "This will go to 3 people." in preview[2] and "Shall I send it?" in preview[2]
    assert chat.texts("en1") == [] and broadcasts(chat.app)[0].status == "draft"

    before = len(chat.texts("coord"))
    chat.press_label("Send it", user="coord")
    done = chat.texts("coord")[before:]
    assert "Room news\n\nWe got a heater." in done, "the coordinator is in everyone too"
    assert any(t.startswith("Done. Update 1 is on its way to 3 people.") for t in done)
    assert chat.texts("en1") == ["Room news\n\nWe got a heater."]
    assert chat.texts("cy1") == ["Newyddion\n\nCawsom wresogydd."]
    assert broadcasts(chat.app)[0].status == "queued"

    again = chat.press("bcast:send:1", user="coord")
    assert again[0].text == "This update has already been sent or cancelled."
    with Session(chat.app.engine) as s:
        assert len(s.exec(select(BroadcastRecipient)).all()) == 3


def test_a_scheduled_update_waits_for_its_time(chat: ChatHarness, team: None) -> None:
    preview = compose(chat, when="2099-12-01 14:30")
    assert "It will start going out at" in preview[-1]
    done = chat.press_label("Send it", user="coord")[0].text
    assert done.startswith("Saved. Update 1 will go out at") and "/updates" in done
    assert chat.texts("en1") == []
    assert broadcasts(chat.app)[0].status == "scheduled"
    with Session(chat.app.engine) as s:
        assert s.exec(select(OutboxMessage).where(OutboxMessage.chat_id == "en1")).all() == []
    due = datetime(2099, 12, 1, 14, 30, tzinfo=UTC)
    assert run_scheduled(chat.app, due) == 1
    with Session(chat.app.engine) as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.chat_id == "en1")).all()
    assert [r.not_before for r in rows] == [due]
    assert broadcasts(chat.app)[0].status == "queued"


def test_a_time_in_the_past_or_unreadable_is_asked_again(chat: ChatHarness, team: None) -> None:
    assert "passed" in compose(chat, when="2001-01-01 10:00")[0]
    assert "could not read" in chat.say("tomorrowish", user="coord")[0].text


def test_dont_send_keeps_everything_back(chat: ChatHarness, team: None) -> None:
    compose(chat)
    assert chat.press_label("Don't send", user="coord")[0].text == "OK. I have not sent anything."
    assert broadcasts(chat.app)[0].status == "cancelled"
    assert chat.texts("en1") == []


def test_a_member_cannot_broadcast_and_forged_buttons_change_nothing(
    chat: ChatHarness, team: None
) -> None:
    refused = chat.say("/broadcast", user="en1")
    assert refused[0].text.startswith("Sorry, that command is only for the team.")
    assert broadcasts(chat.app) == []
    compose(chat)
    for forged in ("bcast:send:1", "bcast:kind:urgent", "bcast:drop:1"):
        reply = chat.press(forged, user="en1")
        assert "expired" in reply[0].text
    assert [b.status for b in broadcasts(chat.app)] == ["draft"]
    with Session(chat.app.engine) as s:
        assert s.exec(select(BroadcastRecipient)).all() == []


def test_an_audience_by_language(chat: ChatHarness, team: None) -> None:
    preview = one_language_update(chat, "Urgent", "Cymraeg", "Heddiw",
                                  "Mae'r sesiwn wedi'i chanslo.", "People who use a language",
                                  "Cymraeg")
    assert preview[0].startswith("Cymraeg: 1 person")
    chat.press_label("Send it", user="coord")
    assert chat.texts("cy1") == ["Heddiw\n\nMae'r sesiwn wedi'i chanslo."]
    assert chat.texts("en1") == []


def test_an_audience_by_project_group(chat: ChatHarness, team: None) -> None:
    with Session(chat.app.engine) as s:
        group = ProjectGroup(name="Riverside")
        s.add(group)
        s.flush()
        s.add(GroupMember(group_id=group.id, member_id=2))  # en1
        s.commit()
    one_language_update(chat, "Session news", "English", "Room change",
                        "We meet in room 4 next week.", "A project group", "Riverside")
    chat.press_label("Send it", user="coord")
    assert chat.texts("en1") == ["Room change\n\nWe meet in room 4 next week."]
    assert chat.texts("cy1") == []


def test_an_audience_with_nobody_in_it_asks_again(chat: ChatHarness, team: None) -> None:
    replies = one_language_update(chat, "Learning update", "English", "Title", "Body",
                                  "People with a role", "Finance")
    assert replies == ["Nobody in that group can get it at the moment.", "Who should get it?"]
    assert [b.status for b in broadcasts(chat.app)] == ["cancelled"]
    assert chat.texts("en1") == []
