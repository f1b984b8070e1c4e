"""A member linked across Telegram and Discord gets a broadcast once, on the platform
they prefer; `pick_identity` is the rule, and the delivery worker follows it."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.adapters.discord_sender import DiscordSender
from bot.app import BotApp
from bot.core.delivery import DeliveryWorker
from bot.core.events import OutgoingMessage
from bot.core.reach import pick_identity
from bot.storage.models import Identity, Member, OutboxMessage
from tests.fakes.fake_discord import DiscordHarness, FakeDiscord
from tests.harness import RecordingSender

TG_CHAT = "5550001"
DC_CHAT = "440000000000000001"


def linked_member(app: BotApp, preferred: str | None) -> int:
    """One person, two accounts: Telegram linked first, then Discord."""
    with Session(app.engine) as session:
        member = Member(preferred_platform=preferred)
        session.add(member)
        session.flush()
        assert member.id is not None
        session.add(Identity(member_id=member.id, platform="telegram", user_id=TG_CHAT,
                             chat_id=TG_CHAT))
        session.flush()
        session.add(Identity(member_id=member.id, platform="discord", user_id="7" + DC_CHAT[1:],
                             chat_id=DC_CHAT))
        session.commit()
        return member.id


def broadcast(app: BotApp, member_id: int, text: str) -> str | None:
    """Queue one update the way a fan-out does: one row, on the picked account."""
    with Session(app.engine) as session:
        identity = pick_identity(session, member_id)
        if identity is None:
            return None
        session.add(OutboxMessage(member_id=member_id, platform=identity.platform,
                                  chat_id=identity.chat_id,
                                  payload=OutgoingMessage(text).to_dict()))
        session.commit()
        return identity.platform


def set_unreachable(app: BotApp, platform: str) -> None:
    with Session(app.engine) as session:
        for identity in session.exec(select(Identity).where(Identity.platform == platform)):
            identity.unreachable = True
            session.add(identity)
        session.commit()


def test_pick_identity_follows_the_preference(app: BotApp) -> None:
    first = linked_member(app, None)
    with Session(app.engine) as session:
        picked = pick_identity(session, first)
        assert picked is not None and picked.platform == "telegram"  # oldest link
    with Session(app.engine) as session:
        member = session.get(Member, first)
        assert member is not None
        member.preferred_platform = "discord"
        session.add(member)
        session.commit()
        picked = pick_identity(session, first)
        assert picked is not None and picked.platform == "discord"
    set_unreachable(app, "discord")
    with Session(app.engine) as session:
        picked = pick_identity(session, first)
        assert picked is not None and picked.platform == "telegram"
    set_unreachable(app, "telegram")
    with Session(app.engine) as session:
        assert pick_identity(session, first) is None
        assert pick_identity(session, 999_999) is None


async def test_a_linked_member_gets_a_broadcast_once_on_discord(
        bot: DiscordHarness, fake: FakeDiscord) -> None:
    member_id = linked_member(bot.app, "discord")
    telegram = RecordingSender(platform="telegram")
    worker = DeliveryWorker(bot.app.engine, {
        "telegram": telegram,
        "discord": DiscordSender(bot.client, bot.adapter.sender.limiter),
    })
    assert broadcast(bot.app, member_id, "Session moved to Thursday.") == "discord"
    while await worker.run_once():
        pass
    assert fake.texts_to(DC_CHAT) == ["Session moved to Thursday."]
    assert telegram.sent == []

    # DMs closed on Discord: the update queued for it goes to Telegram instead, once,
    # and so does the next one.
    fake.close_dms(DC_CHAT)
    assert broadcast(bot.app, member_id, "Reminder: bring your notes.") == "discord"
    while await worker.run_once():
        pass
    assert [m.text for _, m in telegram.sent] == ["Reminder: bring your notes."]
    assert broadcast(bot.app, member_id, "Room 4 this time.") == "telegram"
    while await worker.run_once():
        pass
    assert [m.text for _, m in telegram.sent] == ["Reminder: bring your notes.",
                                                  "Room 4 this time."]
    assert fake.texts_to(DC_CHAT) == ["Session moved to Thursday."]
