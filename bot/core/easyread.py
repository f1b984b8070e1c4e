"""A member's translator, with Easy Read switched on when they asked for it.

Communication needs are asked once in onboarding and then respected
everywhere: handlers (through the dispatcher) and scheduled messages alike.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.i18n import I18n, Translator
from bot.storage.models import Member


def wants_easy_read(session: Session, member_id: int | None) -> bool:
    from bot.storage.profile_models import Profile

    profile = session.get(Profile, member_id) if member_id is not None else None
    return bool(profile and "easy_read" in (profile.needs or []))


def member_translator(i18n: I18n, session: Session, member: Member) -> Translator:
    return i18n.translator(member.language, member.timezone,
                           easy=wants_easy_read(session, member.id))
