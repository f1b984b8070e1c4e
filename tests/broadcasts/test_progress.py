"""`copro-bot broadcast status ID --watch`: a live bar on a terminal, plain text otherwise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.broadcasts import progress
from bot.commands import broadcast as broadcast_cli
from bot.config import get_settings
from bot.storage import migrate
from bot.storage.db import make_engine
from bot.storage.models import OutboxMessage
from tests.broadcasts.conftest import add_member

UPDATE = '''
kind = "urgent"
audience = "everyone"

[text.en]
title = "Today"
body = "The session is cancelled."
'''


@pytest.fixture
def sent_one(run_cli: Callable[..., tuple[int, str, str]], db_url: str, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str, str]]:
    """Broadcast 1 queued to five people, one of them blocked."""
    monkeypatch.setenv("LANGUAGES", '["en", "cy"]')
    get_settings.cache_clear()
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with Session(engine) as s:
        for n in range(5):
            add_member(s, f"m{n}")
        s.commit()
    engine.dispose()
    file = tmp_path / "update.toml"
    file.write_text(UPDATE, encoding="utf-8")
    assert run_cli("broadcast", "create", "--file", str(file))[0] == 0
    assert run_cli("broadcast", "send", "1")[0] == 0
    return run_cli


def deliver_one(db_url: str, *, outcome: str = "sent") -> None:
    """What the delivery worker does between two redraws: one more row done."""
    engine = make_engine(db_url)
    with Session(engine) as s:
        row = s.exec(select(OutboxMessage).where(col(OutboxMessage.status) == "pending")
                     .order_by(col(OutboxMessage.id))).first()
        if row is not None:
            s.execute(update(OutboxMessage).where(col(OutboxMessage.id) == row.id)
                      .values(status=outcome, last_error="blocked" if outcome != "sent" else None))
            s.commit()
    engine.dispose()


def test_watch_redraws_until_done(sent_one, db_url: str,  # type: ignore[no-untyped-def]
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ticks: list[float] = []

    def tick(seconds: float) -> None:
        ticks.append(seconds)
        deliver_one(db_url, outcome="unreachable" if len(ticks) == 2 else "sent")

    monkeypatch.setattr(broadcast_cli, "stdout_is_tty", lambda: True)
    monkeypatch.setattr(progress, "pause", tick)
    code, out, _ = sent_one("broadcast", "status", "1", "--watch", "--interval", "0.5")
    assert code == 0
    frames = [f for f in out.split("\r\x1b[2K") if f]
    assert len(frames) == 6 and ticks == [0.5] * 5
    assert frames[0].startswith("[" + "." * 30 + "]   0%  sent 0 · waiting 5 · deferred 0")
    assert "sent 1 · waiting 4" in frames[1]
    assert "sent 1 · waiting 3 · deferred 0 · failed 0 · unreachable 1" in frames[2]
    last = frames[-1].splitlines()
    assert last[0].startswith("[" + "#" * 30 + "] 100%  sent 4 · waiting 0")
    assert "unreachable 1" in last[0]
    assert "Broadcast 1 (urgent, queued): 5 recipients" in out, "the full report at the end"
    assert "unreachable: blocked: 1" in out


def test_plain_once_when_not_a_terminal(sent_one, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
                                        ) -> None:
    def never(seconds: float) -> None:
        raise AssertionError("no redraws when stdout is not a terminal")

    monkeypatch.setattr(progress, "pause", never)
    code, out, _ = sent_one("broadcast", "status", "1", "--watch")
    assert code == 0 and "\r" not in out and "#" not in out
    assert out.startswith("Broadcast 1 (urgent, queued): 5 recipients")
    assert sent_one("broadcast", "status", "1")[1] == sent_one("broadcast", "report", "1")[1]


def test_unknown_broadcast(sent_one) -> None:  # type: ignore[no-untyped-def]
    code, _, err = sent_one("broadcast", "status", "42", "--watch")
    assert code == 2 and "there is no broadcast 42" in err


def test_bar_for_nobody_and_for_scheduled() -> None:
    from bot.broadcasts.report import DeliveryReport

    empty = DeliveryReport(3, "learning", "scheduled", None, [])
    assert progress.bar(empty).startswith("[" + "." * 30 + "]   -%")
    assert not progress.finished(empty)
