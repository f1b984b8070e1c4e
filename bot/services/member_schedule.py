"""One call that cancels everything scheduled for a member.

STOP, leaving and erasure call this in their own transaction, so future
check-ins and session reminders are cancelled at the same moment as the
member's status changes. (The scanners also skip and cancel rows of members
who are not active, so nothing is ever sent even without this call.)
"""

from __future__ import annotations

from sqlmodel import Session

from bot.services.checkins import cancel_for_member
from bot.services.sessions import cancel_member_reminders


def cancel_all(session: Session, member_id: int, reason: str = "member_stopped") -> None:
    cancel_for_member(session, member_id, reason)
    cancel_member_reminders(session, member_id, reason)
