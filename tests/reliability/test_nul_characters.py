"""Regression: a NUL or a lone surrogate in an inbound event broke /mydata on PostgreSQL.

Found by the fuzz suite (test_fuzz.py, PostgreSQL run): a display name with
U+0000 was stored in the inbox payload, and PostgreSQL cannot turn "\\u0000"
into text (nor a lone "\\ud800"), so every later /mydata of that member
failed with DataError.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.core.events import text_event
from bot.storage.models import InboxEvent
from tests.harness import PLATFORM, ChatHarness

pytestmark = pytest.mark.reliability


def test_nul_in_a_name_or_text_does_not_break_mydata(chat: ChatHarness) -> None:
    chat.event(text_event(PLATFORM, "u1", "u1", "/start", display_name="Ro\x00bin"))
    chat.event(text_event(PLATFORM, "u1", "u1", "hi\x00there \ud800"))
    replies = chat.say("/mydata")
    assert replies
    with Session(chat.app.engine) as session:
        rows = session.exec(select(InboxEvent)).all()
    assert [r.status for r in rows] == ["done"] * 3
    assert all("\x00" not in str(r.payload) and "\ud800" not in str(r.payload) for r in rows)
