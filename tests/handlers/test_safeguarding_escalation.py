"""Escalation follows the configured delay and contact order, and never goes quiet."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Settings
from bot.core.members import grant_role
from bot.storage.db import transaction
from tests.handlers.test_safeguarding import asked_for_contact
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member, tick


class EscalationSettings(Settings):
    """What a deployment would put in .env once these settings exist."""

    safeguarding_escalation_hours: float = 1.0
    staff_working_days: list[int] = []  # count clock hours, every day
    safeguarding_escalation_contacts: list[str] = ["test:deputy"]


@pytest.fixture
def settings(db_url: str) -> Settings:
    return EscalationSettings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                              languages=["en", "cy"])


def test_escalates_in_the_configured_order_after_the_configured_delay(
        chat: ChatHarness) -> None:
    add_member(chat.app, "lead", roles=("safeguarding",))
    add_member(chat.app, "deputy", roles=("staff",))
    add_member(chat.app, "boss", roles=("admin",))
    alert = asked_for_contact(chat)
    start = alert.created_at
    assert alert.next_escalation_at == start + timedelta(hours=1)
    assert tick(chat, start + timedelta(minutes=59)) == []
    assert [u for u, _ in tick(chat, start + timedelta(hours=1))] == ["deputy"]
    assert [u for u, _ in tick(chat, start + timedelta(hours=2))] == ["boss"]
    # the deputy is not in the safeguarding role, but was sent the alert: they may act
    chat.press_label("Acknowledge", user="deputy")
    assert "You have picked up alert" in chat.texts("deputy")[-1]
    assert "picked up by someone in the team" in chat.texts("lead")[-1]
    assert tick(chat, start + timedelta(hours=9)) == []


def test_with_nobody_to_tell_the_alert_waits_and_is_sent_when_someone_is(
        chat: ChatHarness) -> None:
    alert = asked_for_contact(chat)
    assert alert.notified == [] and alert.next_escalation_at is not None
    lead = add_member(chat.app, "lead")
    with transaction(chat.app.engine) as s:
        grant_role(s, lead, "safeguarding")
    sent = tick(chat, alert.next_escalation_at)
    assert [u for u, _ in sent] == ["lead"] and "Safeguarding alert" in sent[0][1].text
