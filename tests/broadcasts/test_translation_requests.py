"""Co-produced translations: opt in, ask, answer, review, use, pay; and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

from bot.app import BotApp
from bot.broadcasts.translation_requests import approve, request_translation
from bot.payments.ledger import Actor, load_state
from bot.privacy import record_consent
from bot.storage.broadcast_models import Broadcast, BroadcastTranslation, TranslatorLanguage
from bot.storage.models import OutboxMessage, utcnow
from bot.storage.payment_models import Payment
from tests.broadcasts.conftest import add_member, draft, outbox_by_chat, run_scheduled
from tests.harness import ChatHarness

ENGLISH_ONLY = {"en": {"title": "Room news", "body": "We got a heater."}}
LATER = "2099-12-01T10:00:00+00:00"


@pytest.fixture
def team(app: BotApp) -> None:
    """coord writes updates; helper (English, offers Welsh) and other helper2 translate."""
    with Session(app.engine) as s:
        add_member(s, "coord", roles=("coordinator",))
        add_member(s, "coord2", roles=("coordinator",))
        for user in ("helper", "helper2", "plain"):
            member = add_member(s, user)
            record_consent(s, member.id, "given", "test", "v1")
        add_member(s, "cy1", language="cy")
        s.commit()


def schedule(app: BotApp) -> int:
    from datetime import datetime

    from bot.broadcasts.schedule import confirm

    bid = draft(app, texts=ENGLISH_ONLY, send_at=datetime.fromisoformat(LATER), created_by=1)
    assert confirm(app.engine, bid, app.i18n) is None
    return bid


def opt_in(chat: ChatHarness, user: str, language: str = "Cymraeg") -> None:
    """/profile points to /translate: choose a language to translate, then Done."""
    replies = [m.text for m in chat.say("/profile", user=user)]
    assert any("help translate" in t and "/translate" in t for t in replies)
    chat.say("/translate", user=user)
    chat.press_label(language, user=user)
    chosen = [b.label for row in chat.sender.sent[-1][1].buttons for b in row]
    assert f"Chosen: {language}" in chosen, "picked in words, not a tick a screen reader reads"
    assert "We may ask you" in press(chat, "Done", user)[0]


def press(chat: ChatHarness, label: str, user: str) -> list[str]:
    """Press a button by label; return only what this user was sent."""
    before = len(chat.texts(user))
    chat.press_label(label, user=user)
    return chat.texts(user)[before:]


def tap(chat: ChatHarness, action: str, user: str) -> list[str]:
    """Press a (maybe forged) action id; return only what this user was sent."""
    before = len(chat.texts(user))
    chat.press(action, user=user)
    return chat.texts(user)[before:]


def rows(app: BotApp) -> list[BroadcastTranslation]:
    with Session(app.engine) as s:
        return list(s.exec(select(BroadcastTranslation).order_by(BroadcastTranslation.id)))


def ask_for_welsh(chat: ChatHarness) -> list[str]:
    chat.say("/updates", user="coord")
    chat.press_label("Ask for a translation", user="coord")
    before = len(chat.texts("coord"))
    chat.press_label("Cymraeg", user="coord")
    return chat.texts("coord")[before:]


def test_opt_in_ask_translate_review_approve_and_pay(chat: ChatHarness, team: None) -> None:
    opt_in(chat, "helper")
    opt_in(chat, "helper2")
    chat.say("/profile", user="plain")  # sees the offer but does not opt in
    bid = schedule(chat.app)
    assert ask_for_welsh(chat) == ["I asked 2 people to translate it. I will show you their "
                                   "translation before it is used."]
    request = [t for t in chat.texts("helper") if "translate an update" in t][-1]
    assert "from English into Cymraeg" in request and "Room news\n\nWe got a heater." in request
    assert not any("translate an update" in t for t in chat.texts("plain"))
    assert not any("translate an update" in t for t in chat.texts("cy1"))

    assert "title in Cymraeg" in press(chat, "Translate it", "helper")[0]
    assert "a bit long" in tap_text(chat, "N" * 500, "helper"), "asked again, not stuck"
    chat.say("Newyddion yr ystafell", user="helper")
    chat.say("Cawsom wresogydd.", user="helper")
    thanks = chat.texts("helper")[-1]
    assert thanks.startswith("Thank you. The team will read")
    review = chat.texts("coord")[-1]
    assert "sent a translation into Cymraeg for update 1" in review
    assert "Newyddion yr ystafell\n\nCawsom wresogydd." in review
    with Session(chat.app.engine) as s:
        assert "cy" not in s.get(Broadcast, bid).texts, "not used before review"

    done = press(chat, "Use it, pay 1 hour", "coord")[0]
    assert done.startswith("Done. The Cymraeg text is now part of update 1.")
    with Session(chat.app.engine) as s:
        broadcast = s.get(Broadcast, bid)
        assert broadcast.texts["cy"] == {"title": "Newyddion yr ystafell",
                                         "body": "Cawsom wresogydd."}
        row = s.exec(select(BroadcastTranslation).where(
            BroadcastTranslation.status == "approved")).one()
        state = load_state(s, row.payment_id)
        assert state is not None and state.status == "recorded"
        assert state.payment.member_id == row.member_id and state.payment.activity == "review"
        assert state.payment.hours == Decimal("1.00") and state.fee_owed == Decimal("27.50")
    statuses = sorted(r.status for r in rows(chat.app))
    assert statuses == ["approved", "withdrawn"], "the other request is not needed any more"
    assert any("recorded it as paid work" in t for t in chat.texts("helper"))
    late = press(chat, "Translate it", "helper2")[0]
    assert "Someone else has already translated it" in late

    # Twice, or after the fact: nothing more happens, and no second payment.
    assert "already been dealt with" in tap(chat, f"btrc:ok:{row.id}:60", "coord")[0]
    run_scheduled(chat.app, utcnow().replace(year=2100))
    queued = outbox_by_chat(chat.app)["cy1"][-1].payload["text"]
    assert queued == "Newyddion yr ystafell\n\nCawsom wresogydd.", "Welsh speakers get it"
    with Session(chat.app.engine) as s:
        assert len(s.exec(select(Payment)).all()) == 1


def test_reject_and_decline(chat: ChatHarness, team: None) -> None:
    opt_in(chat, "helper")
    opt_in(chat, "helper2")
    schedule(chat.app)
    ask_for_welsh(chat)
    assert "That's fine" in press(chat, "Not this time", "helper2")[0]
    chat.press_label("Translate it", user="helper")
    chat.say("Teitl", user="helper")
    chat.say("Corff", user="helper")
    assert "It will not be used" in press(chat, "Don't use it", "coord")[0]
    assert "will not use it" in chat.texts("helper")[-1]
    assert sorted(r.status for r in rows(chat.app)) == ["declined", "rejected"]
    with Session(chat.app.engine) as s:
        assert s.exec(select(Payment)).all() == []
        assert "cy" not in s.get(Broadcast, 1).texts


def test_only_the_asked_member_answers_and_forged_buttons_change_nothing(
    chat: ChatHarness, team: None
) -> None:
    opt_in(chat, "helper")
    schedule(chat.app)
    ask_for_welsh(chat)
    rid = rows(chat.app)[0].id
    # Someone else pressing the request's buttons, or the reviewer's: refused.
    for user, action in (("plain", f"btr:take:{rid}"), ("plain", f"btr:no:{rid}"),
                         ("plain", f"btrc:ok:{rid}:60"), ("helper", f"btrc:ok:{rid}:60"),
                         ("coord2", f"btrc:ok:{rid}:60"), ("plain", "bced:tr:1"),
                         ("plain", "bced:trl:1:cy")):
        reply = tap(chat, action, user)[0]
        assert "expired" in reply or "only for the team" in reply, (user, action, reply)
    assert [r.status for r in rows(chat.app)] == ["asked"]
    chat.press_label("Translate it", user="helper")
    chat.say("Teitl", user="helper")
    chat.say("Corff", user="helper")
    # A forged amount the reviewer was never offered, and the translator approving
    # their own work through the service: refused, nothing paid, text unused.
    assert "expired" in tap(chat, f"btrc:ok:{rid}:6000", "coord")[0]
    with Session(chat.app.engine) as s:
        helper_id = rows(chat.app)[0].member_id
        own = approve(s, chat.app.i18n, chat.app.settings, rid,
                      Actor(member_id=helper_id, roles=frozenset({"coordinator"})),
                      Decimal(1), utcnow())
        assert not own.ok and own.reason == "not_allowed"
        member = approve(s, chat.app.i18n, chat.app.settings, rid,
                         Actor(member_id=3, roles=frozenset()), Decimal(1), utcnow())
        assert not member.ok and member.reason == "not_allowed"
        s.rollback()
        assert s.exec(select(Payment)).all() == []
        assert "cy" not in s.get(Broadcast, 1).texts
    assert [r.status for r in rows(chat.app)] == ["submitted"]


def test_too_late_once_the_update_has_gone_out(chat: ChatHarness, team: None) -> None:
    opt_in(chat, "helper")
    schedule(chat.app)
    ask_for_welsh(chat)
    chat.press_label("Translate it", user="helper")
    chat.say("Teitl", user="helper")
    chat.say("Corff", user="helper")
    assert run_scheduled(chat.app, utcnow().replace(year=2100)) == 1
    reply = press(chat, "Use it, pay 30 minutes", "coord")[0]
    assert "a correction is a new update" in reply.lower()
    with Session(chat.app.engine) as s:
        assert s.exec(select(Payment)).all() == []
    assert [r.status for r in rows(chat.app)] == ["submitted"]


def test_asking_twice_asks_nobody_twice_and_unicode_survives(app: BotApp) -> None:
    with Session(app.engine) as s:
        coord = add_member(s, "coord", roles=("coordinator",))
        helper = add_member(s, "helper", language="cy")
        s.add(TranslatorLanguage(member_id=helper.id, language="en"))
        coord_id, helper_id = coord.id, helper.id
        s.commit()
    bid = draft(app, texts={"cy": {"title": "Tŷ ✓", "body": "Ŵ ŷ — تجربة"}},
                default_language="cy")
    with Session(app.engine) as s:
        first = request_translation(s, app.i18n, bid, "en", utcnow(), requested_by=coord_id)
        second = request_translation(s, app.i18n, bid, "en", utcnow(), requested_by=coord_id)
        s.commit()
        assert len(first) == 1 and second == []
        sent = s.exec(select(OutboxMessage).where(OutboxMessage.member_id == helper_id)).all()
        assert len(sent) == 1 and "Tŷ ✓\n\nŴ ŷ — تجربة" in sent[0].payload["text"]


def test_translate_needs_consent(chat: ChatHarness, team: None) -> None:
    assert "not saved any details" in tap_text(chat, "/translate", "coord")
    with Session(chat.app.engine) as s:
        assert s.exec(select(TranslatorLanguage)).all() == []


def tap_text(chat: ChatHarness, text: str, user: str) -> str:
    before = len(chat.texts(user))
    chat.say(text, user=user)
    return "\n".join(chat.texts(user)[before:])


def test_profile_opt_out(chat: ChatHarness, team: None) -> None:
    opt_in(chat, "helper")
    chat.say("/profile", user="helper")
    assert any("Your languages: Cymraeg" in t for t in chat.texts("helper")[-3:])
    chat.say("/translate", user="helper")
    assert "will not ask you" in press(chat, "Stop helping", "helper")[0]
    with Session(chat.app.engine) as s:
        assert s.exec(select(TranslatorLanguage)).all() == []
