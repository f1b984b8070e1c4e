"""`copro-bot broadcast translate / translations / translation approve|reject`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.broadcasts.translation_requests import submit
from bot.config import get_settings
from bot.i18n import I18n
from bot.payments.ledger import load_state
from bot.storage import migrate
from bot.storage.broadcast_models import Broadcast, BroadcastTranslation, TranslatorLanguage
from bot.storage.db import make_engine
from tests.broadcasts.conftest import add_member

UPDATE = '''
kind = "learning"
audience = "everyone"
send_at = "2099-12-01 10:00"

[text.en]
title = "Room news"
body = "We got a heater."
'''
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(run_cli: Cli, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("LANGUAGES", '["en", "cy", "pl"]')
    get_settings.cache_clear()
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with Session(engine) as s:
        for user in ("h1", "h2"):
            helper = add_member(s, user)
            s.add(TranslatorLanguage(member_id=helper.id, language="cy"))
        add_member(s, "pl1", language="pl")
        s.commit()
    engine.dispose()
    file = tmp_path / "update.toml"
    file.write_text(UPDATE, encoding="utf-8")
    assert run_cli("broadcast", "create", "--file", str(file))[0] == 0
    return run_cli


def answer(db_url: str, request_id: int, member_id: int) -> None:
    engine = make_engine(db_url)
    with Session(engine) as s:
        i18n = I18n(Path("locales"), ["en", "cy"])
        assert submit(s, i18n, request_id, member_id, "Newyddion", "Gwresogydd ✓",
                      datetime.now(UTC)).ok
        s.commit()
    engine.dispose()


def rows(db_url: str) -> list[BroadcastTranslation]:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        found = list(s.exec(select(BroadcastTranslation).order_by(BroadcastTranslation.id)))
        s.expunge_all()
    engine.dispose()
    return found


def test_ask_list_approve(cli: Cli, db_url: str) -> None:
    code, out, _ = cli("broadcast", "translate", "1", "--into", "cy")
    assert code == 0 and "Asked 2 member(s)" in out
    assert "Nobody new" in cli("broadcast", "translate", "1", "--into", "cy")[1]
    assert "Nobody new" in cli("broadcast", "translate", "1", "--into", "pl")[1]
    first = rows(db_url)[0]
    answer(db_url, first.id or 0, first.member_id)
    out = cli("broadcast", "translations", "1")[1]
    assert f"Request {first.id}: en -> cy, member {first.member_id}, submitted" in out
    assert "    Newyddion\n    Gwresogydd ✓" in out
    code, _, err = cli("broadcast", "translation", "approve", str(first.id), "--hours", "lots")
    assert code == 2 and "not a number" in err
    code, _, err = cli("broadcast", "translation", "approve", str(first.id), "--hours", "99")
    assert code == 2 and "at most 8" in err
    code, out, _ = cli("broadcast", "translation", "approve", str(first.id), "--hours", "0.5")
    assert code == 0 and "recorded as payment 1" in out
    code, _, err = cli("broadcast", "translation", "approve", str(first.id), "--hours", "0.5")
    assert code == 2 and "not waiting for review (it is approved)" in err
    engine = make_engine(db_url)
    with Session(engine) as s:
        assert s.get(Broadcast, 1).texts["cy"] == {"title": "Newyddion", "body": "Gwresogydd ✓"}
        state = load_state(s, 1)
        assert state is not None and state.payment.hours == Decimal("0.50")
        assert state.payment.member_id == first.member_id
    engine.dispose()
    assert [r.status for r in rows(db_url)] == ["approved", "withdrawn"]


def test_reject_and_errors(cli: Cli, db_url: str) -> None:
    code, _, err = cli("broadcast", "translate", "1", "--into", "xx")
    assert code == 2 and "not one of this bot's languages" in err
    code, _, err = cli("broadcast", "translate", "1", "--into", "en")
    assert code == 2 and "already has a text in en" in err
    code, _, err = cli("broadcast", "translation", "reject", "9")
    assert code == 2 and "no translation request" in err
    cli("broadcast", "translate", "1", "--into", "cy")
    first = rows(db_url)[0]
    code, _, err = cli("broadcast", "translation", "reject", str(first.id))
    assert code == 2 and "not waiting for review (it is asked)" in err
    answer(db_url, first.id or 0, first.member_id)
    assert cli("broadcast", "translation", "reject", str(first.id))[0] == 0
    assert [r.status for r in rows(db_url)] == ["rejected", "asked"]
    assert "cancelled" in cli("broadcast", "cancel", "1")[1]
    code, _, err = cli("broadcast", "translate", "1", "--into", "pl")
    assert code == 2 and "a correction is a new update" in err
