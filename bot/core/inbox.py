"""The inbox: incoming events stored durably before they count as received."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.core.events import Event
from bot.core.faults import fault_point
from bot.storage.models import InboxEvent, utcnow


def store_event(engine: Engine, event: Event, external_id: str) -> int | None:
    """Insert the event; None when (platform, external_id) was already stored.

    The unique constraint, not a read-then-write check, is what makes this safe
    when two processes receive the same update.
    """
    with Session(engine) as session:
        payload = storable(event.to_dict())
        row = InboxEvent(platform=event.platform, external_id=external_id, payload=payload)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        fault_point("inbox.stored")
        return row.id


def store_events(engine: Engine, items: Sequence[tuple[Event, str]]) -> list[int | None]:
    """Insert many events in one transaction (one commit); for each, its id, or
    None when (platform, external_id) was already stored.

    A getUpdates batch stored this way costs one statement and one disk flush,
    not one of each per update. ON CONFLICT DO NOTHING keeps it idempotent: after a crash the same
    batch can be stored again and only the missing rows are added.
    """
    if not items:
        return []
    table = InboxEvent.__table__  # type: ignore[attr-defined]
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    now = utcnow()
    rows = [{"platform": event.platform, "external_id": external_id,
             "payload": storable(event.to_dict()), "status": "pending", "received_at": now}
            for event, external_id in items]
    statement = (
        dialect.insert(table).values(rows)
        .on_conflict_do_nothing(index_elements=["platform", "external_id"])
        .returning(table.c.id, table.c.platform, table.c.external_id)
    )
    with engine.begin() as conn:
        stored = {(p, x): i for i, p, x in conn.execute(statement)}
    ids: list[int | None] = [stored.pop((e.platform, x), None) for e, x in items]
    fault_point("inbox.stored")
    return ids


def pending_lanes(engine: Engine, limit: int = 200) -> list[list[int]]:
    """The oldest pending events' ids, one lane per sender, each in arrival order.

    Events of one lane must be handled one after another; lanes are independent.
    """
    lanes: dict[tuple[str, str], list[int]] = {}
    with Session(engine) as session:
        rows = session.execute(
            sa.select(InboxEvent.id, InboxEvent.platform,
                      InboxEvent.payload)  # type: ignore[call-overload]
            .where(InboxEvent.status == "pending")
            .order_by(InboxEvent.id)
            .limit(limit)
        ).all()
    for inbox_id, platform, payload in rows:
        sender = str(payload.get("user_id", "")) if isinstance(payload, dict) else ""
        lanes.setdefault((platform, sender), []).append(inbox_id)
    return list(lanes.values())


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """The value without U+0000 and lone surrogates in any string. PostgreSQL
    cannot turn either into text, so one stored in a payload made every later
    query over it (/mydata) fail. Neither can be shown to anyone anyway."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("", value)
    if isinstance(value, dict):
        return {key: storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value
