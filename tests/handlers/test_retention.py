"""The daily retention job deletes or anonymises what is past its period, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import func, select

from bot.config import Settings
from bot.retention import run_from_settings, run_retention
from bot.storage.models import ConversationState, InboxEvent, Member, OutboxMessage, utcnow
from bot.storage.profile_models import OneTimeCode, Profile
from tests.handlers.journey import db, member, onboard
from tests.harness import ChatHarness

LATER = timedelta(days=400)


def count(chat: ChatHarness, model: type) -> int:
    with db(chat.app) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def age_everything(chat: ChatHarness, by: timedelta) -> None:
    """Move every timestamp back, as if `by` had passed."""
    with db(chat.app) as session:
        then = utcnow() - by
        session.execute(update(InboxEvent).values(received_at=then))
        session.execute(update(OutboxMessage).values(created_at=then))
        session.execute(update(Member).values(created_at=then))
        session.execute(update(ConversationState).values(updated_at=then))
        session.execute(update(OneTimeCode).values(created_at=then, expires_at=then))
        session.commit()


def test_recent_data_is_kept(chat: ChatHarness, settings: Settings) -> None:
    onboard(chat)
    before = (count(chat, InboxEvent), count(chat, OutboxMessage))
    with db(chat.app) as session:
        done = run_retention(session, settings)
        session.commit()
    assert done["members_erased"] == 0 and done["inbox_deleted"] == 0
    assert (count(chat, InboxEvent), count(chat, OutboxMessage)) == before
    assert member(chat.app).display_name == "Sam"


def test_old_messages_and_codes_go_but_consented_people_stay(
    chat: ChatHarness, settings: Settings
) -> None:
    onboard(chat)
    chat.say("/link")
    age_everything(chat, LATER)
    with db(chat.app) as session:
        done = run_retention(session, settings)
        session.commit()
    assert done["inbox_deleted"] > 0 and done["outbox_deleted"] > 0 and done["codes_deleted"] == 1
    assert count(chat, InboxEvent) == 0 and count(chat, OutboxMessage) == 0
    assert member(chat.app).display_name == "Sam", "consent given: details stay"
    with db(chat.app) as session:
        again = run_retention(session, settings)
        session.commit()
    assert again["inbox_deleted"] == again["outbox_deleted"] == again["members_erased"] == 0


def test_people_who_never_consented_are_erased_after_a_quiet_period(
    chat: ChatHarness, settings: Settings
) -> None:
    chat.say("/start", user="quiet")
    chat.press_label("English", user="quiet")
    chat.press_label("No, thank you", user="quiet")
    onboard(chat, user="keen")
    age_everything(chat, timedelta(days=31))
    with db(chat.app) as session:
        done = run_retention(session, settings)
        session.commit()
    assert done["members_erased"] == 1
    with db(chat.app) as session:
        statuses = sorted(m.status for m in session.exec(select(Member)).all())
    assert statuses == ["active", "erased"]


def test_people_who_left_are_erased_after_the_left_period(
    chat: ChatHarness, settings: Settings
) -> None:
    onboard(chat, name="Gone")
    chat.say("/leave")
    chat.press_label("Yes, leave")
    chat.press_label("Keep my details")
    with db(chat.app) as session:
        session.execute(update(Profile).values(left_at=utcnow() - timedelta(days=181)))
        session.commit()
    erased_id = member(chat.app).id
    with db(chat.app) as session:
        assert run_retention(session, settings)["members_erased"] == 1
        session.commit()
        gone = session.get(Member, erased_id)
        assert gone is not None and gone.status == "erased" and gone.display_name is None


def test_periods_come_from_settings(chat: ChatHarness, settings: Settings) -> None:
    onboard(chat)
    age_everything(chat, timedelta(days=10))
    custom = settings.model_copy(update={"retention_inbox_days": 5})
    with db(chat.app) as session:
        assert run_retention(session, custom)["inbox_deleted"] > 0
        session.commit()
    assert count(chat, OutboxMessage) > 0, "the outbox default (90 days) still applies"


def test_the_cli_entry_point_runs_one_pass(chat: ChatHarness, settings: Settings) -> None:
    onboard(chat)
    done = run_from_settings(settings)
    assert set(done) >= {"members_erased", "inbox_deleted", "outbox_deleted", "codes_deleted"}
