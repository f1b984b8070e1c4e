"""Co-produced translation: ask bilingual members, take their answer, review it.

A coordinator asks for an update in a missing language. Every opted-in
member who knows that language and the update's own language gets a request
(through the outbox, at a good time for them). Their translation waits for
the coordinator, who reads it and approves or rejects it. Approving puts the
text into the update (only while it has not started going out) and records
the work as a payment in the payments ledger, activity "review", so finance
approves and pays it the usual way. Every step checks who acts and the
request's status, so a replayed or forged button changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from bot.broadcasts.edit import locked_editable, set_text
from bot.broadcasts.spec import BODY_MAX, TITLE_MAX, BroadcastError
from bot.broadcasts.translation_messages import (
    approved_message,
    rejected_message,
    request_message,
    review_message,
)
from bot.broadcasts.translators import eligible_translators
from bot.core.easyread import member_translator
from bot.core.reach import queue_when_allowed
from bot.i18n import I18n
from bot.payments.ledger import Actor
from bot.payments.notify import after_recorded
from bot.payments.preference import preferred_method
from bot.payments.ratecard import rate_card_for
from bot.payments.service import PaymentDraft, record_payment
from bot.storage.broadcast_models import Broadcast, BroadcastTranslation
from bot.storage.models import Member

REQUESTERS = ("coordinator", "staff")
APPROVERS = ("coordinator",)  # approving records a payment: coordinators and finance do that
ACTIVITY = "review"
MAX_HOURS = Decimal("8")


@dataclass(frozen=True)
class Result:
    """ok, or why not: not_found, not_yours, not_allowed, wrong_state, too_late."""

    ok: bool
    reason: str = "done"
    row: BroadcastTranslation | None = None


def request_translation(
    session: Session, i18n: I18n, broadcast_id: int, target: str, now: datetime, *,
    requested_by: int | None, source_event_id: int | None = None,
) -> list[BroadcastTranslation]:
    """Ask everyone able to translate into `target`; returns the new requests.

    Asking again asks only people not asked before (unique per member).
    """
    broadcast = locked_editable(session, broadcast_id)
    if target in broadcast.texts:
        raise BroadcastError(f"broadcast {broadcast_id} already has a text in {target}")
    source = broadcast.default_language
    asked = set(session.exec(select(BroadcastTranslation.member_id).where(
        col(BroadcastTranslation.broadcast_id) == broadcast_id,
        col(BroadcastTranslation.target_language) == target)).all())
    new = []
    for member in eligible_translators(session, source, target,
                                       exclude={*asked, requested_by or 0}):
        assert member.id is not None
        row = BroadcastTranslation(broadcast_id=broadcast_id, source_language=source,
                                   target_language=target, member_id=member.id,
                                   requested_by=requested_by, created_at=now)
        session.add(row)
        session.flush()
        assert row.id is not None
        message = request_message(member_translator(i18n, session, member), row,
                                  broadcast.texts[source])
        if queue_when_allowed(session, member, message, now,
                              source_event_id=source_event_id) is None:
            row.status = "withdrawn"  # paused for good or unreachable: don't wait for them
            session.add(row)
            continue
        new.append(row)
    return new


def open_request(session: Session, request_id: int, member_id: int) -> Result:
    """A request this member may answer now: theirs, still asked, update not sent."""
    row = session.get(BroadcastTranslation, request_id)
    if row is None:
        return Result(False, "not_found")
    if row.member_id != member_id:
        return Result(False, "not_yours")
    if row.status != "asked":
        return Result(False, "wrong_state", row)
    broadcast = session.get(Broadcast, row.broadcast_id)
    if broadcast is None or broadcast.status not in ("draft", "scheduled"):
        return Result(False, "too_late", row)
    return Result(True, row=row)


def decline(session: Session, request_id: int, member_id: int, now: datetime) -> Result:
    found = open_request(session, request_id, member_id)
    if found.ok and found.row is not None:
        found.row.status, found.row.decided_at = "declined", now
        session.add(found.row)
    return found


def submit(
    session: Session, i18n: I18n, request_id: int, member_id: int, title: str, body: str,
    now: datetime, *, source_event_id: int | None = None,
) -> Result:
    """Save the member's translation and send it to the coordinator to review."""
    found = open_request(session, request_id, member_id)
    if not found.ok or found.row is None:
        return found
    title, body = title.strip(), body.strip()
    if not title or not body or len(title) > TITLE_MAX or len(body) > BODY_MAX:
        return Result(False, "bad_text", found.row)
    row = found.row
    row.title, row.body, row.status, row.submitted_at = title, body, "submitted", now
    session.add(row)
    broadcast = session.get(Broadcast, row.broadcast_id)
    reviewer_id = row.requested_by or (broadcast.created_by if broadcast else None)
    reviewer = session.get(Member, reviewer_id) if reviewer_id else None
    if reviewer is not None and reviewer.id is not None:
        translator = session.get(Member, member_id)
        name = (translator.display_name if translator else None) or f"#{member_id}"
        queue_when_allowed(session, reviewer,
                           review_message(member_translator(i18n, session, reviewer), row, name),
                           now, source_event_id=source_event_id)
    return Result(True, row=row)


def reviewable(session: Session, request_id: int, actor: Actor) -> Result:
    row = session.get(BroadcastTranslation, request_id)
    if row is None:
        return Result(False, "not_found")
    if not actor.has_role(*APPROVERS) or (actor.member_id is not None
                                           and actor.member_id == row.member_id):
        return Result(False, "not_allowed", row)  # nobody approves their own work
    if row.status != "submitted":
        return Result(False, "wrong_state", row)
    return Result(True, row=row)


def approve(
    session: Session, i18n: I18n, settings: Any, request_id: int, actor: Actor, hours: Decimal,
    now: datetime, *, source_event_id: int | None = None,
) -> Result:
    """Use the translation in the update and record the work as a payment."""
    if not Decimal("0") < hours <= MAX_HOURS:
        raise ValueError(f"hours must be more than 0 and at most {MAX_HOURS}")
    found = reviewable(session, request_id, actor)
    if not found.ok or found.row is None:
        return found
    row = found.row
    assert row.title is not None and row.body is not None and row.id is not None
    try:
        set_text(session, row.broadcast_id, row.target_language, row.title, row.body)
    except BroadcastError:
        return Result(False, "too_late", row)
    row.status, row.decided_at, row.decided_by = "approved", now, actor.member_id
    draft = PaymentDraft(member_id=row.member_id, activity=ACTIVITY,
                         activity_date=(row.submitted_at or now).date(), hours=hours,
                         method=preferred_method(session, row.member_id) or "bank_transfer")
    state, created = record_payment(session, draft, rate_card_for(settings), actor,
                                    f"broadcast-translation:{row.id}", now)
    row.payment_id = state.id
    session.add(row)
    withdraw_others(session, row)
    member = session.get(Member, row.member_id)
    if member is not None:
        queue_when_allowed(session, member,
                           approved_message(member_translator(i18n, session, member), row),
                           now, source_event_id=source_event_id)
    if created:
        after_recorded(session, i18n, state, now, recorder_id=actor.member_id,
                       source_event_id=source_event_id)
    return Result(True, row=row)


def reject(session: Session, i18n: I18n, request_id: int, actor: Actor, now: datetime, *,
           source_event_id: int | None = None) -> Result:
    found = reviewable(session, request_id, actor)
    if not found.ok or found.row is None:
        return found
    row = found.row
    row.status, row.decided_at, row.decided_by = "rejected", now, actor.member_id
    session.add(row)
    member = session.get(Member, row.member_id)
    if member is not None:
        queue_when_allowed(session, member,
                           rejected_message(member_translator(i18n, session, member), row),
                           now, source_event_id=source_event_id)
    return Result(True, row=row)


def withdraw_others(session: Session, approved: BroadcastTranslation) -> None:
    """Requests nobody started on are not needed any more."""
    for other in session.exec(select(BroadcastTranslation).where(
            col(BroadcastTranslation.broadcast_id) == approved.broadcast_id,
            col(BroadcastTranslation.target_language) == approved.target_language,
            col(BroadcastTranslation.status) == "asked")):
        other.status = "withdrawn"
        session.add(other)


def requests_for(session: Session, broadcast_id: int) -> list[BroadcastTranslation]:
    return list(session.exec(select(BroadcastTranslation)
                             .where(col(BroadcastTranslation.broadcast_id) == broadcast_id)
                             .order_by(col(BroadcastTranslation.id))))
