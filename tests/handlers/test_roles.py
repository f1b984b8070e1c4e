"""Roles: checked on the server, hidden from members, granted by one-time invite codes."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.app import BotApp
from bot.config import Settings
from bot.core.context import Context
from bot.core.events import Event
from bot.core.members import grant_role, roles_of
from bot.core.router import Router
from bot.i18n import N_
from bot.linking import invite_from_cli
from bot.storage.profile_models import OneTimeCode
from handlers import build_router
from tests.handlers.journey import db, labels, member
from tests.harness import ChatHarness

JOIN = re.compile(r"/join ([A-Z0-9]{4}-[A-Z0-9]{4})")
REFUSAL = "Sorry, that command is only for the team. Send /help to see yours."


def make_admin(chat: ChatHarness, user: str = "boss") -> None:
    chat.say("/help", user=user)
    with db(chat.app) as session:
        grant_role(session, member(chat.app, user).id or 0, "admin")
        session.commit()


def codes(chat: ChatHarness) -> list[OneTimeCode]:
    with db(chat.app) as session:
        return list(session.exec(select(OneTimeCode)).all())


def test_a_member_asking_for_an_invite_gets_a_kind_no_and_nothing_happens(
    chat: ChatHarness,
) -> None:
    replies = chat.say("/invite admin")
    assert [m.text for m in replies] == [REFUSAL]
    assert codes(chat) == []
    assert roles_of_user(chat, "u1") == {"member"}


def test_members_never_see_team_commands_in_help(chat: ChatHarness) -> None:
    assert "/invite" not in chat.say("/help")[0].text
    assert "/join" not in chat.say("/help")[0].text
    make_admin(chat)
    assert "/invite" in chat.say("/help", user="boss")[0].text


def test_invite_code_gives_the_role_once(chat: ChatHarness) -> None:
    make_admin(chat)
    choose = chat.say("/invite", user="boss")[0]
    assert labels(choose) == ["coordinator", "staff", "safeguarding lead", "finance", "admin"]
    replies = chat.press_label("coordinator", user="boss")
    found = JOIN.search(replies[-1].text)
    assert found
    welcome = chat.say(f"/join {found.group(1)}", user="newbie")
    assert "You are now a coordinator" in welcome[0].text
    assert roles_of_user(chat, "newbie") == {"member", "coordinator"}
    assert "has just been used" in chat.texts("boss")[-1]
    again = chat.say(f"/join {found.group(1)}", user="someone")
    assert "did not work" in again[0].text
    assert roles_of_user(chat, "someone") == {"member"}


def test_an_old_role_button_after_the_code_was_made_does_nothing(chat: ChatHarness) -> None:
    make_admin(chat)
    chat.say("/invite", user="boss")
    chat.press_label("staff", user="boss")
    assert "expired" in chat.press("role:invite:admin", user="boss")[0].text
    assert [c.role for c in codes(chat)] == ["staff"]


def test_a_member_cannot_press_an_invite_button(chat: ChatHarness) -> None:
    assert "expired" in chat.press("role:invite:admin")[0].text
    assert codes(chat) == []


def test_join_locks_out_after_five_wrong_codes(chat: ChatHarness) -> None:
    for n in range(5):
        assert "did not work" in chat.say(f"/join NOPE-{n:04d}")[0].text
    assert "Too many codes" in chat.say("/join NOPE-9999")[0].text


def test_cli_invite_code_works(settings: Settings, chat: ChatHarness) -> None:
    line = invite_from_cli(settings, "finance")
    found = JOIN.search(line)
    assert found
    chat.say(f"/join {found.group(1)}", user="fin")
    assert roles_of_user(chat, "fin") == {"member", "finance"}


def test_every_team_command_is_refused_to_members(settings: Settings) -> None:
    """A coordinator-only command: members are refused kindly and its handler never runs."""
    ran: list[str] = []
    team = Router("team")

    @team.command("plan_session", roles=("coordinator",), description=N_("See what I can do"))
    def plan_session(event: Event, ctx: Context) -> None:
        ran.append(event.user_id)

    router = build_router()
    router.include(team)
    app = BotApp(settings, router=router)
    app.upgrade_database()
    chat = ChatHarness(app)
    assert [m.text for m in chat.say("/plan_session")] == [REFUSAL]
    assert "/plan_session" not in chat.say("/help")[0].text
    with db(app) as session:
        grant_role(session, member(app).id or 0, "coordinator")
        session.commit()
    chat.say("/plan_session")
    assert ran == ["u1"]
    app.engine.dispose()


def roles_of_user(chat: ChatHarness, user: str) -> set[str]:
    with db(chat.app) as session:
        return set(roles_of(session, member(chat.app, user).id or 0))
