"""The server side: a DM welcome on joining (or a note when DMs are closed), and
Discord roles mapped to bot roles, from raw gateway payloads."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.adapters.discord_guild import role_map
from bot.app import BotApp
from bot.config import Settings
from bot.core.members import find_identity, resolve_member, roles_of
from bot.storage.models import InboxEvent
from tests.fakes.fake_discord import DiscordHarness, FakeDiscord, guild, member, until

GUILD = 330000000000000001
WELCOME = 330000000000000009
COORDINATORS = 330000000000000101
FINANCE = 330000000000000102
OTHER_ROLE = 330000000000000103
CARA = 310000000000000003
JOINED = "2026-11-20T10:00:00+00:00"


@pytest.fixture
def dc_settings(dc_settings: Settings) -> Settings:
    return dc_settings.model_copy(update={
        "discord_guild_id": GUILD,
        "discord_welcome_channel_id": WELCOME,
        "discord_role_map": f'{{"{COORDINATORS}": "coordinator", '
                            f'"{FINANCE}": ["finance", "staff"]}}',
    })


@pytest.fixture
def bot(bot: DiscordHarness) -> DiscordHarness:
    """The harness, already in the server."""
    bot.feed("guild_create", guild(GUILD, [COORDINATORS, FINANCE, OTHER_ROLE],
                                   welcome_channel_id=WELCOME))
    return bot


def join(bot: DiscordHarness, user_id: int, roles: list[int] | None = None) -> str:
    bot.feed("guild_member_add", {**member(user_id, roles or [], JOINED),
                                  "guild_id": str(GUILD)})
    return f"join-{GUILD}-{user_id}-1795168800"


def bot_roles(app: BotApp, user_id: int) -> set[str]:
    with Session(app.engine) as session:
        identity = find_identity(session, "discord", str(user_id))
        return set(roles_of(session, identity.member_id)) if identity else set()


async def test_joining_starts_onboarding_by_dm(bot: DiscordHarness, fake: FakeDiscord) -> None:
    key = join(bot, CARA)
    await until(lambda: bot.stored(key))
    await bot.deliver()
    channel = fake.dm_channel_for(CARA)
    assert "Hello! I am the chat bot" in fake.texts_to(channel)[0]
    assert [b["label"] for b in fake.last_buttons(channel)] == ["English", "Cymraeg"]
    assert not fake.messages_to(WELCOME)

    server = bot.client.get_guild(GUILD)
    assert server is not None
    server._remove_member(server.get_member(CARA))  # type: ignore[arg-type]
    join(bot, CARA)  # the gateway replays the same join: no second welcome
    await asyncio.sleep(0.3)
    await bot.deliver()
    with Session(bot.app.engine) as session:
        joins = session.exec(select(InboxEvent).where(
            InboxEvent.external_id.like("join-%"))).all()  # type: ignore[attr-defined]
    assert len(joins) == 1
    assert len([t for t in fake.texts_to(channel) if t.startswith("Hello!")]) == 1


async def test_closed_dms_get_one_note_in_the_welcome_channel(bot: DiscordHarness,
                                                              fake: FakeDiscord) -> None:
    fake.close_dms(fake.dm_channel_for(CARA))
    key = join(bot, CARA)
    await until(lambda: bot.stored(key))
    await bot.deliver()
    notes = fake.texts_to(WELCOME)
    assert notes == [f"Welcome, <@{CARA}>! I could not send you a private message. To start, "
                     "open this server's Privacy Settings and turn on Direct Messages. "
                     "Then type /start."]
    dm_attempts = fake.calls("POST", f"/channels/{fake.dm_channel_for(CARA)}/messages")
    assert len(dm_attempts) == 1  # one attempt, then unreachable
    await bot.slash(CARA, "help")  # a second bounce is not a second note
    assert len(fake.texts_to(WELCOME)) == 1


async def test_server_roles_map_to_bot_roles(bot: DiscordHarness, fake: FakeDiscord) -> None:
    key = join(bot, CARA, [COORDINATORS, OTHER_ROLE])
    await until(lambda: bot.stored(key))
    assert bot_roles(bot.app, CARA) == {"member", "coordinator"}

    update: dict[str, Any] = {**member(CARA, [FINANCE], JOINED), "guild_id": str(GUILD)}
    bot.feed("guild_member_update", update)
    await until(lambda: bot_roles(bot.app, CARA) == {"member", "finance", "staff"})

    bot.feed("guild_member_remove", {"guild_id": str(GUILD), "user": update["user"]})
    await until(lambda: bot_roles(bot.app, CARA) == {"member"})


async def test_roles_given_while_offline_are_caught_up(bot: DiscordHarness) -> None:
    other = 330000000000000777
    bot.feed("guild_create", guild(other, [COORDINATORS], [member(CARA, [COORDINATORS])]))
    await bot.adapter.reconcile_roles()
    assert bot_roles(bot.app, CARA) == set()  # not our server: ignored
    bot.feed("guild_create", guild(GUILD, [COORDINATORS], [member(CARA, [COORDINATORS])],
                                   welcome_channel_id=WELCOME))
    await bot.adapter.reconcile_roles()
    assert bot_roles(bot.app, CARA) == {"member", "coordinator"}


def test_the_role_map_drops_unknown_roles(settings: Settings) -> None:
    mapped = role_map(settings.model_copy(update={
        "discord_role_map": {"1": "coordinator", "2": ["staff", "wizard"], "3": "member"}}))
    assert mapped == {"1": frozenset({"coordinator"}), "2": frozenset({"staff"})}
    assert role_map(settings.model_copy(update={"discord_role_map": "not json"})) == {}


async def test_catching_up_opens_no_dm_for_someone_already_known(bot: DiscordHarness,
                                                                 fake: FakeDiscord) -> None:
    # Cara wrote to the bot before; after a restart no DM channel is cached.
    with Session(bot.app.engine) as session:
        resolve_member(session, "discord", str(CARA), fake.dm_channel_for(CARA),
                       default_language="en", default_timezone="Europe/London")
        session.commit()
    bot.feed("guild_create", guild(GUILD, [COORDINATORS], [member(CARA, [COORDINATORS])],
                                   welcome_channel_id=WELCOME))
    await bot.adapter.reconcile_roles()
    assert bot_roles(bot.app, CARA) == {"member", "coordinator"}
    assert not fake.calls("POST", "/users/@me/channels")  # Discord limits opening DMs
