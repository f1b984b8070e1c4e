"""Helpers for broadcast tests: members in several languages, zones and states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.app import BotApp
from bot.broadcasts import BroadcastSpec, create_draft
from bot.core.members import grant_role
from bot.i18n import I18n
from bot.storage.broadcast_models import BroadcastRecipient
from bot.storage.models import Identity, Member, OutboxMessage

# A summer weekday at 22:30 UTC: 23:30 in London (quiet), 18:30 in New York (not
# quiet), 03:30 in Karachi (quiet until 08:00 PKT = 03:00 UTC tomorrow).
NOW = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
NOTE_PL = "Nie ma jeszcze tłumaczenia w Twoim języku."
PO_PL = f'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: pl\\n"

msgid "There is no translation in your language yet."
msgstr "{NOTE_PL}"
'''


def add_member(
    session: Session, user: str, *, language: str = "en", platform: str = "test",
    quiet: tuple[str, str] | None = None, roles: tuple[str, ...] = (), **fields: Any,
) -> Member:
    """A member with one identity (chat id = user id). Quiet hours off unless given."""
    member = Member(language=language, quiet_start=quiet[0] if quiet else None,
                    quiet_end=quiet[1] if quiet else None, **fields)
    session.add(member)
    session.flush()
    assert member.id is not None
    session.add(Identity(member_id=member.id, platform=platform, user_id=user, chat_id=user))
    for role in roles:
        grant_role(session, member.id, role)
    session.flush()
    return member


def spec(**kw: Any) -> BroadcastSpec:
    base: dict[str, Any] = {
        "kind": "learning",
        "texts": {"en": {"title": "What happened", "body": "We fixed the heater."},
                  "cy": {"title": "Beth ddigwyddodd", "body": "Trwsiwyd y gwresogydd."}},
        "audience": ["everyone"], "default_language": "en",
    }
    base.update(kw)
    return BroadcastSpec(**base)


def draft(app: BotApp, **kw: Any) -> int:
    with Session(app.engine) as s:
        broadcast = create_draft(s, spec(**kw))
        s.commit()
        assert broadcast.id is not None
        return broadcast.id


def run_scheduled(app: BotApp, now: datetime) -> int:
    """One tick of the scheduler's `scheduled_broadcasts` scanner, as the leader runs it."""
    from bot.scheduler.registry import periodics

    entry = next(p for p in periodics() if p.name == "scheduled_broadcasts")
    return entry.fn(app, now)


def outbox_by_chat(app: BotApp) -> dict[str, list[OutboxMessage]]:
    found: dict[str, list[OutboxMessage]] = {}
    with Session(app.engine) as s:
        for row in s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))):
            found.setdefault(row.chat_id, []).append(row)
    return found


def recipients(app: BotApp, broadcast_id: int) -> list[BroadcastRecipient]:
    with Session(app.engine) as s:
        return list(s.exec(select(BroadcastRecipient).where(
            col(BroadcastRecipient.broadcast_id) == broadcast_id)))


@pytest.fixture
def i18n_pl(tmp_path: Path) -> I18n:
    """English, Welsh and Polish, with the note translated into Polish only."""
    folder = tmp_path / "locales" / "pl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(PO_PL, encoding="utf-8")
    return I18n(tmp_path / "locales", ["en", "cy", "pl"], "en")


@pytest.fixture
def members(app: BotApp) -> Callable[..., Member]:
    def make(user: str, **kw: Any) -> Member:
        with Session(app.engine, expire_on_commit=False) as s:
            member = add_member(s, user, **kw)
            s.commit()
            return member

    return make
