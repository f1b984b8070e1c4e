"""End-to-end conversations: the real PTB Bot, long polling, the core, the fake Bot API.

The onboarding journey is still being shaped, so these tests find buttons by
label and count replies per update instead of pinning exact wording.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.fakes.fake_telegram import FakeTelegramServer

# Polling calls getUpdates through do_api_request on purpose; PTB warns about that.
pytestmark = pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")


def buttons_of(record: dict[str, Any]) -> dict[str, str]:
    markup = record["reply_markup"] or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def wait_for_button(fake: FakeTelegramServer, chat: int, label: str) -> str:
    """The callback_data of the first button called `label` sent to `chat`."""
    for count in range(1, 20):
        sent = await fake.wait_for_sent(count, chat_id=chat)
        for record in sent:
            if label in buttons_of(record):
                return buttons_of(record)[label]
    raise AssertionError(f"no {label!r} button")


def no_errors(fake: FakeTelegramServer) -> None:
    refused = [(r["method"], r["status"], r["description"]) for r in fake.requests
               if r["status"] != 200 and r["method"] != "getUpdates"]
    assert refused == []
    assert fake.rate_violations == [] and fake.retry_after_violations == []


async def test_start_language_button_and_welsh_reply(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any
) -> None:
    user = 1001
    async with polling():
        fake.add_update(fake.make_text_update(user, "/start", language_code="en"))
        welsh = await wait_for_button(fake, user, "Cymraeg")
        welcome = fake.messages_to(user)[0]
        assert welcome["parse_mode"] == "HTML" and "Bridge Trust" in welcome["plain_text"]
        assert buttons_of(fake.messages_to(user)[-1]).get("English")

        before = len(fake.messages_to(user))
        press = fake.make_callback_update(user, welsh, update_id=77)
        fake.add_update(press)
        await wait_until(lambda: records.member(user).language == "cy")
        await wait_until(lambda: press["callback_query"]["id"] in fake.answered_callbacks)
        await wait_until(records.settled)
        await fake.wait_until_confirmed()

    after = fake.messages_to(user)[before:]
    assert after and len(after) == len(records.replies_to("77"))
    if any("Diolch" in m["plain_text"] for m in after):  # once the Welsh catalog has it
        assert "Cymraeg" in after[0]["plain_text"]
    no_errors(fake)


async def test_forged_or_stale_buttons_change_nothing_and_are_still_answered(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any
) -> None:
    alice, mallory = 1101, 1102
    async with polling():
        fake.add_update(fake.make_text_update(alice, "/start"))
        welsh = await wait_for_button(fake, alice, "Cymraeg")
        await wait_until(records.settled)
        member, state = records.member(alice), records.state(alice)
        fake.add_chat(mallory)
        presses = [
            fake.make_callback_update(mallory, welsh, chat_id=mallory),  # alice's, not hers
            fake.make_callback_update(alice, "pause:open"),  # a real action, never offered
            fake.make_callback_update(alice, "lang:xx"),  # never offered
            fake.make_callback_update(alice, "x" * 64),  # junk, at the size limit
        ]
        for press in presses:
            fake.add_update(press)
        ids = [p["callback_query"]["id"] for p in presses]
        await wait_until(lambda: set(ids) <= set(fake.answered_callbacks))
        await wait_until(lambda: len(records.inbox()) == 5 and records.settled())

    replies = [m["plain_text"] for m in fake.messages_to(mallory)]
    replies += [m["plain_text"] for m in fake.messages_to(alice)][-3:]
    assert len(replies) == 4 and all("expired" in text for text in replies), replies
    assert records.member(mallory).language == "en"
    after = records.member(alice)
    assert (after.language, after.paused_until, after.status) == (
        member.language, member.paused_until, member.status)
    assert records.state(alice) == state
    no_errors(fake)


HOSTILE_NAME = '<b>Jo & "Al"</b>'
HOSTILE_TEXTS = [
    '<b>Jo & "Al"</b>',
    "_*[",
    "x" * 10_000,
    "مرحبا، أريد المساعدة \u200f",
    "🙂🎉",
    "bell\x07 null\x00 esc\x1b[0m",
    "/start",
]


async def test_hostile_names_and_texts_produce_valid_messages(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any
) -> None:
    async with polling():
        for n, text in enumerate(HOSTILE_TEXTS):
            fake.add_update(fake.make_text_update(1200 + n, text, first_name=HOSTILE_NAME,
                                                  username="x_*[y", language_code="ar"))
        await wait_until(lambda: len(records.inbox()) == len(HOSTILE_TEXTS))
        await wait_until(records.settled)
    for n in range(len(HOSTILE_TEXTS)):
        assert fake.messages_to(1200 + n), HOSTILE_TEXTS[n]
    assert all(len(m["plain_text"]) <= 4096 for m in fake.sent)
    assert all(r.status == "sent" for r in records.outbox())
    no_errors(fake)


async def test_media_edits_and_voice_notes_get_a_polite_reply(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any
) -> None:
    user = 1301
    async with polling():
        for update in (
            fake.make_sticker_update(user, update_id=31),
            fake.make_photo_update(user, caption="<i>me</i>", update_id=32),
            fake.make_voice_update(user, duration=12, update_id=33),
            fake.make_edited_message_update(user, "hello again", update_id=34),
        ):
            fake.add_update(update)
        await wait_until(lambda: len(records.inbox()) == 4 and records.settled())
    replies = [records.replies_to(str(n)) for n in range(31, 35)]
    assert all(len(r) == 1 for r in replies)
    assert len({r[0].payload["text"] for r in replies}) == 1  # the same "text and buttons" reply
    voice = next(r for r in records.inbox() if r.payload["attachment"] == "voice")
    assert voice.payload["extra"]["file_id"] and voice.payload["extra"]["duration"] == 12
    no_errors(fake)


async def test_blocking_and_unblocking_update_the_identity(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any
) -> None:
    user = 1401
    async with polling():
        fake.add_update(fake.make_text_update(user, "/start"))
        await wait_until(lambda: records.inbox() and records.settled())
        sent = len(fake.messages_to(user))
        fake.add_update(fake.make_my_chat_member_update(user, "kicked"))
        await wait_until(lambda: records.identity(user).unreachable)
        fake.add_update(fake.make_my_chat_member_update(user, "member"))
        await wait_until(lambda: not records.identity(user).unreachable)
        await wait_until(records.settled)
    assert len(fake.messages_to(user)) == sent  # blocking is not answered


async def test_group_messages_need_the_bot_addressed(
    fake: FakeTelegramServer, polling: Any, records: Any
) -> None:
    group, user = -777, 1501
    async with polling():
        fake.add_update(fake.make_text_update(user, "morning all", chat_id=group,
                                              chat_type="group"))
        fake.add_update(fake.make_text_update(user, "/help@copro_test_bot", chat_id=group,
                                              chat_type="group"))
        await fake.wait_for_sent(1, chat_id=group)
        await fake.wait_until_confirmed()
    assert len(records.inbox()) == 1
    assert records.inbox()[0].payload["command"] == "help"


async def test_a_group_mention_does_not_move_private_messages_to_the_group(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any
) -> None:
    group, user = -778, 1502
    async with polling():
        fake.add_update(fake.make_text_update(user, "/start"))
        await wait_until(lambda: records.inbox() and records.settled())
        fake.add_update(fake.make_text_update(user, "/help@copro_test_bot", chat_id=group,
                                              chat_type="group"))
        await fake.wait_for_sent(1, chat_id=group)
        await wait_until(records.settled)
    assert records.identity(user).chat_id == str(user)


async def test_redelivered_updates_have_one_effect(
    fake: FakeTelegramServer, polling: Any, records: Any, wait_until: Any
) -> None:
    user = 1601
    start = fake.make_text_update(user, "/start", update_id=500)
    async with polling():
        fake.add_update(start)
        await fake.wait_until_confirmed()
        await wait_until(lambda: records.inbox() and records.settled())
        sent = len(fake.messages_to(user))
        fake.add_update(start)  # Telegram sends it again
        await fake.wait_until_confirmed()
        await asyncio.sleep(0.3)
        await wait_until(records.settled)
    assert len(fake.messages_to(user)) == sent == len(records.replies_to("500"))
    assert [r.external_id for r in records.inbox()] == ["500"]
