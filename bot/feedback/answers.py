"""Recording answers and free feedback, named or anonymous.

Every check that makes an answer valid lives here, not in the buttons: a
button's action is client-controlled, so the request must exist, be open, be
of the right kind, the option must be in range, and the member must not have
answered already. Anything else changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from bot.feedback import MAX_TEXT
from bot.feedback.anonymity import claim_answer, has_answered, save_anonymous
from bot.storage.feedback_models import FeedbackItem, FeedbackRequest

Outcome = Literal["saved", "already", "closed", "invalid"]


def text_problem(text: str) -> Literal["empty", "long"] | None:
    """Why a typed answer can't be saved as it is, if it can't."""
    if not text.strip():
        return "empty"
    if len(text) > MAX_TEXT:
        return "long"
    return None


def answer_problem(
    request: FeedbackRequest | None, *, choice: int | None = None, rating: int | None = None,
    text: str | None = None,
) -> Outcome | None:
    """None if this answer fits this request; else why not."""
    if request is None:
        return "invalid"
    if request.status != "open":
        return "closed"
    if choice is not None:
        ok = request.kind == "choice" and 0 <= choice < len(request.options)
    elif rating is not None:
        ok = request.kind in ("rating", "rating_comment") and 1 <= rating <= 5
    elif text is not None:
        ok = request.kind == "text" and text_problem(text) is None
    else:
        ok = False
    return None if ok else "invalid"


def record_answer(
    session: Session,
    request: FeedbackRequest | None,
    member_id: int,
    now: datetime,
    *,
    choice: int | None = None,
    rating: int | None = None,
    text: str | None = None,
) -> Outcome:
    """Save one member's one answer to a request (anonymously if the request is)."""
    problem = answer_problem(request, choice=choice, rating=rating, text=text)
    if problem is not None or request is None or request.id is None:
        return problem or "invalid"
    if not claim_answer(session, request.id, member_id):
        return "already"
    kind = "choice" if choice is not None else "rating" if rating is not None else "text"
    item = FeedbackItem(
        request_id=request.id, kind=kind, choice=choice, rating=rating, text=text,
        session_id=request.session_id, project_id=request.project_id, given_on=now.date(),
    )
    _store(session, item, member_id if not request.anonymous else None, now)
    return "saved"


def add_comment(
    session: Session, request: FeedbackRequest | None, member_id: int, text: str, now: datetime
) -> Outcome:
    """The optional words after a rating.

    Named: added to the member's rating. Anonymous: stored as its own item, so
    nothing (not even us) can tie the words to the rating, or to the person.
    """
    if request is None or request.id is None or request.kind != "rating_comment":
        return "invalid"
    if request.status != "open":
        return "closed"
    if text_problem(text) is not None or not has_answered(session, request.id, member_id):
        return "invalid"
    if request.anonymous:
        item = FeedbackItem(request_id=request.id, kind="comment", text=text,
                            session_id=request.session_id, project_id=request.project_id,
                            given_on=now.date())
        _store(session, item, None, now)
        return "saved"
    rated = session.exec(
        select(FeedbackItem).where(FeedbackItem.request_id == request.id,
                                   FeedbackItem.member_id == member_id,
                                   FeedbackItem.kind == "rating")
    ).first()
    if rated is None or rated.text:
        return "already"
    rated.text = text
    session.add(rated)
    return "saved"


def give_feedback(
    session: Session,
    member_id: int,
    text: str,
    now: datetime,
    *,
    anonymous: bool,
    session_id: int | None = None,
    project_id: int | None = None,
) -> FeedbackItem | None:
    """/feedback at any time; None if the text can't be saved (see `text_problem`)."""
    if text_problem(text) is not None:
        return None
    item = FeedbackItem(kind="free", text=text, session_id=session_id, project_id=project_id,
                        given_on=now.date())
    _store(session, item, None if anonymous else member_id, now)
    return item


def _store(session: Session, item: FeedbackItem, member_id: int | None, now: datetime) -> None:
    if member_id is None:
        save_anonymous(session, item)
        return
    item.anonymous, item.member_id, item.created_at = False, member_id, now
    session.add(item)
    session.flush()


def open_request(session: Session, request_id: int) -> FeedbackRequest | None:
    return session.exec(
        select(FeedbackRequest).where(FeedbackRequest.id == request_id,
                                      col(FeedbackRequest.status) == "open")
    ).first()
