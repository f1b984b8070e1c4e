"""Finding members from platform identities, and their roles."""

from __future__ import annotations

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.storage.models import ROLES, ConversationState, Identity, Member, MemberRole


def find_identity(session: Session, platform: str, user_id: str) -> Identity | None:
    return session.exec(
        select(Identity).where(Identity.platform == platform, Identity.user_id == user_id)
    ).first()


def resolve_member(
    session: Session,
    platform: str,
    user_id: str,
    chat_id: str,
    *,
    default_language: str,
    default_timezone: str,
) -> tuple[Member, Identity]:
    """The member behind a platform account, created on first contact.

    Only the platform ids are stored at this point; anything personal waits
    for consent.
    """
    member, identity, _ = resolve_member_and_state(
        session, platform, user_id, chat_id,
        default_language=default_language, default_timezone=default_timezone)
    return member, identity


def resolve_member_and_state(
    session: Session,
    platform: str,
    user_id: str,
    chat_id: str,
    *,
    default_language: str,
    default_timezone: str,
) -> tuple[Member, Identity, ConversationState | None]:
    """`resolve_member`, plus the member's conversation state row (None when
    they have none), all in one round trip: this runs for every event."""
    found = session.exec(
        select(Identity, Member, ConversationState)
        .join(Member, Member.id == Identity.member_id)  # type: ignore[arg-type]
        .outerjoin(ConversationState,
                   ConversationState.member_id == Member.id)  # type: ignore[arg-type]
        .where(Identity.platform == platform, Identity.user_id == user_id)
    ).first()
    if found is not None:
        identity, member, state = found
        if identity.chat_id != chat_id and chat_id:
            identity.chat_id = chat_id
            session.add(identity)
        return member, identity, state
    chat_id = chat_id or user_id  # first contact from a group: their DM chat, if any
    member = Member(language=default_language, timezone=default_timezone)
    session.add(member)
    session.flush()
    assert member.id is not None
    identity = Identity(member_id=member.id, platform=platform, user_id=user_id, chat_id=chat_id)
    session.add(identity)
    session.flush()
    return member, identity, None


def roles_of(session: Session, member_id: int) -> frozenset[str]:
    rows = session.exec(select(MemberRole.role).where(MemberRole.member_id == member_id)).all()
    return frozenset(rows) | {"member"}


def role_holders(role: str) -> SelectOfScalar[int]:
    """Ids of the members an audience "role:NAME" reaches: holders of the role and
    admins, who count as holding every role (as `Context.has_role` counts them)."""
    return select(MemberRole.member_id).where(col(MemberRole.role).in_([role, "admin"]))


def grant_role(session: Session, member_id: int, role: str) -> bool:
    """Give `role`; False when it was already held. Unknown roles are refused."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    if role == "member" or session.get(MemberRole, (member_id, role)) is not None:
        return False
    session.add(MemberRole(member_id=member_id, role=role))
    return True


def revoke_role(session: Session, member_id: int, role: str) -> bool:
    row = session.get(MemberRole, (member_id, role))
    if row is None:
        return False
    session.delete(row)
    return True
