"""Telegram updates to neutral events, from updates built like Telegram sends them."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, Update

from bot.adapters.telegram_inbound import BotIdentity, update_to_event
from tests.fakes.fake_telegram import DEFAULT_GROUP_ID, FakeTelegramServer

ME = BotIdentity(123456, "copro_test_bot")
USER = 555


@pytest.fixture
def builder() -> FakeTelegramServer:
    """Only the update builders are used: no server is started."""
    return FakeTelegramServer("123456:TEST-TOKEN")


def convert(data: dict[str, Any]) -> Any:
    data = {"update_id": 1, **data}
    return update_to_event(Update.de_json(data, Bot("123456:TEST-TOKEN")), ME)


def test_private_text_and_commands(builder: FakeTelegramServer) -> None:
    event = convert(builder.make_text_update(USER, "hello there", language_code="cy"))
    assert (event.kind, event.text, event.user_id, event.chat_id) == (
        "message", "hello there", "555", "555")
    assert event.language_hint == "cy"
    assert event.display_name is None  # nothing personal before consent
    command = convert(builder.make_text_update(USER, "/start@copro_test_bot ref 7"))
    assert (command.kind, command.command, command.args) == ("command", "start", "ref 7")


def test_button_press_carries_the_raw_callback_data(builder: FakeTelegramServer) -> None:
    event = convert(builder.make_callback_update(USER, "lang:cy"))
    assert (event.kind, event.action, event.user_id, event.chat_id) == (
        "button", "lang:cy", "555", "555")
    assert event.extra["callback_query_id"]


@pytest.mark.parametrize(
    ("make", "attachment"),
    [
        (lambda b: b.make_sticker_update(USER), "sticker"),
        (lambda b: b.make_photo_update(USER, caption="look <b>"), "photo"),
        (lambda b: b.make_document_update(USER), "document"),
        (lambda b: b.make_edited_message_update(USER, "fixed typo"), "edit"),
    ],
)
def test_non_text_is_unsupported(builder: FakeTelegramServer, make: Any, attachment: str) -> None:
    event = convert(make(builder))
    assert (event.kind, event.attachment) == ("unsupported", attachment)
    assert event.text == ""  # captions and edited text are not kept


def test_voice_notes_keep_what_a_later_feature_needs(builder: FakeTelegramServer) -> None:
    event = convert(builder.make_voice_update(USER, duration=7))
    assert (event.kind, event.attachment) == ("unsupported", "voice")
    assert event.extra["file_id"].startswith("voice-")
    assert event.extra["duration"] == 7


def test_group_messages_only_when_addressed(builder: FakeTelegramServer) -> None:
    def group(text: str, **kw: Any) -> Any:
        return convert(builder.make_text_update(USER, text, chat_type="group", **kw))

    assert group("just chatting") is None
    assert group("/start") is None  # could be for any bot in the group
    assert group("/start@other_bot") is None
    mention = builder.make_text_update(USER, "@copro_test_bot STOP", chat_type="group")
    mention["message"]["entities"] = [{"type": "mention", "offset": 0, "length": 15}]
    event = convert(mention)
    assert (event.kind, event.text, event.chat_id) == ("message", "STOP", str(DEFAULT_GROUP_ID))
    assert event.extra["chat_type"] == "group"
    assert group("/help@copro_test_bot").command == "help"
    reply = builder.make_text_update(USER, "yes please", chat_type="group")
    reply["message"]["reply_to_message"] = {
        "message_id": 1, "date": 0, "chat": reply["message"]["chat"],
        "from": {"id": ME.id, "is_bot": True, "first_name": "CoproBot"}, "text": "Shall I?",
    }
    assert convert(reply).text == "yes please"


def test_blocking_and_unblocking(builder: FakeTelegramServer) -> None:
    blocked = convert(builder.make_my_chat_member_update(USER, "kicked"))
    assert (blocked.kind, blocked.user_id, blocked.chat_id) == ("blocked", "555", "555")
    assert convert(builder.make_my_chat_member_update(USER, "member")).kind == "unblocked"
    group_change = builder.make_my_chat_member_update(USER, "kicked", chat_type="group")
    assert convert(group_change) is None


def test_service_messages_and_channels_are_ignored(builder: FakeTelegramServer) -> None:
    joined = builder.make_message_update(
        USER, chat_type="group", new_chat_members=[{"id": 9, "is_bot": False, "first_name": "A"}]
    )
    assert convert(joined) is None
    post = {"channel_post": {"message_id": 1, "date": 0, "text": "news",
                             "chat": {"id": -100123, "type": "channel", "title": "C"}}}
    assert convert(post) is None
