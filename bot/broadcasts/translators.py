"""Members who offered to help translate updates, and who can take a request.

Offering is opt-in, per language, from /profile or onboarding. A member can
translate from one language into another when both are among the languages
they offered or their own language, and they offered at least one.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, delete, select

from bot.storage.broadcast_models import TranslatorLanguage
from bot.storage.models import Member


def offered_languages(session: Session, member_id: int) -> list[str]:
    rows = session.exec(select(TranslatorLanguage.language)
                        .where(col(TranslatorLanguage.member_id) == member_id)
                        .order_by(col(TranslatorLanguage.language)))
    return list(rows.all())


def toggle_language(session: Session, member_id: int, language: str) -> bool:
    """Offer a language, or take the offer back; True when it is now offered."""
    row = session.get(TranslatorLanguage, (member_id, language))
    if row is not None:
        session.delete(row)
        session.flush()
        return False
    session.add(TranslatorLanguage(member_id=member_id, language=language))
    session.flush()
    return True


def clear_languages(session: Session, member_id: int) -> None:
    session.execute(delete(TranslatorLanguage)
                    .where(col(TranslatorLanguage.member_id) == member_id))


def set_languages(session: Session, member_id: int, languages: list[str]) -> None:
    """Offer exactly these languages (none: no offer)."""
    clear_languages(session, member_id)
    for language in dict.fromkeys(languages):
        session.add(TranslatorLanguage(member_id=member_id, language=language))
    session.flush()


def can_translate(member: Member, offered: list[str], source: str, target: str) -> bool:
    return bool(offered) and {source, target} <= {*offered, member.language}


def eligible_translators(session: Session, source: str, target: str,
                         exclude: set[int] | None = None) -> list[Member]:
    """Active, opted-in members who know both languages, by id."""
    offers: dict[int, list[str]] = defaultdict(list)
    for row in session.exec(select(TranslatorLanguage)):
        offers[row.member_id].append(row.language)
    if not offers:
        return []
    members = session.exec(select(Member).where(col(Member.id).in_(list(offers)),
                                                col(Member.status) == "active")
                           .order_by(col(Member.id)))
    return [m for m in members if m.id is not None and m.id not in (exclude or set())
            and can_translate(m, offers[m.id], source, target)]
