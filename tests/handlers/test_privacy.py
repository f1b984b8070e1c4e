"""/mydata, /forget, consent withdrawal and /leave."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import inspect, text, update
from sqlmodel import Session, col, select

from bot.app import BotApp
from bot.core.members import grant_role
from bot.privacy import KEEP_ON_ERASURE, member_tables, scrub_sent_to_erased
from bot.storage.models import Member
from bot.storage.profile_models import ConsentRecord, OneTimeCode
from tests.handlers.journey import db, labels, member, onboard, profile, start_and_consent
from tests.harness import ChatHarness

USER = "tg-qx90817-zeb"
NAME = "Zebedee Quill"


def rich_member(chat: ChatHarness) -> None:
    """Someone who told us a lot and used most features, so erasure has work to do."""
    start_and_consent(chat, USER)
    chat.say(NAME, user=USER)
    chat.say("xe/xem", user=USER)
    chat.say(f"{NAME}, peer researcher", user=USER)
    chat.say("Europe/Dublin", user=USER)
    chat.press_label("22:00 to 07:00", user=USER)
    chat.press_label("Every week", user=USER)
    chat.press_label("Easy Read", user=USER)
    chat.say(f"Call me {NAME} in full", user=USER)
    chat.press_label("Done", user=USER)
    chat.press_label("Taking notes", user=USER)
    chat.press_label("Done", user=USER)
    chat.press("onb:translate:toggle:cy", user=USER)
    chat.press_label("Done", user=USER)
    chat.press_label("Cash", user=USER)
    chat.press_label("All done", user=USER)
    with db(chat.app) as session:
        grant_role(session, member(chat.app, USER).id or 0, "admin")
        session.commit()
    chat.say("/invite coordinator", user=USER)
    chat.say("/link", user=USER)
    chat.say("/link WRONG-CODE", user=USER)
    chat.say("/pause", user=USER)
    chat.press_label("1 week", user=USER)
    chat.say("/mydata", user=USER)


def scan(app: BotApp, *needles: str) -> list[tuple[str, str]]:
    """Every (table, column) in the database whose value contains any needle."""
    found = []
    with app.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings().all()  # noqa: S608
            for row in rows:
                for column, value in row.items():
                    shown = json.dumps(value, default=str) if value is not None else ""
                    if any(n.lower() in shown.lower() for n in needles):
                        found.append((table, column))
    return found


def test_mydata_sends_every_stored_field(chat: ChatHarness) -> None:
    rich_member(chat)
    reply = chat.say("/mydata", user=USER)[0]
    assert reply.document_name == "my-data.json" and reply.document_text
    assert f"Name: {NAME}" in reply.text and "Pronouns: xe/xem" in reply.text
    assert "You said yes to me saving your details" in reply.text
    assert "paused until" in reply.text
    data: dict[str, Any] = json.loads(reply.document_text)
    tables = data["tables"]
    member_id = member(chat.app, USER).id
    with chat.app.engine.connect() as conn:
        for table in [*member_tables(), Member.__table__]:  # type: ignore[attr-defined]
            key = "id" if table.name == "member" else "member_id"
            count = conn.execute(
                text(f'SELECT COUNT(*) FROM "{table.name}" WHERE {key} = :m'),  # noqa: S608
                {"m": member_id}).scalar_one()
            sent_after = 1 if table.name == "outboxmessage" else 0  # the reply with the file
            assert len(tables[table.name]) + sent_after == count, table.name
            for row in tables[table.name]:
                assert set(row) == {c.name for c in table.columns}, table.name
    assert tables["profile"][0]["needs_other"] == f"Call me {NAME} in full"
    assert tables["consentrecord"][0]["wording_version"]
    assert {r["role"] for r in tables["memberrole"]} == {"admin"}
    assert tables["identity"][0]["user_id"] == USER
    assert any(e["payload"].get("text") == NAME for e in tables["inboxevent"])
    assert tables["onetimecode"] and all(
        r["code_hash"].startswith("(stored, but not shown") for r in tables["onetimecode"])
    assert tables["codeattempts"][0]["failures"] == 1


def test_forget_erases_the_platform_id_and_the_name_from_every_table(chat: ChatHarness) -> None:
    onboard(chat, user="u2", name="Other Person")
    rich_member(chat)
    assert scan(chat.app, USER, NAME)
    confirm = chat.say("/forget", user=USER)[0]
    assert "cannot be undone" in confirm.text and "6 years" in confirm.text
    bye = chat.press_label("Yes, delete it all", user=USER)
    assert "I have deleted your details" in bye[0].text

    # Only the goodbye, already delivered, still carries the chat id...
    assert scan(chat.app, USER, NAME) == [("outboxmessage", "chat_id")]
    with db(chat.app) as session:  # ...until the post-delivery scrub blanks it.
        scrub_sent_to_erased(session)
        session.commit()
    assert scan(chat.app, USER, NAME) == []
    assert scan(chat.app, "Zebedee", "xe/xem", "qx90817") == []

    with db(chat.app) as session:
        erased = session.exec(select(Member).where(Member.status == "erased")).one()
        assert erased.display_name is None
        ledger = session.exec(select(ConsentRecord)).all()
        assert [(r.member_id, r.action) for r in ledger if r.member_id != member(
            chat.app, "u2").id] == [(None, "withdrawn")]
    assert member(chat.app, "u2").display_name == "Other Person", "nobody else is touched"


def test_after_erasure_the_person_starts_fresh(chat: ChatHarness) -> None:
    onboard(chat, name="Kit")
    chat.say("/forget")
    chat.press_label("Yes, delete it all")
    replies = chat.say("/start")
    assert "not for emergencies" in replies[0].text
    assert member(chat.app).display_name is None and profile(chat.app) is None


def test_withdrawing_consent_is_the_same_as_forget(chat: ChatHarness) -> None:
    onboard(chat, name="Lee")
    notice = chat.say("/privacy")[0]
    assert "You said yes to me saving your details" in notice.text
    confirm = chat.press_label("Take back my yes")[0]
    forget = chat.say("/forget")[0]
    assert confirm.text == forget.text and labels(confirm) == labels(forget)
    chat.press_label("Yes, delete it all")
    assert scan(chat.app, "Lee") == []


def test_saying_no_to_forget_keeps_everything(chat: ChatHarness) -> None:
    onboard(chat, name="Mo")
    chat.say("/forget")
    assert chat.press_label("No, keep my details")[0].text == "OK. I have not deleted anything."
    assert member(chat.app).display_name == "Mo"


def test_leave_ends_membership_and_offers_erasure(chat: ChatHarness) -> None:
    onboard(chat, name="Nia")
    chat.say("/leave")
    left = chat.press_label("Yes, leave")[0]
    assert "You have left the group" in left.text
    assert labels(left) == ["Delete my details", "Keep my details"]
    assert member(chat.app).status == "left"
    assert profile(chat.app).left_at is not None  # type: ignore[union-attr]
    confirm = chat.press_label("Delete my details")[0]
    assert confirm.text.startswith("Do you want me to delete everything")
    chat.press_label("Yes, delete it all")
    assert scan(chat.app, "Nia") == []


def test_leave_and_keep_then_come_back(chat: ChatHarness) -> None:
    onboard(chat, name="Ola")
    chat.say("/leave")
    chat.press_label("Yes, leave")
    chat.press_label("Keep my details")
    assert member(chat.app).display_name == "Ola"
    chat.say("/start")
    assert member(chat.app).status == "active"
    assert profile(chat.app).left_at is None  # type: ignore[union-attr]


def test_leave_no_stays(chat: ChatHarness) -> None:
    onboard(chat)
    chat.say("/leave")
    assert chat.press_label("No, stay")[0].text == "Good. You are still in the group."
    assert member(chat.app).status == "active"


def test_tables_registered_as_kept_are_pseudonymised_not_deleted(
    chat: ChatHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The payment ledger uses this: rows stay for six years, cut off from the person."""
    assert "payment" in KEEP_ON_ERASURE
    called: list[int] = []

    def unlink_codes(session: Session, member_id: int) -> None:
        called.append(member_id)
        session.execute(update(OneTimeCode).where(col(OneTimeCode.member_id) == member_id)
                        .values(member_id=None))

    monkeypatch.setitem(KEEP_ON_ERASURE, "onetimecode", unlink_codes)
    onboard(chat)
    chat.say("/link")
    erased_id = member(chat.app).id
    chat.say("/forget")
    chat.press_label("Yes, delete it all")
    assert called == [erased_id]
    with db(chat.app) as session:
        [code] = session.exec(select(OneTimeCode)).all()
    assert code.member_id is None
