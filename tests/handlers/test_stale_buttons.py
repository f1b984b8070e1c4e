"""Forged and stale button presses change nothing."""

from __future__ import annotations

from sqlmodel import select

from bot.storage.models import Member
from tests.handlers.journey import consents, db, member, onboard, profile, start_and_consent
from tests.harness import ChatHarness
from tests.scheduler.helpers import add_member


def test_a_forged_action_is_refused_before_any_handler(chat: ChatHarness) -> None:
    start_and_consent(chat)
    for forged in ("onb:intro:pick:lived", "onb:payment:pick:cash", "priv:forget:yes",
                   "role:invite:admin", "onb:summary:done", "start:resume"):
        replies = chat.press(forged)
        assert replies[0].text.startswith("Sorry, that button has expired"), forged
    p = profile(chat.app)
    assert p is not None and p.payment_preference is None and p.onboarded_at is None
    assert member(chat.app).status == "active"


def test_a_button_from_an_earlier_question_changes_nothing(chat: ChatHarness) -> None:
    start_and_consent(chat)
    for _ in range(5):
        chat.press_label("Skip")
    chat.press_label("Every week")  # check-ins answered; now at needs
    replies = chat.press("onb:checkins:pick:monthly")  # offered earlier, now stale
    assert "earlier question" in replies[0].text
    assert "easier for you" in replies[1].text, "it shows where we are now"
    assert profile(chat.app).checkin_frequency == "weekly"  # type: ignore[union-attr]


def test_an_old_yes_after_declining_records_no_consent(chat: ChatHarness) -> None:
    chat.say("/start")
    chat.press_label("English")
    chat.press_label("No, thank you")
    replies = chat.press("onb:consent:pick:yes")
    assert "earlier message" in replies[0].text
    assert [r.action for r in consents(chat.app)] == ["declined"]
    assert profile(chat.app) is None


def test_an_old_forget_yes_after_saying_no_erases_nothing(chat: ChatHarness) -> None:
    onboard(chat, name="Robin")
    chat.say("/forget")
    chat.press_label("No, keep my details")
    replies = chat.press("priv:forget:yes")
    assert "expired" in replies[0].text
    assert member(chat.app).display_name == "Robin"
    assert member(chat.app).status == "active"


def test_old_summary_buttons_after_finishing_change_nothing(chat: ChatHarness) -> None:
    onboard(chat)
    replies = chat.press("onb:summary:change:payment")
    assert "earlier message" in replies[0].text
    replies = chat.press("onb:payment:skip")
    assert "expired" in replies[0].text or "earlier" in replies[0].text
    with db(chat.app) as session:
        assert len(session.exec(select(Member)).all()) == 1


def test_an_old_payment_cancel_leaves_another_conversation_alone(chat: ChatHarness) -> None:
    """Regression: Cancel from an earlier /record_payment cleared whatever the
    coordinator was doing now, so the next tap there had expired."""
    add_member(chat.app, "coord", roles=("coordinator",))
    chat.say("/record_payment", user="coord")
    chat.press_label("Cancel", user="coord")
    chat.say("/checkins", user="coord")
    chat.press_label("Every week", user="coord")
    assert "not saved anything" in chat.press("payrec:cancel", user="coord")[0].text
    assert "What time?" in chat.press("ci:day:0", user="coord")[0].text
