"""The audit log: every view of personal data and every change, by ids only.

Rows are written in the same transaction as the change they describe, so a
change without its audit row (or the reverse) cannot be committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.storage.dashboard_models import DashboardAuditLog

ACTIONS = ("view", "change", "login", "logout", "export")


def record(
    db: Session,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: object = None,
    *,
    subject_id: int | None = None,
    at: datetime | None = None,
    **detail: Any,
) -> DashboardAuditLog:
    """Add one audit row. `detail` holds ids, codes and counts, never text people wrote."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    row = DashboardAuditLog(
        actor_id=actor_id, action=action, target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:64],
        subject_id=subject_id, detail=detail,
    )
    if at is not None:
        row.at = at
    db.add(row)
    return row


def recent(db: Session, *, limit: int = 100, offset: int = 0,
           actor_id: int | None = None, subject_id: int | None = None) -> list[DashboardAuditLog]:
    query = select(DashboardAuditLog)
    if actor_id is not None:
        query = query.where(col(DashboardAuditLog.actor_id) == actor_id)
    if subject_id is not None:
        query = query.where(col(DashboardAuditLog.subject_id) == subject_id)
    query = query.order_by(col(DashboardAuditLog.id).desc()).offset(offset).limit(limit)
    return list(db.exec(query).all())
