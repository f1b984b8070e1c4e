"""Conversation state, kept in the database and keyed by member."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.storage.models import ConversationState, utcnow

_NOT_GIVEN: Any = object()


class StateView:
    """Read and change where a member is in a conversation.

    Changes are written to the session, so they commit with the replies they
    cause: a crash either keeps both or neither.
    """

    def __init__(self, session: Session, member_id: int,
                 row: ConversationState | None = _NOT_GIVEN) -> None:
        """`row` is the member's state row (or None: they have none) when the
        caller already read it in this session; otherwise it is read here."""
        self._session = session
        self._member_id = member_id
        self._row = session.get(ConversationState, member_id) if row is _NOT_GIVEN else row

    @property
    def flow(self) -> str | None:
        return self._row.flow if self._row else None

    @property
    def step(self) -> str | None:
        return self._row.step if self._row else None

    @property
    def data(self) -> dict[str, Any]:
        return dict(self._row.data) if self._row and self._row.data else {}

    def go(self, flow: str, step: str, **updates: Any) -> None:
        """Move to `flow`/`step`, merging `updates` into the saved data."""
        row = self._ensure()
        if row.flow != flow:
            row.data = {}
        row.flow, row.step = flow, step
        row.data = {**(row.data or {}), **updates}
        row.updated_at = utcnow()
        self._session.add(row)

    def clear(self) -> None:
        row = self._ensure()
        row.flow, row.step, row.data = None, None, {}
        row.updated_at = utcnow()
        self._session.add(row)

    def _ensure(self) -> ConversationState:
        if self._row is None:
            self._row = ConversationState(member_id=self._member_id, data={})
        return self._row
