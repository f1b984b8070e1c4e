"""/link: one profile on two platforms, with a one-time code that resists guessing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import func, select

from bot.core.events import OutgoingMessage, text_event
from bot.linking import hash_code
from bot.storage.models import Identity, Member, utcnow
from bot.storage.profile_models import CodeAttempts, ConsentRecord, OneTimeCode
from tests.handlers.journey import db, member, onboard
from tests.harness import ChatHarness, RecordingSender

CODE = re.compile(r"/link ([A-Z0-9]{4}-[A-Z0-9]{4})")


def discord(chat: ChatHarness) -> RecordingSender:
    """A second platform on the same harness, so replies there are recorded too."""
    if "discord" not in chat.worker.senders:
        chat.worker.senders["discord"] = RecordingSender(platform="discord")
    sender = chat.worker.senders["discord"]
    assert isinstance(sender, RecordingSender)
    return sender


def on_discord(chat: ChatHarness, text: str, user: str = "d1") -> list[OutgoingMessage]:
    sender = discord(chat)
    before = len(sender.sent)
    chat.event(text_event("discord", user, user, text))
    return [m for _, m in sender.sent[before:]]


def get_code(chat: ChatHarness, user: str = "u1") -> str:
    replies = chat.say("/link", user=user)
    found = CODE.search(replies[-1].text)
    assert found, replies[-1].text
    return found.group(1)


def snapshot(chat: ChatHarness) -> tuple[list[tuple[str, str, int]], int, int]:
    with db(chat.app) as session:
        identities = sorted((i.platform, i.user_id, i.member_id)
                            for i in session.exec(select(Identity)).all())
        members = session.exec(select(func.count()).select_from(Member)).one()
        used = session.exec(select(func.count()).select_from(OneTimeCode)
                            .where(OneTimeCode.used_at.is_not(None))).one()  # type: ignore[union-attr]
    return identities, members, used


def test_a_code_links_two_platforms_to_one_profile_with_one_consent(chat: ChatHarness) -> None:
    onboard(chat, name="Sam")
    code = get_code(chat)
    assert "10 minutes" in chat.texts()[-2]
    on_discord(chat, "/start")  # a new member on Discord
    replies = on_discord(chat, f"/link {code.lower().replace('-', ' ')}")
    assert replies[0].text.startswith("Done. Your accounts are linked.")
    sam = member(chat.app, "u1")
    assert member(chat.app, "d1", platform="discord").id == sam.id
    with db(chat.app) as session:
        records = session.exec(select(ConsentRecord).where(ConsentRecord.member_id == sam.id)).all()
        assert [r.action for r in records] == ["given"]
        assert session.exec(select(func.count()).select_from(Member)).one() == 1
    assert "was just linked to your profile" in chat.texts("u1")[-1]
    profile = on_discord(chat, "/profile")[0].text
    assert "Name: Sam" in profile


def test_a_wrong_code_changes_nothing(chat: ChatHarness) -> None:
    onboard(chat)
    get_code(chat)
    on_discord(chat, "/start")
    before = snapshot(chat)
    replies = on_discord(chat, "/link ABCD-EFGH")
    assert "did not work" in replies[0].text
    assert snapshot(chat) == before


def test_an_expired_code_changes_nothing(chat: ChatHarness) -> None:
    onboard(chat)
    code = get_code(chat)
    with db(chat.app) as session:
        session.execute(update(OneTimeCode).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    on_discord(chat, "/start")
    before = snapshot(chat)
    assert "did not work" in on_discord(chat, f"/link {code}")[0].text
    assert snapshot(chat) == before


def test_a_code_works_only_once(chat: ChatHarness) -> None:
    onboard(chat)
    code = get_code(chat)
    on_discord(chat, f"/link {code}")
    replies = on_discord(chat, f"/link {code}", user="d2")
    assert "did not work" in replies[0].text
    assert member(chat.app, "d2", platform="discord").id != member(chat.app, "u1").id


def test_a_new_code_replaces_the_old_one(chat: ChatHarness) -> None:
    onboard(chat)
    first = get_code(chat)
    second = get_code(chat)
    assert "did not work" in on_discord(chat, f"/link {first}")[0].text
    assert on_discord(chat, f"/link {second}")[0].text.startswith("Done.")


def test_five_wrong_codes_lock_linking_for_ten_minutes(chat: ChatHarness) -> None:
    onboard(chat)
    code = get_code(chat)
    for guess in range(5):
        assert "did not work" in on_discord(chat, f"/link WRONG-{guess:04d}")[0].text
    before = snapshot(chat)
    locked = on_discord(chat, f"/link {code}")
    assert "Too many codes did not work" in locked[0].text, "even the right code waits"
    assert snapshot(chat) == before
    with db(chat.app) as session:
        session.execute(update(CodeAttempts).values(locked_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert on_discord(chat, f"/link {code}")[0].text.startswith("Done.")


def test_own_code_and_no_consent(chat: ChatHarness) -> None:
    onboard(chat)
    code = get_code(chat)
    assert "for this account" in chat.say(f"/link {code}")[0].text
    assert "first need to save your details" in on_discord(chat, "/link")[0].text


def test_only_the_hash_of_a_code_is_stored(chat: ChatHarness) -> None:
    onboard(chat)
    code = get_code(chat)
    with db(chat.app) as session:
        row = session.exec(select(OneTimeCode)).one()
    assert row.code_hash == hash_code("link", code) and code not in row.code_hash
