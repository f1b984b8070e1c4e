"""The /start journey: complete it, skip everything, go back, resume after a restart, decline."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.app import BotApp
from bot.broadcasts.translators import offered_languages
from bot.config import Settings
from bot.privacy import CONSENT_VERSION
from bot.storage.models import ConversationState, utcnow
from bot.storage.profile_models import (
    CHECKIN_FREQUENCIES,
    INTRODUCTIONS,
    NEEDS,
    PAYMENT_PREFERENCES,
    WAYS_TO_TAKE_PART,
)
from handlers.onboarding_about import INTRODUCTIONS as INTRO_CHOICES
from handlers.onboarding_choices import NEEDS as NEED_CHOICES
from handlers.onboarding_choices import PAYMENTS, WAYS
from handlers.onboarding_prefs import CHECKINS, parse_quiet_hours
from tests.handlers.journey import (
    SKIPPABLE,
    consents,
    db,
    labels,
    last_with_buttons,
    member,
    profile,
    skip_to_summary,
    start_and_consent,
)
from tests.harness import ChatHarness


def test_complete_journey_saves_every_answer(chat: ChatHarness) -> None:
    chat.say("/start")
    assert chat.press_label("English")[0].text == "Thank you. I will write to you in English."
    consent = chat.texts()[-1]
    assert "Bridge Trust" in consent and "NHS Riverside" in consent
    name_question = chat.press_label("Yes, save my details")[-1].text
    assert "What would you like me to call you?" in name_question
    chat.say("Sam")
    chat.press_label("they/them")
    chat.press_label("As someone with lived experience")
    assert "Thank you. Your time zone is Europe/Paris." in chat.say("Europe/Paris")[0].text
    chat.say("22:30 to 07:00")
    chat.press_label("Every 2 weeks")
    chat.press_label("Easy Read")
    chat.press_label("Short messages")
    chat.say("Large print please")
    chat.press_label("Done")
    chat.press_label("Telling my story")
    chat.press_label("Interviewing")
    translate = chat.press_label("Done")[-1]
    # Easy Read was just chosen, so the rest of the journey already uses it.
    assert translate.text.startswith("Do you know another language well?")
    assert "Chosen: Cymraeg" in labels(chat.press("onb:translate:toggle:cy")[-1])
    chat.press_label("Done")
    payment_question = chat.texts()[-1]
    # Easy Read was just chosen, so the rest of the journey already uses it.
    assert "Money can change your benefits." in payment_question
    assert "We never ask about your benefits." in payment_question
    summary = chat.press_label("Bank transfer")[-1]
    assert summary.text.startswith("Here's what I've saved:")
    for shown in ("Sam", "they/them", "lived experience", "Europe/Paris", "22:30 to 07:00",
                  "Every 2 weeks", "Short messages", "Easy Read", "Large print please",
                  "Telling my story", "Interviewing", "Bank transfer",
                  "Can help translate into: Cymraeg"):
        assert shown in summary.text
    assert "Change needs" in labels(summary)
    done = chat.press_label("All done")
    assert "You are all set" in done[0].text

    saved, p = member(chat.app), profile(chat.app)
    assert (saved.display_name, saved.timezone) == ("Sam", "Europe/Paris")
    assert (saved.quiet_start, saved.quiet_end) == ("22:30", "07:00")
    assert p is not None and p.onboarded_at is not None and p.onboarding_step is None
    assert p.pronouns == "they/them" and p.introduce_as == "lived"
    assert p.checkin_frequency == "fortnightly" and p.payment_preference == "bank_transfer"
    assert p.needs == ["short", "easy_read", "other"] and p.needs_other == "Large print please"
    assert p.ways_to_take_part == ["story", "interview"]
    with Session(chat.app.engine) as s:
        assert offered_languages(s, saved.id or 0) == ["cy"]
    [record] = consents(chat.app)
    assert (record.action, record.wording_version, record.channel) == (
        "given", CONSENT_VERSION, "test")


def test_skip_everything_saves_nothing_but_the_consent(chat: ChatHarness) -> None:
    start_and_consent(chat)
    summary = skip_to_summary(chat)[-1]
    assert summary.text.count("not set") == 8  # all but language, time zone and quiet hours
    chat.press_label("All done")
    p = profile(chat.app)
    assert p is not None and p.onboarded_at is not None
    assert (p.pronouns, p.introduce_as, p.checkin_frequency, p.payment_preference) == (
        None, None, None, None)
    assert p.needs == [] and p.ways_to_take_part == []
    m = member(chat.app)
    assert m.display_name is None
    assert (m.timezone, m.quiet_start, m.quiet_end) == ("Europe/London", "21:00", "08:00")


def test_every_question_after_consent_has_back_and_skip(chat: ChatHarness) -> None:
    replies = start_and_consent(chat)
    for _ in SKIPPABLE:
        question = last_with_buttons(replies)
        assert labels(question)[-2:] == ["Back", "Skip"], question.text
        replies = chat.press_label("Skip")
    assert labels(last_with_buttons(replies))[-2:] == ["Back", "All done"]


def test_back_returns_to_the_previous_question_and_the_answer_can_change(
    chat: ChatHarness,
) -> None:
    start_and_consent(chat)
    chat.say("Sam")
    again = chat.press_label("Back")
    assert "What would you like me to call you?" in again[0].text
    assert "Right now I call you Sam." in again[0].text
    assert "pronouns" in chat.say("Sammy")[-1].text
    assert member(chat.app).display_name == "Sammy"
    chat.press_label("Skip")  # pronouns
    chat.press_label("Skip")  # intro
    assert "introduce you" in chat.press_label("Back")[0].text


def test_back_from_the_name_goes_to_the_language_not_consent_again(chat: ChatHarness) -> None:
    start_and_consent(chat)
    replies = chat.press_label("Back")
    assert replies[0].text == "Which language would you like me to use?"
    replies = chat.press_label("Cymraeg")
    assert "Diolch" in replies[0].text
    assert len(consents(chat.app)) == 1, "consent is not asked or recorded twice"


def test_leave_halfway_and_resume_after_a_restart(settings: Settings, chat: ChatHarness) -> None:
    start_and_consent(chat)
    chat.say("Sam")
    chat.press_label("Skip")
    chat.press_label("As a co-producer")
    chat.press_label("UK")
    chat.press_label("Skip")  # quiet hours
    chat.press_label("Every month")
    chat.press_label("Easy Read")  # ticked, not yet Done
    chat.app.engine.dispose()

    restarted = BotApp(settings)
    again = ChatHarness(restarted)
    offer = again.say("/start")
    assert offer[0].text.startswith("Welcome back. You were part way through")
    assert labels(offer[0]) == ["Carry on", "Start again"]
    needs = again.press_label("Carry on")[-1]
    assert "Chosen: Easy Read" in labels(needs), "the ticks so far survive the restart"
    again.press_label("Done")
    again.press_label("Skip")  # ways
    again.press_label("Skip")  # translating
    summary = again.press_label("Not sure yet")[-1]
    assert "Every month" in summary.text and "As a co-producer" in summary.text
    assert "You are all set" in again.press_label("All done")[0].text
    restarted.engine.dispose()


def test_typed_text_also_continues_after_a_restart(settings: Settings, chat: ChatHarness) -> None:
    start_and_consent(chat)
    restarted = BotApp(settings)
    assert "Nice to meet you, Kim." in ChatHarness(restarted).say("Kim")[0].text
    restarted.engine.dispose()


def test_start_again_goes_back_to_the_welcome(chat: ChatHarness) -> None:
    start_and_consent(chat)
    chat.say("/start")
    replies = chat.press_label("Start again")
    assert "not for emergencies" in replies[0].text
    assert labels(replies[1]) == ["English", "Cymraeg"]


def test_text_after_a_long_gap_asks_the_question_again(chat: ChatHarness) -> None:
    start_and_consent(chat)
    with db(chat.app) as session:
        state = session.get(ConversationState, member(chat.app).id)
        assert state is not None
        state.updated_at = utcnow() - timedelta(days=3)
        session.add(state)
        session.commit()
    replies = chat.say("hi")
    assert replies[0].text == "Welcome back. Here is where we were."
    assert member(chat.app).display_name is None, "'hi' days later is not taken as a name"
    chat.say("Ali")
    assert member(chat.app).display_name == "Ali"


def test_decline_consent_is_respected(chat: ChatHarness) -> None:
    chat.say("/start")
    chat.press_label("English")
    replies = chat.press_label("No, thank you")
    text = replies[0].text
    assert "I will not save any details about you." in text and "HELP" in text
    assert not replies[0].buttons
    assert profile(chat.app) is None
    [record] = consents(chat.app)
    assert record.action == "declined"
    assert "not saved any details" in chat.say("/profile")[0].text
    assert "Samaritans" in chat.say("HELP")[0].text
    assert member(chat.app).display_name is None


def test_a_declined_person_can_say_yes_later(chat: ChatHarness) -> None:
    chat.say("/start")
    chat.press_label("English")
    chat.press_label("No, thank you")
    start_and_consent(chat)
    assert [r.action for r in consents(chat.app)] == ["declined", "given"]


def test_tell_me_more_shows_the_privacy_notice_then_asks_again(chat: ChatHarness) -> None:
    chat.say("/start")
    chat.press_label("English")
    replies = chat.press_label("Tell me more")
    assert "risk of serious harm" in replies[0].text
    assert "Yes, save my details" in labels(replies[1])
    assert consents(chat.app) == []


def test_typing_at_a_button_question_asks_again(chat: ChatHarness) -> None:
    start_and_consent(chat)
    for _ in range(5):  # to the check-ins question
        chat.press_label("Skip")
    replies = chat.say("weekly")
    assert replies[0].text == "Please tap one of the buttons."
    assert "How often" in replies[1].text
    assert profile(chat.app).checkin_frequency is None  # type: ignore[union-attr]


def test_typed_time_zone_and_quiet_hours(chat: ChatHarness) -> None:
    start_and_consent(chat)
    for _ in range(3):
        chat.press_label("Skip")
    assert "don't know that time zone" in chat.say("Mars/Olympus")[0].text
    chat.say("karachi")
    assert member(chat.app).timezone == "Asia/Karachi"
    assert "didn't understand" in chat.say("when I sleep")[0].text
    chat.press_label("No quiet hours")
    m = member(chat.app)
    assert (m.quiet_start, m.quiet_end) == (None, None)


def test_parse_quiet_hours() -> None:
    assert parse_quiet_hours("22:30 to 07:00") == ("22:30", "07:00")
    assert parse_quiet_hours("10pm - 7am") == ("22:00", "07:00")
    assert parse_quiet_hours("21.00–8") == ("21:00", "08:00")
    assert parse_quiet_hours("o 23 i 6") == ("23:00", "06:00")
    assert parse_quiet_hours("25:00 to 07:00") is None
    assert parse_quiet_hours("9") is None
    assert parse_quiet_hours("9 to 9") is None


def test_stored_codes_match_the_buttons() -> None:
    assert tuple(v for v, _ in INTRO_CHOICES) == INTRODUCTIONS
    assert tuple(v for v, _ in NEED_CHOICES) == NEEDS
    assert tuple(v for v, _ in WAYS) == WAYS_TO_TAKE_PART
    assert tuple(v for v, _ in PAYMENTS) == PAYMENT_PREFERENCES
    assert {v for v, _ in CHECKINS} == set(CHECKIN_FREQUENCIES)


def test_the_benefits_advice_is_joined_in_the_members_language(chat: ChatHarness) -> None:
    """Regression: the default advice said "A or B" in English inside a Welsh sentence."""
    chat.say("/start")
    chat.press_label("Cymraeg")
    chat.press("onb:consent:pick:yes")
    replies = []
    for name in ("name", "pronouns", "intro", "timezone", "quiet", "checkins", "needs", "ways",
                 "translate"):
        replies = chat.press(f"onb:{name}:skip")
    question = replies[-1].text
    assert "onb:payment:pick:cash" in replies[-1].actions()
    assert "(citizensadvice.org.uk) neu Turn2us (turn2us.org.uk)" in question
    assert " or " not in question
