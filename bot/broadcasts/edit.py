"""Changing or cancelling an update before it goes out.

Only a draft or a scheduled update can change. The row is locked (on
PostgreSQL) and its status checked in the same transaction as the change, so
an edit and the scheduler's claim cannot both win: once the fan-out has
started, the edit is refused, because a correction is a new update.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.broadcasts.audience import check_groups_exist
from bot.broadcasts.spec import BroadcastError, BroadcastSpec
from bot.storage.broadcast_models import Broadcast

EDITABLE = ("draft", "scheduled")


class AlreadySendingError(BroadcastError):
    """The update started going out (or was cancelled): it can no longer change."""


def refusal(broadcast_id: int | None, status: str) -> AlreadySendingError:
    if status == "cancelled":
        return AlreadySendingError(f"broadcast {broadcast_id} was cancelled, so it cannot be "
                              "changed; a correction is a new update")
    return AlreadySendingError(f"broadcast {broadcast_id} has started going out ({status}), so it "
                          "cannot be changed: a correction is a new update")


def locked_editable(session: Session, broadcast_id: int) -> Broadcast:
    """The broadcast, locked until commit, if it may still change; else AlreadySendingError."""
    query = select(Broadcast).where(col(Broadcast.id) == broadcast_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    broadcast = session.exec(query).first()
    if broadcast is None:
        raise LookupError(f"there is no broadcast {broadcast_id}")
    session.refresh(broadcast)
    if broadcast.status not in EDITABLE:
        raise refusal(broadcast_id, broadcast.status)
    return broadcast


def changed(broadcast: Broadcast, spec: BroadcastSpec) -> Broadcast:
    """A copy with the new content, not saved: what the preview of an edit shows."""
    return Broadcast(id=broadcast.id, kind=spec.kind, texts=spec.texts, audience=spec.audience,
                     default_language=spec.default_language, send_at=spec.send_at,
                     status=broadcast.status, created_by=broadcast.created_by)


def spec_of(broadcast: Broadcast) -> BroadcastSpec:
    """The broadcast's current content, as a spec to change a part of."""
    return BroadcastSpec(kind=broadcast.kind, texts=dict(broadcast.texts),
                         audience=list(broadcast.audience),
                         default_language=broadcast.default_language,
                         send_at=broadcast.send_at, created_by=broadcast.created_by)


def apply_edit(session: Session, broadcast_id: int, spec: BroadcastSpec) -> Broadcast:
    """Replace the content of a draft or scheduled update (in the caller's transaction)."""
    broadcast = locked_editable(session, broadcast_id)
    check_groups_exist(session, spec.audience)
    broadcast.kind, broadcast.texts = spec.kind, dict(spec.texts)
    broadcast.audience, broadcast.default_language = list(spec.audience), spec.default_language
    broadcast.send_at = spec.send_at
    session.add(broadcast)
    session.flush()
    return broadcast


def set_text(session: Session, broadcast_id: int, language: str, title: str,
             body: str) -> Broadcast:
    """Add or replace one language's text (an approved translation, or a chat edit)."""
    broadcast = locked_editable(session, broadcast_id)
    broadcast.texts = {**broadcast.texts, language: {"title": title, "body": body}}
    session.add(broadcast)
    session.flush()
    return broadcast


def cancel_editable(session: Session, broadcast_id: int) -> Broadcast:
    """Cancel an update that has not started going out (nothing is queued yet)."""
    broadcast = locked_editable(session, broadcast_id)
    broadcast.status = "cancelled"
    session.add(broadcast)
    session.flush()
    return broadcast
