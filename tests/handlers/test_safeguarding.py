"""Safeguarding: a worrying answer reaches a named person, with crisis contacts
for the member in the same reply, and escalates if nobody picks it up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.services.checkins import set_plan
from bot.storage.db import transaction
from bot.storage.safeguarding_models import SafeguardingAlert
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member, tick

MONDAY_TEN = datetime(2027, 1, 4, 10, tzinfo=UTC)
CRISIS = "116 123"


def checked_in(chat: ChatHarness, user: str = "u1") -> int:
    """`user` has just been sent a check-in."""
    # No quiet hours, so messages queued at the real time of the test go now.
    mid = add_member(chat.app, user, name="Sam", quiet=(None, None))
    with transaction(chat.app.engine) as s:
        set_plan(s, mid, "weekly", 0, "10:00", now=datetime(2027, 1, 1, tzinfo=UTC))
    tick(chat, MONDAY_TEN)
    return mid


def alerts(chat: ChatHarness) -> list[SafeguardingAlert]:
    with Session(chat.app.engine) as s:
        return list(s.exec(select(SafeguardingAlert)).all())


def asked_for_contact(chat: ChatHarness, mood: str = "Very low") -> SafeguardingAlert:
    """u1 answered a check-in with `mood` and said yes to a call: the one alert raised."""
    checked_in(chat)
    chat.press_label(mood)
    chat.press_label("Yes please")
    [alert] = alerts(chat)
    return alert


def test_low_mood_and_yes_please_alerts_the_safeguarding_contact(chat: ChatHarness) -> None:
    add_member(chat.app, "lead", roles=("safeguarding",))
    member_id = checked_in(chat)
    question = chat.press_label("Very low")[0]
    assert "Would you like someone from the team to contact you?" in question.text
    assert CRISIS in question.text, "crisis contacts come in the same reply"
    assert alerts(chat) == [], "nothing is raised until they say yes"
    chat.say("yes please")
    reply = chat.texts("u1")[-1]
    assert "asked someone from the team to contact you" in reply
    assert CRISIS in reply
    [alert] = alerts(chat)
    assert (alert.member_id, alert.mood, alert.status, alert.source) == (
        member_id, 1, "open", "asked_for_contact")
    dm = [m for m in chat.sender.sent if m[0] == "lead"][-1][1]
    assert "Safeguarding alert" in dm.text and "Sam may need support" in dm.text
    assert "Very low" in dm.text
    assert [b.action for row in dm.buttons for b in row] == [f"sg:ack:{alert.id}"]


def test_without_acknowledgement_it_escalates_after_four_working_hours(
        chat: ChatHarness) -> None:
    add_member(chat.app, "lead", roles=("safeguarding",))
    add_member(chat.app, "boss", roles=("admin",))
    alert = asked_for_contact(chat, "Low")
    due = alert.next_escalation_at
    assert due is not None and due - alert.created_at >= timedelta(hours=4)
    local = due.astimezone(ZoneInfo("Europe/London"))
    assert local.weekday() < 5 and 9 <= local.hour <= 17, "counted in working hours"
    assert tick(chat, due - timedelta(minutes=1)) == []
    escalated = tick(chat, due)
    assert [user for user, _ in escalated] == ["boss"]
    assert "Nobody has picked up safeguarding alert" in escalated[0][1].text
    assert tick(chat, due + timedelta(days=30)) == [], "admins are the last contact"
    [alert] = alerts(chat)
    assert alert.level == 1 and alert.next_escalation_at is None


def test_acknowledging_stops_escalation_and_tells_the_others(chat: ChatHarness) -> None:
    lead = add_member(chat.app, "lead", roles=("safeguarding",), name="Ana")
    add_member(chat.app, "lead2", roles=("safeguarding",))
    add_member(chat.app, "boss", roles=("admin",))
    alert = asked_for_contact(chat)
    chat.press_label("Acknowledge", user="lead")
    assert "You have picked up alert" in chat.texts("lead")[-1]
    assert "picked up by Ana" in chat.texts("lead2")[-1]
    assert "Someone from the team has seen your message" in chat.texts("u1")[-1]
    assert tick(chat, datetime(2027, 6, 1, 12, tzinfo=UTC)) == [], "no escalation"
    chat.press_label("Acknowledge", user="lead2")
    assert "Ana already picked up alert" in chat.texts("lead2")[-1]
    chat.press_label("Contacted", user="lead")
    chat.say(f"/alert_note {alert.id} Called them. They are safe.", user="lead")
    [alert] = alerts(chat)
    assert (alert.status, alert.acknowledged_by) == ("contacted", lead)


def test_an_acknowledge_from_someone_else_changes_nothing(chat: ChatHarness) -> None:
    add_member(chat.app, "lead", roles=("safeguarding",))
    add_member(chat.app, "u2")
    alert = asked_for_contact(chat)
    for user in ("u2", "u1"):
        assert "expired" in chat.press(f"sg:ack:{alert.id}", user=user)[0].text
        assert "only for the team" in chat.say("/alerts", user=user)[0].text
    [alert] = alerts(chat)
    assert alert.acknowledged_at is None and alert.next_escalation_at is not None


def test_a_serious_phrase_in_a_note_alerts_at_once(chat: ChatHarness) -> None:
    add_member(chat.app, "lead", roles=("safeguarding",))
    checked_in(chat)
    chat.press_label("OK")
    chat.say("I want to end my life")
    reply = chat.texts("u1")[-1]
    assert "told someone in the team" in reply and CRISIS in reply
    [alert] = alerts(chat)
    assert alert.source == "serious_phrase" and alert.said == "I want to end my life"
    assert "at risk of serious harm" in chat.texts("lead")[-1]


def test_a_risk_phrase_offers_a_choice_and_no_means_no(chat: ChatHarness) -> None:
    add_member(chat.app, "lead", roles=("safeguarding",))
    checked_in(chat)
    chat.press_label("Good")
    question = chat.say("Feeling a bit hopeless about money")[0]
    assert "contact you?" in question.text and CRISIS in question.text
    reply = chat.press_label("No thanks")[0]
    assert "That is OK" in reply.text and CRISIS in reply.text
    assert alerts(chat) == [] and chat.texts("lead") == []


def test_risk_phrases_are_configurable_per_language() -> None:
    from bot.config import Settings
    from bot.services.safeguarding import risk_level

    custom = partial(Settings, _env_file=None, risk_phrases={"pl": ["beznadziejnie"]},
                     serious_risk_phrases={"pl": ["zabiję się"]})
    default = Settings(_env_file=None)  # type: ignore[call-arg]

    assert risk_level("Jest beznadziejnie.", "pl", custom()) == "risk"
    assert risk_level("ZABIJĘ SIĘ", "pl", custom()) == "serious"
    assert risk_level("hopeless", "pl", custom()) is None  # no English list configured
    assert risk_level("I feel hopeless", "cy", default) == "risk"  # defaults, English too
    assert risk_level("a helpless puppy", "en", default) is None
