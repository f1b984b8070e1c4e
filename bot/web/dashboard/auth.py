"""Login links, passwords, web sessions, CSRF tokens and failed-login limits.

Plain database functions (no web framework), so the chat handler and the CLI
can create login links too. Secrets are random, shown once, and stored only as
SHA-256 hashes; passwords are argon2 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from bot.core.members import roles_of
from bot.storage.dashboard_models import (
    DashboardLoginAttempt,
    DashboardLoginToken,
    DashboardPassword,
    DashboardSession,
)
from bot.storage.models import Member
from bot.web.dashboard.config import LINK_VALID_FOR, DashboardConfig, can_log_in

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not say who exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
GONE = ("erased", "left")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def aware(value: datetime) -> datetime:
    """SQLite hands back naive UTC; PostgreSQL aware. Compare both as aware UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def dashboard_roles(db: Session, member_id: int) -> frozenset[str]:
    """The member's roles, or nothing when they may not use the dashboard at all."""
    member = db.get(Member, member_id)
    if member is None or member.status in GONE:
        return frozenset()
    roles = roles_of(db, member_id)
    return roles if can_log_in(roles) else frozenset()


# --- one-time login links -------------------------------------------------------------


def create_login_token(db: Session, member_id: int, now: datetime) -> str:
    """A fresh single-use token for `member_id`; only its hash is stored."""
    db.execute(delete(DashboardLoginToken).where(
        col(DashboardLoginToken.member_id) == member_id, col(DashboardLoginToken.expires_at) < now
    ))
    token = secrets.token_urlsafe(32)
    db.add(DashboardLoginToken(token_hash=digest(token), member_id=member_id, created_at=now,
                               expires_at=now + LINK_VALID_FOR))
    return token


def peek_login_token(db: Session, token: str, now: datetime) -> bool:
    """Is this link still usable? Looking does not use it up (link previews look too)."""
    row = db.exec(select(DashboardLoginToken).where(
        col(DashboardLoginToken.token_hash) == digest(token))).first()
    return row is not None and row.used_at is None and aware(row.expires_at) > now


def consume_login_token(db: Session, token: str, now: datetime) -> int | None:
    """Use the link up and return its member id; None if unknown, used or expired.

    One UPDATE with the conditions in its WHERE makes it single-use even when
    two requests race.
    """
    token_hash = digest(token)
    result = db.execute(
        update(DashboardLoginToken)
        .where(col(DashboardLoginToken.token_hash) == token_hash,
               col(DashboardLoginToken.used_at).is_(None),
               col(DashboardLoginToken.expires_at) > now)
        .values(used_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.exec(select(DashboardLoginToken.member_id).where(
        col(DashboardLoginToken.token_hash) == token_hash)).one()


# --- passwords -----------------------------------------------------------------------


def set_password(db: Session, member_id: int, username: str, password: str,
                 now: datetime) -> None:
    """Store an argon2 hash of an admin-chosen password; the old one stops working."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    taken = db.exec(select(DashboardPassword).where(
        col(DashboardPassword.username) == username,
        col(DashboardPassword.member_id) != member_id)).first()
    if taken is not None:
        raise ValueError("that username is taken")
    row = db.get(DashboardPassword, member_id) or DashboardPassword(
        member_id=member_id, username=username, password_hash="")
    row.username, row.password_hash, row.set_at = username, _hasher.hash(password), now
    db.add(row)


def check_password(db: Session, username: str, password: str) -> int | None:
    """The member id when username and password match; None otherwise."""
    row = db.exec(select(DashboardPassword).where(
        col(DashboardPassword.username) == username.strip())).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
        db.add(row)
    return row.member_id


# --- sessions and CSRF -----------------------------------------------------------------


def create_session(db: Session, member_id: int, method: str, cfg: DashboardConfig) -> str:
    """A new session (never reusing an old id, so a planted cookie cannot be fixed)."""
    now = cfg.now()
    token = secrets.token_urlsafe(32)
    db.add(DashboardSession(token_hash=digest(token), member_id=member_id, method=method,
                            created_at=now, last_seen_at=now,
                            expires_at=now + timedelta(hours=cfg.session_hours)))
    return token


def load_session(db: Session, token: str, cfg: DashboardConfig) -> DashboardSession | None:
    """The live session behind a cookie, touched at most once a minute."""
    row = db.exec(select(DashboardSession).where(
        col(DashboardSession.token_hash) == digest(token))).first()
    now = cfg.now()
    if row is None or row.revoked_at is not None or aware(row.expires_at) <= now:
        return None
    if aware(row.last_seen_at) + timedelta(minutes=cfg.idle_minutes) <= now:
        return None
    if now - aware(row.last_seen_at) > timedelta(minutes=1):
        row.last_seen_at = now
        db.add(row)
    return row


def revoke_session(db: Session, token: str, now: datetime) -> None:
    db.execute(update(DashboardSession)
               .where(col(DashboardSession.token_hash) == digest(token))
               .values(revoked_at=now))


def csrf_token(session_token: str) -> str:
    """Bound to the session secret, so it cannot be read from the database or guessed."""
    return hmac.new(session_token.encode(), b"dashboard-csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(session_token), str(given))


# --- failed-login limits -----------------------------------------------------------------


def attempt_keys(username: str | None, client: str | None) -> list[tuple[str, int]]:
    """Hashed keys and their weight: a shared address gets more room than one account."""
    keys = [(digest(f"client:{client or '-'}"), 4)]
    if username:
        keys.append((digest(f"user:{username.strip().lower()}"), 1))
    return keys


def is_limited(db: Session, keys: list[tuple[str, int]], cfg: DashboardConfig) -> bool:
    since = cfg.now() - timedelta(minutes=cfg.login_window_minutes)
    for key, weight in keys:
        count = db.exec(select(func.count()).select_from(DashboardLoginAttempt).where(
            col(DashboardLoginAttempt.key_hash) == key,
            col(DashboardLoginAttempt.at) > since)).one()
        if count >= cfg.login_max_failures * weight:
            return True
    return False


def record_failure(db: Session, keys: list[tuple[str, int]], cfg: DashboardConfig) -> None:
    """Count a failure; forget failures older than a day so the table stays small."""
    now = cfg.now()
    db.execute(delete(DashboardLoginAttempt).where(
        col(DashboardLoginAttempt.at) < now - timedelta(days=1)))
    for key, _weight in keys:
        db.add(DashboardLoginAttempt(key_hash=key, at=now))


def clear_failures(db: Session, username: str) -> None:
    key = attempt_keys(username, None)[-1][0]
    db.execute(delete(DashboardLoginAttempt).where(col(DashboardLoginAttempt.key_hash) == key))
