"""Who an update goes to: active members matching any of its audiences.

Only `active` members are included: STOP, leaving and erasure take a person
out of every audience. A `group:` audience names a project group of the
sessions feature.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.broadcasts.spec import BroadcastError
from bot.core.members import role_holders
from bot.storage.broadcast_models import BroadcastRecipient
from bot.storage.models import Member
from bot.storage.session_models import GroupMember, ProjectGroup


def group_names(session: Session) -> list[tuple[int, str]]:
    """Every project group as (id, name), for the chat flow's buttons."""
    query = select(ProjectGroup.id, ProjectGroup.name).order_by(col(ProjectGroup.name))
    return [(i, name) for i, name in session.exec(query).all() if i is not None]


def check_groups_exist(session: Session, audience: list[str]) -> None:
    """Refuse a `group:` audience naming a group we don't have."""
    wanted = [a.partition(":")[2] for a in audience if a.startswith("group:")]
    if not wanted:
        return
    names = {name for _, name in group_names(session)}
    for name in wanted:
        if name not in names:
            raise BroadcastError(f"audience 'group:{name}': there is no project group "
                                 f"called {name!r}")


def _condition(spec: str) -> ColumnElement[bool] | None:
    """SQL for one audience; None means everyone."""
    kind, _, value = spec.partition(":")
    if kind == "everyone" or (kind == "role" and value == "member"):
        return None
    if kind == "role":
        return col(Member.id).in_(role_holders(value))
    if kind == "language":
        return col(Member.language) == value
    if kind == "group":
        in_group = (select(GroupMember.member_id)
                    .join(ProjectGroup, col(ProjectGroup.id) == GroupMember.group_id)
                    .where(ProjectGroup.name == value))
        return col(Member.id).in_(in_group)
    raise BroadcastError(f"audience {spec!r} is not understood")


def audience_query(audience: list[str]) -> SelectOfScalar[Member]:
    """Active members in any of `audience`, by id."""
    query = select(Member).where(col(Member.status) == "active")
    conditions = [_condition(spec) for spec in audience]
    if conditions and all(c is not None for c in conditions):
        query = query.where(or_(*[c for c in conditions if c is not None]))
    return query.order_by(col(Member.id))


def members_batch(session: Session, audience: list[str], *, after_id: int, limit: int
                  ) -> list[Member]:
    """The next `limit` audience members after `after_id` (keyset paging)."""
    query = audience_query(audience).where(col(Member.id) > after_id).limit(limit)
    return list(session.exec(query).all())


def already_recipients(session: Session, broadcast_id: int, member_ids: list[int]) -> set[int]:
    """Which of these members already have a row for this broadcast.

    Asked for one batch's ids (an index lookup) rather than as a NOT EXISTS on
    the audience query: on a table that has just grown, PostgreSQL's stale
    statistics turned that into a nested loop taking a quarter second a batch.
    """
    if not member_ids:
        return set()
    rows = session.exec(select(BroadcastRecipient.member_id).where(
        col(BroadcastRecipient.broadcast_id) == broadcast_id,
        col(BroadcastRecipient.member_id).in_(member_ids)))
    return set(rows.all())
