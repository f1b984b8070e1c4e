"""Consent ledger, subject access (/mydata) and erasure (/forget).

Both /mydata and erasure walk every table with a `member_id` column, so a
feature's new table is exported and erased without touching this module. A
feature that must keep rows (the payment ledger, for six years) registers the
table in `KEEP_ON_ERASURE` with a function that removes the personal parts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, or_, update
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, col, select

from bot.storage import load_all_models
from bot.storage.models import (
    ConversationState,
    Identity,
    InboxEvent,
    Member,
    OutboxMessage,
    utcnow,
)
from bot.storage.profile_models import ConsentRecord

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

# Change this (or set CONSENT_VERSION) whenever the consent wording changes.
CONSENT_VERSION = "2026-11-consent-1"

ERASED = "erased"
ERASED_PAYLOAD: dict[str, Any] = {"text": "", "buttons": [], "erased": True}



def _pseudonymise_payments(session: Session, member_id: int) -> None:
    """Finance records are kept for six years, cut off from the person."""
    try:
        from bot.payments import pseudonymise_member_payments
    except ImportError:  # payments not installed: no payment rows either
        return
    pseudonymise_member_payments(session, member_id)


# table name -> function(session, member_id) that strips what identifies the person.
# These tables' rows are kept; every other table with a member_id is deleted.
KEEP_ON_ERASURE: dict[str, Callable[[Session, int], None]] = {
    "payment": _pseudonymise_payments,
}
# Tables erasure handles itself (scrubbed, not deleted, or deleted last).
_SPECIAL = {"member", "identity", "outboxmessage", "inboxevent"}


def consent_version(settings: Settings) -> str:
    return settings.consent_version or CONSENT_VERSION


def record_consent(
    session: Session, member_id: int | None, action: str, channel: str, version: str
) -> ConsentRecord:
    """Append one row to the ledger; rows are never changed afterwards."""
    row = ConsentRecord(member_id=member_id, action=action, wording_version=version,
                        channel=channel[:16])
    session.add(row)
    return row


def latest_consent(session: Session, member_id: int) -> ConsentRecord | None:
    return session.exec(
        select(ConsentRecord)
        .where(col(ConsentRecord.member_id) == member_id)
        .order_by(col(ConsentRecord.id).desc())
        .limit(1)
    ).first()


def has_consent(session: Session, member_id: int) -> bool:
    latest = latest_consent(session, member_id)
    return latest is not None and latest.action == "given"


def member_tables() -> list[Table]:
    """Every table with a `member_id` column, children before parents."""
    load_all_models()
    return [t for t in reversed(SQLModel.metadata.sorted_tables) if "member_id" in t.c]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


# Column names whose values are credentials: listed in /mydata, but not sent over chat.
SECRET_MARKERS = ("hash", "password", "token", "secret")
HIDDEN = "(stored, but not shown: it is a security key)"


def _shown(column: str, value: Any) -> Any:
    if value is not None and any(m in column.lower() for m in SECRET_MARKERS):
        return HIDDEN
    return _jsonable(value)


def _rows(session: Session, table: Table, *where: Any) -> list[dict[str, Any]]:
    result = session.execute(table_select(table).where(*where).order_by(*table.primary_key.columns))
    return [{k: _shown(k, v) for k, v in row.items()} for row in result.mappings()]


def inbox_rows_of(session: Session, identities: list[Identity]) -> list[InboxEvent]:
    """Stored incoming events from these platform accounts."""
    if not identities:
        return []
    user_id = col(InboxEvent.payload)["user_id"].as_string()
    matches = [(col(InboxEvent.platform) == i.platform) & (user_id == i.user_id)
               for i in identities]
    return list(session.exec(select(InboxEvent).where(or_(*matches))).all())


def identities_of(session: Session, member_id: int) -> list[Identity]:
    query = select(Identity).where(col(Identity.member_id) == member_id).order_by(col(Identity.id))
    return list(session.exec(query).all())


def member_data(session: Session, member_id: int) -> dict[str, Any]:
    """Everything stored about one member, table by table, every column."""
    member_table = Member.__table__  # type: ignore[attr-defined]
    tables: dict[str, list[dict[str, Any]]] = {
        "member": _rows(session, member_table, member_table.c.id == member_id)
    }
    for table in member_tables():
        tables[table.name] = _rows(session, table, table.c.member_id == member_id)
    identities = identities_of(session, member_id)
    inbox_table = InboxEvent.__table__  # type: ignore[attr-defined]
    ids = [row.id for row in inbox_rows_of(session, identities)]
    tables["inboxevent"] = _rows(session, inbox_table, inbox_table.c.id.in_(ids)) if ids else []
    for row in tables.get("outboxmessage", []):
        payload = row.get("payload") or {}
        if payload.get("document_text"):  # an earlier copy of this file: name it, don't nest it
            row["payload"] = {**payload, "document_text": f"({payload.get('document_name')})"}
    return {"member_id": member_id, "exported_at": utcnow().isoformat(), "tables": tables}


def erase_member(
    session: Session,
    member_id: int,
    *,
    default_language: str,
    default_timezone: str,
    channel: str,
    version: str,
    ledger_action: str = "withdrawn",
) -> None:
    """Erase one member's personal data now, leaving an empty member row.

    The empty row keeps kept records (pseudonymised payments) and already
    queued outbox rows consistent. Identities go last, so the platform ids
    are used to find the member's stored messages first.
    """
    had_consent = has_consent(session, member_id)
    identities = identities_of(session, member_id)
    for event in inbox_rows_of(session, identities):
        event.payload = {"platform": event.platform, "kind": event.payload.get("kind"),
                         "erased": True}
        if event.status == "pending":
            event.status, event.error = "done", ERASED
        session.add(event)
    # Rows to their chat with no member on them; never other members' rows (a group chat).
    chats = [(col(OutboxMessage.platform) == i.platform) & (col(OutboxMessage.chat_id) == i.chat_id)
             & col(OutboxMessage.member_id).is_(None) for i in identities]
    outbox = or_(col(OutboxMessage.member_id) == member_id, *chats)
    session.execute(
        update(OutboxMessage).where(outbox, col(OutboxMessage.status).in_(["pending", "claimed"]))
        .values(status="cancelled", last_error=ERASED)
    )
    session.execute(
        update(OutboxMessage).where(outbox)
        .values(payload=ERASED_PAYLOAD, chat_id=ERASED, platform_message_id=None)
    )
    state = session.get(ConversationState, member_id)
    if state is not None:
        session.delete(state)
    session.flush()
    for table in member_tables():
        if table.name in KEEP_ON_ERASURE:
            KEEP_ON_ERASURE[table.name](session, member_id)
        elif table.name not in _SPECIAL and table.name != "conversationstate":
            delete_cascade(session, table, table.c.member_id == member_id)
    for identity in identities:
        session.delete(identity)
    member = session.get(Member, member_id)
    if member is not None:
        member.display_name = None
        member.language, member.timezone = default_language, default_timezone
        member.quiet_start, member.quiet_end = "21:00", "08:00"
        member.preferred_platform = None
        member.paused_until = None
        member.status = ERASED
        session.add(member)
    if had_consent:
        record_consent(session, None, ledger_action, channel, version)
    session.flush()
    log.info("member %s erased", member_id)


def delete_cascade(session: Session, table: Table, where: Any, _depth: int = 0) -> int:
    """Delete matching rows, first clearing rows elsewhere that point at them.

    A nullable reference is set to NULL (a kept safeguarding alert loses its
    check-in link); a required one is deleted with its parent. Tables whose
    rows are kept on erasure are only ever unlinked, never deleted.
    """
    if _depth > 5:
        raise RuntimeError(f"foreign keys too deep below {table.name}")
    for child in SQLModel.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table.name != table.name or child.name == table.name:
                continue
            ids = table_select(fk.column).where(where)
            if fk.parent.nullable or child.name in KEEP_ON_ERASURE:
                session.execute(update(child).where(fk.parent.in_(ids))
                                .values({fk.parent.name: None}))
            else:
                delete_cascade(session, child, fk.parent.in_(ids), _depth + 1)
    return int(session.execute(delete(table).where(where)).rowcount or 0)  # type: ignore[attr-defined]


def scrub_sent_to_erased(session: Session) -> int:
    """Blank the chat id of messages already sent to erased members (the goodbye).

    The goodbye has to carry the chat id until it is delivered; this removes it
    afterwards. Run it after delivery rounds and in the daily retention job.
    """
    erased = select(Member.id).where(col(Member.status) == ERASED)
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.member_id).in_(erased), col(OutboxMessage.chat_id) != ERASED,
               col(OutboxMessage.status).not_in(["pending", "claimed", "sending"]))
        .values(payload=ERASED_PAYLOAD, chat_id=ERASED, platform_message_id=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def cancel_pending(session: Session, member_id: int, except_event: int | None) -> None:
    """Stop queued messages to a member, except the replies to the event in hand."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.member_id) == member_id,
               col(OutboxMessage.status).in_(["pending", "claimed"]),
               or_(col(OutboxMessage.source_event_id).is_(None),
                   col(OutboxMessage.source_event_id) != except_event))
        .values(status="cancelled", last_error="member left")
    )
