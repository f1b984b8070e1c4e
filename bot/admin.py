"""Admin operations behind the CLI, kept apart from argument parsing."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.config import Settings
from bot.core.members import grant_role, resolve_member, revoke_role
from bot.storage.db import make_engine
from bot.storage.models import Identity, MemberRole


def set_role(settings: Settings, platform: str, user_id: str, role: str, *, grant: bool) -> str:
    """Grant or revoke a role for a platform account (created if new)."""
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        member, _ = resolve_member(
            session, platform, user_id, user_id,
            default_language=settings.default_language,
            default_timezone=settings.default_timezone,
        )
        assert member.id is not None
        member_id = member.id
        changed = (grant_role if grant else revoke_role)(session, member_id, role)
        session.commit()
    verb = "granted" if grant else "revoked"
    if not changed:
        has = "already has" if grant else "does not have"
        return f"No change: member {member_id} {has} {role}."
    return f"Role {role} {verb} for member {member_id}."


def list_roles(settings: Settings) -> list[str]:
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        rows = session.exec(
            select(MemberRole.member_id, MemberRole.role, Identity.platform, Identity.user_id)
            .join(Identity, Identity.member_id == MemberRole.member_id)  # type: ignore[arg-type]
            .order_by(MemberRole.member_id)  # type: ignore[arg-type]
        ).all()
    return [f"member {m}\t{p}:{u}\t{r}" for m, r, p, u in rows]
