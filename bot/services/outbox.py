"""Queueing messages to members from scheduled work, outside any handler.

The scheduler has no `ctx`, so it writes outbox rows itself: in the same
transaction as marking the item fired, with `not_before` set by quiet hours.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.core.faults import fault_point


def commit_fired(session: Session) -> None:
    """Commit one fired item together with its messages.

    The crash points let tests kill the process just before this commit
    (nothing happened: it fires again after restart) and just after it
    (fired and queued: delivery sends it once after restart).
    """
    session.flush()
    fault_point("scheduler.before_commit")
    session.commit()
    fault_point("scheduler.fired")
