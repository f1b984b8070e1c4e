"""Anonymous answers: unlinkable, not just unnamed.

Anonymous means that nobody who can read the database, the exports or the
logs can tell which answer a member gave. Leaving out the member id is not
enough; every other trail has to be cut as well. How each one is handled:

1. **The answer row** has no member id, no platform id and no time: only
   `given_on`, a *UTC* date (a local date could give away a member's time zone).
2. **Row ids.** `FeedbackItem.id` is random (`new_item_id`), so ids say nothing
   about order. On SQLite the id is the rowid itself, so there is no hidden
   rowid counting upwards either.
3. **Stopping double answers.** `FeedbackAnswered(request_id, member_id)` says
   that a member answered, never which answer: it has no id, no time and no
   link to the item. It is claimed with one `INSERT ... ON CONFLICT DO NOTHING`
   before the item is written, so a double tap, even in two processes at once,
   counts once. It is claimed first, so a clash can only ever mention two ids.
4. **Transaction ids and row order (PostgreSQL).** Every row written in one
   transaction carries the same `xmin`, and a heap keeps rows in the order they
   arrived (`ctid`). The marker and the answer share a transaction, so `xmin`
   alone would link them. `mix_day` therefore rewrites *every* anonymous
   item of the same day, in the same transaction, in the order of their random
   ids. After that, all of them carry the latest answer's `xmin`, and their
   `ctid` order follows the random ids, not arrival: the latest answerer is
   "one of the N people who answered anonymously that day", and earlier
   answerers' `xmin` no longer matches any live row. The order is the same in
   every transaction, so two answers at once wait for each other instead of
   deadlocking. (The date is stored anyway, so mixing across days adds nothing.)
5. **Inbox.** The incoming event that carried the answer (typed text, or a
   button whose action names the option) is overwritten with
   `{"scrubbed": true}` in the same transaction, by the handler.
6. **Outbox.** The confirmation sent back is generic: it never repeats the
   answer or the option. Its `source_event_id` points at the scrubbed event.
7. **Conversation state** may hold a draft for a moment (the text typed with
   `/feedback ...`); it is cleared in the transaction that saves the item.
8. **Logs.** Nothing is logged about an anonymous answer at all.
9. **Named and anonymous are never mixed** in one request: staff could
   subtract the named answers from the totals.
10. **Small groups.** Results, and anonymous answers to a request, are shown only
    once at least 5 people have answered (`results.py`).

What this cannot hide, and is said honestly to members: a member's own words
can give them away; on a day when only one person answered, the date plus
"this member answered" (the marker, or the time of our "thank you") narrows it
to them; old row versions stay on disk until PostgreSQL's VACUUM, and database
backups and server logs (`log_statement`) are outside this code.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.storage.feedback_models import FeedbackAnswered, FeedbackItem
from bot.storage.models import InboxEvent

SCRUBBED = {"scrubbed": True}


def claim_answer(session: Session, request_id: int, member_id: int) -> bool:
    """Mark the member as having answered; False if they already had."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = FeedbackAnswered.__table__  # type: ignore[attr-defined]
    stmt = (insert(table).values(request_id=request_id, member_id=member_id)
            .on_conflict_do_nothing().returning(table.c.request_id))
    return session.execute(stmt).first() is not None


def has_answered(session: Session, request_id: int, member_id: int) -> bool:
    return session.get(FeedbackAnswered, (request_id, member_id)) is not None


def save_anonymous(session: Session, item: FeedbackItem) -> None:
    """Store an anonymous item with nothing that points back at a person or a time."""
    item.anonymous = True
    item.member_id = None
    item.created_at = None
    session.add(item)
    session.flush()
    mix_day(session, item.given_on)


def mix_day(session: Session, day: date) -> int:
    """Rewrite the day's anonymous items, one by one in id order (see point 4 above)."""
    ids = session.exec(
        select(FeedbackItem.id)
        .where(col(FeedbackItem.anonymous), FeedbackItem.given_on == day)
        .order_by(col(FeedbackItem.id))
    ).all()
    table = FeedbackItem.__table__  # type: ignore[attr-defined]
    for item_id in ids:
        session.execute(update(table).where(table.c.id == item_id).values(given_on=day))
    return len(ids)


def scrub_event(session: Session, event_id: int | None) -> None:
    """Blank the stored inbox event that carried an anonymous answer or draft."""
    if event_id is None:
        return
    row = session.get(InboxEvent, event_id)
    if row is not None:
        row.payload = dict(SCRUBBED)
        session.add(row)
