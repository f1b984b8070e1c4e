"""Regression: numbers typed as command arguments that `str.isdigit()` accepts but
`int()` or the database cannot take ("³", "٣", 20 digits) crashed handlers.

Found by the fuzz suite (test_fuzz.py): `/session_cancel ³` raised ValueError
inside the handler, and a 20-digit session number overflowed the database
integer. Every team command that takes a number must answer, not crash.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.core.members import find_identity, grant_role
from bot.storage.models import InboxEvent
from tests.harness import PLATFORM, ChatHarness

pytestmark = pytest.mark.reliability

ADMIN = "boss"
COMMANDS = ["session_cancel", "session_move", "approve_payment", "mark_paid",
            "feedback_status", "feedback_respond", "feedback_tag", "feedback_untag",
            "alert_note", "payments", "payment", "feedback_results"]
ODD_NUMBERS = ["³", "²³", "٣", "99999999999999999999", "#99999999999999999999", "𝟗"]


@pytest.fixture
def admin_chat(chat: ChatHarness) -> ChatHarness:
    chat.say("/start", user=ADMIN)
    with Session(chat.app.engine) as session:
        identity = find_identity(session, PLATFORM, ADMIN)
        assert identity is not None
        grant_role(session, identity.member_id, "admin")
        session.commit()
    return chat


@pytest.mark.parametrize("command", COMMANDS)
def test_odd_numbers_as_arguments_get_an_answer_not_a_crash(
        admin_chat: ChatHarness, command: str) -> None:
    for number in ODD_NUMBERS:
        replies = admin_chat.say(f"/{command} {number} 2026-12-01 18:00 note", user=ADMIN)
        assert replies, f"/{command} {number!r} got no answer"
    with Session(admin_chat.app.engine) as session:
        failed = session.exec(select(InboxEvent).where(InboxEvent.status != "done")).all()
    assert failed == []
