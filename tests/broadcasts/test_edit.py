"""Changing or cancelling a scheduled update before it goes out: CLI and chat."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.config import get_settings
from bot.storage import migrate
from bot.storage.broadcast_models import Broadcast, BroadcastRecipient
from bot.storage.db import make_engine
from bot.storage.models import OutboxMessage
from tests.broadcasts.conftest import add_member, run_scheduled
from tests.broadcasts.test_chat_flow import compose
from tests.harness import ChatHarness

UPDATE = '''
kind = "learning"
audience = "everyone"
send_at = "2099-12-01 10:00"

[text.en]
title = "{title}"
body = "The room is warm now."
'''
DUE = datetime(2099, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def cli(run_cli: Callable[..., tuple[int, str, str]], db_url: str,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., tuple[int, str, str]]]:
    monkeypatch.setenv("LANGUAGES", '["en", "cy"]')
    monkeypatch.setenv("DEFAULT_TIMEZONE", "UTC")
    get_settings.cache_clear()
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with Session(engine) as s:
        add_member(s, "en1")
        add_member(s, "cy1", language="cy")
        s.commit()
    engine.dispose()
    yield run_cli


def write(tmp_path: Path, title: str) -> str:
    file = tmp_path / f"{title}.toml"
    file.write_text(UPDATE.format(title=title), encoding="utf-8")
    return str(file)


def texts(db_url: str) -> list[dict[str, object]]:
    engine = make_engine(db_url)
    with Session(engine) as s:
        found = [dict(b.texts) for b in s.exec(select(Broadcast))]
    engine.dispose()
    return found


def test_cli_edit_previews_then_saves_and_refuses_once_going_out(
    cli, tmp_path: Path, db_url: str, settings  # type: ignore[no-untyped-def]
) -> None:
    assert cli("broadcast", "create", "--file", write(tmp_path, "Old"))[0] == 0
    code, out, _ = cli("broadcast", "send", "1")
    assert code == 0 and "scheduled for 2099-12-01 10:00 UTC" in out
    code, out, _ = cli("broadcast", "edit", "1", "--file", write(tmp_path, "New"))
    assert code == 0 and "New\n\nThe room is warm now." in out
    assert "English (en): 1 person" in out and "Cymraeg (cy): 1 person (no translation" in out
    assert "Nothing is saved yet" in out
    assert texts(db_url)[0]["en"] == {"title": "Old", "body": "The room is warm now."}
    code, out, _ = cli("broadcast", "edit", "1", "--file", write(tmp_path, "New"), "--yes")
    assert code == 0 and "Broadcast 1 is changed." in out
    assert texts(db_url)[0]["en"]["title"] == "New"  # type: ignore[index]
    code, out, _ = cli("broadcast", "edit", "1", "--send-at", "2099-12-02 09:00", "--yes")
    assert code == 0 and "goes 2099-12-02T09:00:00+00:00" in out

    app = BotApp(settings)
    assert run_scheduled(app, datetime(2099, 12, 2, 9, 0, tzinfo=UTC)) == 1
    with Session(app.engine) as s:
        sent = [r.payload["text"] for r in s.exec(select(OutboxMessage))]
    app.engine.dispose()
    assert "New\n\nThe room is warm now." in sent and len(sent) == 2
    code, _, err = cli("broadcast", "edit", "1", "--file", write(tmp_path, "Fix"), "--yes")
    assert code == 2 and "a correction is a new update" in err
    code, _, err = cli("broadcast", "edit", "1", "--file", write(tmp_path, "Fix"))
    assert code == 2 and "a correction is a new update" in err
    assert texts(db_url)[0]["en"]["title"] == "New"  # type: ignore[index]


def test_cli_edit_needs_something_to_change(cli) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("broadcast", "edit", "7", "--yes")
    assert code == 2 and "--file" in err


@pytest.fixture
def team(app: BotApp) -> None:
    with Session(app.engine) as s:
        add_member(s, "coord", roles=("coordinator",))
        add_member(s, "coord2", roles=("coordinator",))
        add_member(s, "en1")
        add_member(s, "cy1", language="cy")
        s.commit()


def mine(chat: ChatHarness, user: str, label: str | None = None, text: str | None = None,
         action: str | None = None) -> list[str]:
    before = len(chat.texts(user))
    if label is not None:
        chat.press_label(label, user=user)
    elif action is not None:
        chat.press(action, user=user)
    else:
        chat.say(text or "", user=user)
    return chat.texts(user)[before:]


def test_chat_edit_shows_the_new_preview_and_saves(chat: ChatHarness, team: None) -> None:
    compose(chat, when="2099-12-01 14:30")
    chat.press_label("Send it", user="coord")
    listing = mine(chat, "coord", text="/updates")
    assert listing[0].startswith("1. Room news\nGoes out at")
    assert "What do you want to change?" in mine(chat, "coord", "Change it")[0]
    mine(chat, "coord", "The text")
    assert "title in English" in mine(chat, "coord", "English")[0]
    mine(chat, "coord", text="Heater news")
    preview = mine(chat, "coord", text="The heater works.")
    assert preview[0] == "English: 3 people\n\nHeater news\n\nThe heater works."
    assert preview[1].startswith("Cymraeg: 1 person")
    assert "This will go to 4 people." in preview[-1] and "save these changes" in preview[-1]
    with Session(chat.app.engine) as s:
        assert s.get(Broadcast, 1).texts["en"]["title"] == "Room news", "not saved yet"
    assert mine(chat, "coord", "Save changes") == ["Saved. Update 1 is changed."]
    with Session(chat.app.engine) as s:
        broadcast = s.get(Broadcast, 1)
        assert broadcast.texts["en"] == {"title": "Heater news", "body": "The heater works."}
        assert broadcast.texts["cy"]["title"] == "Newyddion" and broadcast.status == "scheduled"

    mine(chat, "coord", text="/updates")
    mine(chat, "coord", "Change it")
    mine(chat, "coord", "The time")
    preview = mine(chat, "coord", text="2099-12-03 09:00")
    assert "It will start going out at" in preview[-1]
    assert mine(chat, "coord", "Save changes") == ["Saved. Update 1 is changed."]
    assert run_scheduled(chat.app, datetime(2099, 12, 2, tzinfo=UTC)) == 0, "the old time"
    with Session(chat.app.engine) as s:
        assert s.get(Broadcast, 1).send_at.replace(tzinfo=UTC) == datetime(
            2099, 12, 3, 9, 0, tzinfo=UTC)


def test_chat_edit_is_refused_once_it_has_started_going_out(
    chat: ChatHarness, team: None
) -> None:
    compose(chat, when="2099-12-01 14:30")
    chat.press_label("Send it", user="coord")
    mine(chat, "coord", text="/updates")
    mine(chat, "coord", "Change it")
    mine(chat, "coord", "The time")
    mine(chat, "coord", text="2099-12-05 09:00")
    assert run_scheduled(chat.app, datetime(2099, 12, 1, 14, 30, tzinfo=UTC)) == 1
    refused = mine(chat, "coord", "Save changes")
    assert refused[0].startswith("This update has started going out")
    assert "A correction is a new update" in refused[0]
    with Session(chat.app.engine) as s:
        assert s.get(Broadcast, 1).send_at.replace(tzinfo=UTC) == datetime(
            2099, 12, 1, 14, 30, tzinfo=UTC)
    assert mine(chat, "coord", text="/updates") == ["You have no updates waiting to go out."]


def test_chat_cancel_and_who_may_change(chat: ChatHarness, team: None) -> None:
    compose(chat, when="2099-12-01 14:30")
    chat.press_label("Send it", user="coord")
    assert mine(chat, "coord2", text="/updates") == ["You have no updates waiting to go out."]
    assert "only for the team" in mine(chat, "en1", text="/updates")[0]
    for user in ("en1", "coord2"):
        for action in ("bced:pick:1", "bced:cancel:1", "bced:save:1"):
            reply = mine(chat, user, action=action)[0]
            assert "expired" in reply or "only for the team" in reply
    mine(chat, "coord", text="/updates")
    assert mine(chat, "coord", "Cancel it") == ["Update 1 is cancelled. Nothing was sent."]
    assert run_scheduled(chat.app, datetime(2099, 12, 2, tzinfo=UTC)) == 0
    with Session(chat.app.engine) as s:
        assert s.get(Broadcast, 1).status == "cancelled"
        assert s.exec(select(BroadcastRecipient)).all() == []
