"""One-time codes: linking a second platform account, and team invites.

Codes are 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
so about 8.5 x 10^11 possibilities. Only a SHA-256 hash is stored. A code
works once and expires. Five wrong codes lock a member out of entering codes
for ten minutes, so guessing is hopeless.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Column, Table, UniqueConstraint, and_, delete, exists, tuple_, update
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, col, select

from bot.privacy import delete_cascade, member_tables
from bot.storage import load_all_models
from bot.storage.models import ROLES, ConversationState, Identity, Member, utcnow
from bot.storage.profile_models import CodeAttempts, OneTimeCode

if TYPE_CHECKING:
    from bot.config import Settings

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
LINK_VALID_FOR = timedelta(minutes=10)
INVITE_VALID_FOR = timedelta(hours=48)
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=10)
INVITABLE_ROLES = tuple(r for r in ROLES if r != "member")
# Append-only ledgers whose rows may never be re-pointed to another member.
MERGE_BLOCKERS = ("payment",)

Outcome = Literal["ok", "wrong", "locked", "own"]


@dataclass(frozen=True)
class Redeemed:
    outcome: Outcome
    code: OneTimeCode | None = None
    locked_until: datetime | None = None


def normalise(code: str) -> str:
    """People type codes with spaces, dashes and small letters; all are fine."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def hash_code(purpose: str, code: str) -> str:
    return hashlib.sha256(f"{purpose}:{normalise(code)}".encode()).hexdigest()


def issue_code(
    session: Session,
    purpose: str,
    member_id: int | None,
    valid_for: timedelta,
    role: str | None = None,
) -> str:
    """A new code, shown once; a member's older unused link codes stop working."""
    now = utcnow()
    if purpose == "link" and member_id is not None:
        session.execute(
            delete(OneTimeCode).where(col(OneTimeCode.purpose) == "link",
                                      col(OneTimeCode.member_id) == member_id,
                                      col(OneTimeCode.used_at).is_(None))
        )
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        digest = hash_code(purpose, code)
        taken = session.exec(select(OneTimeCode.id).where(OneTimeCode.code_hash == digest)).first()
        if taken is None:
            break
    session.add(OneTimeCode(purpose=purpose, code_hash=digest, member_id=member_id, role=role,
                            created_at=now, expires_at=now + valid_for))
    session.flush()
    return display(code)


def redeem(session: Session, purpose: str, code: str, member_id: int) -> Redeemed:
    """Use a code once. Wrong, used and expired codes all count as a failed try."""
    now = utcnow()
    guard = session.get(CodeAttempts, member_id)
    if guard is not None and guard.locked_until is not None and guard.locked_until > now:
        return Redeemed("locked", locked_until=guard.locked_until)
    row = session.exec(
        select(OneTimeCode).where(OneTimeCode.code_hash == hash_code(purpose, code),
                                  OneTimeCode.purpose == purpose)
    ).first()
    if row is not None and row.used_at is None and row.expires_at > now:
        if row.member_id == member_id:
            return Redeemed("own")
        if _claim(session, row, now):
            if guard is not None:
                session.delete(guard)
            return Redeemed("ok", row)
    return _failed(session, guard or CodeAttempts(member_id=member_id), now)


def _claim(session: Session, row: OneTimeCode, now: datetime) -> bool:
    """Mark used with a conditional UPDATE, so two uses at once cannot both win."""
    result = session.execute(
        update(OneTimeCode)
        .where(col(OneTimeCode.id) == row.id, col(OneTimeCode.used_at).is_(None))
        .values(used_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _failed(session: Session, guard: CodeAttempts, now: datetime) -> Redeemed:
    if guard.window_start is None or guard.window_start <= now - LOCKOUT:
        guard.window_start, guard.failures = now, 0
    guard.failures += 1
    locked = guard.failures >= MAX_FAILURES
    if locked:
        guard.locked_until = now + LOCKOUT
        guard.failures, guard.window_start = 0, None
    session.add(guard)
    return Redeemed("wrong", locked_until=guard.locked_until if locked else None)


def merge_blocked(session: Session, drop_id: int) -> bool:
    """True when the account has records that must never move (the payment ledger)."""
    load_all_models()
    for name in MERGE_BLOCKERS:
        table = SQLModel.metadata.tables.get(name)
        if table is not None and "member_id" in table.c and session.execute(
            table_select(table.c.member_id).where(table.c.member_id == drop_id).limit(1)
        ).first():
            return True
    return False


def merge_members(session: Session, keep_id: int, drop_id: int) -> None:
    """Join `drop` into `keep`: identities, consents, messages and roles move over.

    `keep` made the link code, so where both have a row that can exist only
    once (a profile, a check-in plan, the same role twice) keep's row wins and
    drop's goes. Everything else moves. Callers check `merge_blocked` first.
    """
    session.flush()
    state = session.get(ConversationState, drop_id)
    if state is not None:
        session.delete(state)
    for identity in session.exec(select(Identity).where(Identity.member_id == drop_id)).all():
        identity.member_id = keep_id
        session.add(identity)
    session.flush()
    for table in member_tables():
        if table.name in ("identity", "conversationstate") or table.name in MERGE_BLOCKERS:
            continue
        member_id = table.c.member_id
        for unique in _unique_sets(table):
            others = [c for c in unique if c.name != "member_id"]
            clash = (exists_for(table, keep_id) if not others else
                     tuple_(*others).in_(table_select(*others).where(member_id == keep_id)))
            delete_cascade(session, table, and_(member_id == drop_id, clash))
        session.execute(update(table).where(member_id == drop_id).values(member_id=keep_id))
    dropped = session.get(Member, drop_id)
    if dropped is not None:
        session.delete(dropped)
    session.flush()


def _unique_sets(table: Table) -> list[list[Column[Any]]]:
    """Column sets that must be unique and include member_id (the primary key too)."""
    sets = [list(table.primary_key.columns)]
    sets += [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    sets += [list(i.columns) for i in table.indexes if i.unique]
    return [cols for cols in sets if any(c.name == "member_id" for c in cols)]


def exists_for(table: Table, member_id: int) -> Any:
    return exists(table_select(table.c.member_id).where(table.c.member_id == member_id))


def create_invite(session: Session, role: str, created_by: int | None,
                  valid_for: timedelta = INVITE_VALID_FOR) -> str:
    if role not in INVITABLE_ROLES:
        raise ValueError(f"unknown role {role!r}; choose from {', '.join(INVITABLE_ROLES)}")
    return issue_code(session, "invite", created_by, valid_for, role=role)


def invite_from_cli(settings: Settings, role: str, hours: int | None = None) -> str:
    """`copro-bot roles invite ROLE`: print a one-time code for a new team member."""
    from bot.storage.db import make_engine, transaction

    hours = hours or settings.invite_valid_hours
    engine = make_engine(settings.database_url)  # type: ignore[attr-defined]
    with transaction(engine) as session:
        code = create_invite(session, role, None, timedelta(hours=hours))
    engine.dispose()
    return f"Invite code for {role}: {code} (works once, for {hours} hours). " \
           f"The new person sends: /join {code}"
