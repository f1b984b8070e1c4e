"""Which of a member's platform accounts a message to them should go to.

A person may link Telegram and Discord to one profile. Anything we send them
unprompted (a broadcast, a reminder, a message from the team) must arrive
once, not once per platform: on the platform they prefer while it works, and
otherwise on the oldest account that still works.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.storage.models import Identity, Member


def reachable_identities(session: Session, member_id: int) -> list[Identity]:
    """The member's accounts we can still reach, oldest link first."""
    return list(
        session.exec(
            select(Identity)
            .where(Identity.member_id == member_id, col(Identity.unreachable).is_(False))
            .order_by(col(Identity.id))
        ).all()
    )


def pick_identity(session: Session, member_id: int) -> Identity | None:
    """The one account to use: the preferred platform if reachable, else the first
    reachable one; None when every account is blocked, closed or gone."""
    identities = reachable_identities(session, member_id)
    if not identities:
        return None
    member = session.get(Member, member_id)
    preferred = member.preferred_platform if member is not None else None
    if preferred:
        for identity in identities:
            if identity.platform == preferred:
                return identity
    return identities[0]
