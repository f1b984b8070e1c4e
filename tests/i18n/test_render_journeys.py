"""Every flow, in every language, rendered through Telegram and the console.

Layer (a) of the render test (layer (b), every catalog msgid, is in
test_render_all.py). One member per language walks scripted journeys through
the chat harness - onboarding, help, profile, check-ins (set up and a
scheduled one answered), sessions, payments with the confirmation and its
answers, feedback, privacy, a pause, and a broadcast received - while a
coordinator and two finance people work in English. Buttons are pressed by
their action id, so the script reads the same in every language. Every
message anyone was sent is then rendered by the real Telegram sender against
the fake Bot API and by the console adapter: zero errors allowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from bot.app import BotApp
from bot.config import Settings
from bot.storage.models import utcnow
from tests.handlers.journey import member
from tests.harness import ChatHarness
from tests.i18n.render import render_problems
from tests.payments.conftest import add_member, record
from tests.scheduler.helpers import tick

LANGUAGES = ["en", "cy", "pl", "ro", "pa", "ur", "bn", "ar", "so", "uk"]
EASY_READ = {"en", "pl", "ar", "so"}  # some members also ask for Easy Read
# The words do not depend on the database: SQLite walks all ten languages;
# PostgreSQL walks the same flows in three (left-to-right, many plural forms,
# right-to-left), which keeps the run short without losing a database path.
ON_POSTGRES = ["en", "cy", "ar"]


@pytest.fixture
def settings(db_url: str) -> Settings:
    """All ten languages switched on (the shared fixture has two)."""
    return Settings(_env_file=None,  # type: ignore[call-arg]
                    database_url=db_url, organisations=["Bridge Trust", "NHS Riverside"],
                    group_name="the Riverside group", languages=LANGUAGES)


@pytest.fixture
def app(settings: Settings) -> Iterator[BotApp]:
    """The usual migrated app, with commits that skip the disk flush.

    Hundreds of events each commit; without the flush they take seconds, not
    a minute. Durability is tested elsewhere; this test is about the words.
    """
    bot_app = BotApp(settings)
    bot_app.upgrade_database()
    sa_event.listen(bot_app.engine, "connect", _no_flush)
    bot_app.engine.dispose()
    yield bot_app
    bot_app.engine.dispose()


def _no_flush(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    if type(connection).__module__.startswith("sqlite3"):
        cursor.execute("PRAGMA synchronous=OFF")
    else:
        cursor.execute("SET synchronous_commit TO OFF")
    cursor.close()


class Driver:
    """One person in the chat, pressing buttons by action id."""

    def __init__(self, chat: ChatHarness, user: str) -> None:
        self.chat, self.user = chat, user

    def say(self, text: str) -> None:
        self.chat.say(text, user=self.user)

    def press(self, *prefixes: str) -> None:
        """Press the first matching button on the latest messages with buttons."""
        offered = [m for chat_id, m in self.chat.sender.sent
                   if chat_id == self.user and m.buttons][-3:]
        for message in reversed(offered):
            for prefix in prefixes:
                found = next((a for a in message.actions() if a.startswith(prefix)), None)
                if found:
                    self.chat.press(found, user=self.user)
                    return
        raise AssertionError(f"{self.user}: no {prefixes} in {[m.actions() for m in offered]}")

    def label(self, label: str) -> None:
        self.chat.press_label(label, user=self.user)


def onboarding(m: Driver, lang: str) -> None:
    m.say("/start")
    m.press(f"onb:language:pick:{lang}")
    m.press("onb:consent:more")
    m.press("onb:consent:pick:yes")
    m.say("Zoë & <Jo>")
    m.press("onb:pronouns:pick")
    m.press("onb:intro:pick")
    m.press("onb:timezone:pick")
    m.press("onb:quiet:pick:none")
    m.press("onb:checkins:pick:weekly")
    m.press("onb:needs:toggle:short")
    if lang in EASY_READ:
        m.press("onb:needs:toggle:easy_read")
    m.press("onb:needs:done")
    m.press("onb:ways:toggle")
    m.press("onb:ways:done")
    m.press("onb:translate:toggle")
    m.press("onb:translate:done")
    m.press("onb:payment:pick:bank_transfer")
    m.press("onb:summary:done")


def own_settings(m: Driver) -> None:
    m.say("/help")
    m.say("/profile")
    m.press("onb:summary:change:time")
    m.press("onb:timezone:skip")
    m.press("onb:quiet:skip")
    m.press("onb:summary:done")
    m.say("/checkins")
    m.press("ci:freq:")
    m.press("ci:day:")
    m.press("ci:time:")
    m.say("/privacy")
    m.say("/mydata")


def sessions(coord: Driver, members: list[Driver]) -> None:
    coord.say("/session_new")
    coord.say("Housing & <panel>")
    coord.say((utcnow() + timedelta(days=3)).strftime("%Y-%m-%d 18:00"))
    coord.label("In person")
    coord.say("Town hall, 1 High St")
    coord.say("Step-free entrance")
    coord.label("Skip")
    coord.label("Everyone")
    coord.label("Create and invite")
    for m in members:
        m.press("rsvp:")
        m.say("/sessions")


def payments(app: BotApp, chat: ChatHarness, members: list[Driver]) -> None:
    fin, fin2 = Driver(chat, "fin"), Driver(chat, "fin2")
    today = utcnow().date()
    for i, m in enumerate(members):
        state = record(app, member(app, m.user).id, key=f"k{i}",  # type: ignore[arg-type]
                       activity_date=today - timedelta(days=5),
                       expected_date=today + timedelta(days=2))
        fin.say(f"/approve_payment {state.id}")
        fin2.say(f"/mark_paid {state.id} BACS-{i}")
        m.press("pay:notyet:" if i % 2 else "pay:wrong:")
        m.say("/payments")


def feedback_and_care(m: Driver, lang: str) -> None:
    m.say("/feedback")
    m.press("fb:new:named" if lang != "ar" else "fb:new:anon")
    m.press("fb:about:none") if _offers(m, "fb:about:") else None
    m.say("The room was cold & <dark>.")
    m.say("/pause")
    m.press("pause:")
    m.say("/resume")
    m.say("HELP")


def _offers(m: Driver, prefix: str) -> bool:
    last = [msg for chat_id, msg in m.chat.sender.sent if chat_id == m.user and msg.buttons]
    return any(a.startswith(prefix) for msg in last[-3:] for a in msg.actions())


def scheduled(chat: ChatHarness, members: list[Driver]) -> None:
    """A week on: check-ins, session reminders and payment chasers go out; members answer."""
    tick(chat, utcnow() + timedelta(days=8))
    for m in members:
        if _offers(m, "checkin:mood:"):
            m.press("checkin:mood:")
            if _offers(m, "checkin:contact:"):
                m.press("checkin:contact:")
            elif _offers(m, "checkin:nonote:"):
                m.say("Had a walk & a <rest>.")


def broadcast(coord: Driver) -> None:
    coord.say("/broadcast")
    coord.label("Learning update")
    coord.label("English")
    coord.say("Room news & <more>")
    coord.say("We got a heater. Thank you for asking.")
    coord.label("No, that's all")
    coord.label("Everyone")
    coord.label("Now")
    coord.label("Send it")


def test_every_flow_renders_in_every_language(chat: ChatHarness) -> None:
    app = chat.app
    add_member(app, "coord", "coordinator", name="Cara")
    add_member(app, "fin", "finance", name="Femi")
    add_member(app, "fin2", "finance", name="Fran")
    languages = ON_POSTGRES if app.engine.dialect.name == "postgresql" else LANGUAGES
    members = [Driver(chat, f"m_{lang}") for lang in languages]
    for m, lang in zip(members, languages, strict=True):
        onboarding(m, lang)
        own_settings(m)
    coord = Driver(chat, "coord")
    sessions(coord, members)
    payments(app, chat, members)
    for m, lang in zip(members, languages, strict=True):
        feedback_and_care(m, lang)
    scheduled(chat, members)
    broadcast(coord)

    sent = chat.sender.sent
    per_member = {m.user: [msg for chat_id, msg in sent if chat_id == m.user] for m in members}
    assert all(len(msgs) >= 40 for msgs in per_member.values()), {
        u: len(v) for u, v in per_member.items()}
    assert any("Diolch" in msg.text for msg in per_member["m_cy"]), "Welsh members read Welsh"
    assert any("\u2067" in msg.text or "\u2068" in msg.text or "\u2066" in msg.text
               for msg in per_member["m_ar"]), "Arabic numbers and names are isolated"
    assert any(msg.text.startswith("Room news & <more>") or "Room news & <more>" in msg.text
               for msg in per_member[members[-1].user]), "the broadcast reached everyone"

    english = per_member["m_en"]
    assert any(msg.text.startswith("We sent your money.") for msg in english), "Easy Read"
    assert any(b.label.startswith("Chosen: ") for msg in english for row in msg.buttons
               for b in row), "a ticked choice says so in words"

    problems = render_problems([(f"{chat_id} #{i}", msg) for i, (chat_id, msg)
                                in enumerate(sent)])
    assert problems == []

