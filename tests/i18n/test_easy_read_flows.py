"""Easy Read in onboarding and the payment confirmation: asked once, then respected.

A member who ticks Easy Read gets the shorter variants for the rest of the
journey, on /profile, and in the payment confirmation; everyone else keeps the
usual words. In Welsh an Easy Read variant shows in Welsh once translated and
in English until then (per string), never the usual long text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.app import BotApp
from bot.i18n import N_
from bot.storage.models import Member
from bot.storage.profile_models import Profile
from tests.handlers.journey import labels, onboard
from tests.harness import ChatHarness
from tests.payments.conftest import add_member, record

PAY_NORMAL = N_("We pay people for their time. How would you like to be paid?")
PAY_EASY = N_("We pay you for your time. How do you want to be paid?")
CHECKINS_NORMAL = N_("How often would you like me to check in with you?")
CHECKINS_EASY = N_("How often should I check in?")
SENT_NORMAL = N_("Good news: your payment has been sent.")
SENT_EASY = N_("We sent your money.")
ARRIVE_NORMAL = N_("It should arrive by {date}.")
ARRIVE_EASY = N_("It comes by {date}.")


def words(app: BotApp, lang: str, msgid: str) -> str:
    """What the catalog says for `msgid` in `lang` now (English until translated)."""
    return app.i18n.translator(lang).gettext(msgid)


def set_language(app: BotApp, user: str, lang: str) -> None:
    from tests.handlers.journey import member

    with Session(app.engine) as s:
        found = s.get(Member, member(app, user).id)
        assert found is not None
        found.language = lang
        s.add(found)
        s.commit()


def to_needs_step(chat: ChatHarness, user: str) -> None:
    chat.say("/start", user=user)
    chat.press_label("English", user=user)
    chat.press_label("Yes, save my details", user=user)
    chat.say("Kim", user=user)
    for _ in range(5):  # pronouns, intro, time zone, quiet hours, check-ins
        chat.press_label("Skip", user=user)


def test_ticking_easy_read_shortens_the_rest_of_the_journey(chat: ChatHarness) -> None:
    for user, need in (("easy", "Easy Read"), ("usual", "Short messages")):
        to_needs_step(chat, user)
        chat.press_label(need, user=user)
        chat.press_label("Done", user=user)
        chat.press_label("Skip", user=user)  # ways
        chat.press_label("Skip", user=user)  # translating
    easy, usual = chat.texts("easy")[-1], chat.texts("usual")[-1]
    assert easy.startswith(PAY_EASY) and PAY_NORMAL not in easy
    assert "Money can change your benefits." in easy
    assert usual.startswith(PAY_NORMAL) and PAY_EASY not in usual
    assert "Payments can affect some benefits." in usual
    # Same choices, same words on the buttons: only the sentences get shorter.
    assert last_labels(chat, "easy") == last_labels(chat, "usual")
    assert "Bank transfer" in last_labels(chat, "easy")


def last_labels(chat: ChatHarness, user: str) -> list[str]:
    return labels([m for c, m in chat.sender.sent if c == user and m.buttons][-1])


def test_easy_read_on_profile_changes_in_english_and_welsh(chat: ChatHarness) -> None:
    for user in ("en_easy", "en_usual", "cy_easy", "cy_usual"):
        onboard(chat, user=user, name="Ali")
        if user.endswith("easy"):
            with Session(chat.app.engine) as s:
                from tests.handlers.journey import member

                profile = s.get(Profile, member(chat.app, user).id)
                assert profile is not None
                profile.needs = ["easy_read"]
                s.add(profile)
                s.commit()
        if user.startswith("cy"):
            set_language(chat.app, user, "cy")
    asked = {}
    for user in ("en_easy", "en_usual", "cy_easy", "cy_usual"):
        chat.say("/profile", user=user)
        chat.press("onb:summary:change:checkins", user=user)
        asked[user] = chat.texts(user)[-1]
    assert asked["en_easy"].startswith(CHECKINS_EASY) and CHECKINS_NORMAL not in asked["en_easy"]
    assert asked["en_usual"].startswith(CHECKINS_NORMAL)
    welsh_easy, welsh_normal = (words(chat.app, "cy", CHECKINS_EASY),
                                words(chat.app, "cy", CHECKINS_NORMAL))
    assert welsh_normal != CHECKINS_NORMAL, "the usual question is translated into Welsh"
    assert asked["cy_usual"].startswith(welsh_normal)
    assert asked["cy_easy"].startswith(welsh_easy) and welsh_normal not in asked["cy_easy"]


def paid(chat: ChatHarness, member_id: int, key: str) -> str:
    today = datetime.now(UTC).date()
    state = record(chat.app, member_id, key=key, activity_date=today - timedelta(5),
                   expected_date=today + timedelta(3))
    chat.say(f"/approve_payment {state.id}", user="fin")
    chat.say(f"/mark_paid {state.id} REF-{key}", user="fin2")
    return [t for t in chat.texts(f"m_{key}") if "REF-" in t][-1]


def test_payment_confirmation_has_an_easy_read_variant(chat: ChatHarness) -> None:
    add_member(chat.app, "fin", "finance", name="Femi")
    add_member(chat.app, "fin2", "finance", name="Fran")
    people = {key: add_member(chat.app, f"m_{key}", language=key[:2], name="Mo")
              for key in ("en_easy", "en_usual", "cy_easy", "cy_usual")}
    with Session(chat.app.engine) as s:
        for key, member_id in people.items():
            s.add(Profile(member_id=member_id, needs=["easy_read"] if "easy" in key else []))
        s.commit()
    texts = {key: paid(chat, member_id, key) for key, member_id in people.items()}

    assert texts["en_easy"].startswith(SENT_EASY) and SENT_NORMAL not in texts["en_easy"]
    assert "It comes by" in texts["en_easy"] and "Paid by: bank transfer" in texts["en_easy"]
    assert texts["en_usual"].startswith(SENT_NORMAL) and "It should arrive by" in texts["en_usual"]
    for key in ("en_easy", "en_usual"):  # the figures and reference never change
        assert "Total: £" in texts[key] and f"REF-{key}" in texts[key]
    assert len(texts["en_easy"]) < len(texts["en_usual"])

    cy_easy, cy_normal = words(chat.app, "cy", SENT_EASY), words(chat.app, "cy", SENT_NORMAL)
    assert cy_normal != SENT_NORMAL, "the usual confirmation is translated into Welsh"
    assert texts["cy_usual"].startswith(cy_normal)
    assert texts["cy_easy"].startswith(cy_easy) and cy_normal not in texts["cy_easy"]
    arrive = words(chat.app, "cy", ARRIVE_EASY).split("{date}")[0]
    assert arrive in texts["cy_easy"]
