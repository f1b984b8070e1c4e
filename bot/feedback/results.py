"""Results of a request, shown only for groups of 5 or more.

With fewer answers, even totals can point at a person ("the only 1 was
Sam's"), so below the threshold results read only "fewer than 5 answers".
For anonymous requests the single answers (and their words) are held back
from the log and exports below the threshold too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.i18n import Translator
from bot.storage.feedback_models import FeedbackItem, FeedbackRequest

ANSWER_KINDS = ("choice", "rating", "text")  # one per person; a comment comes extra


@dataclass
class Results:
    """Counts for one request. `shown` is False below the group threshold."""

    request_id: int
    question: str
    kind: str
    answered: int
    shown: bool
    counts: list[tuple[str, int]] = field(default_factory=list)
    average: float | None = None
    written: int = 0


def answer_counts(session: Session) -> dict[int, int]:
    """How many people answered each request."""
    rows = session.exec(
        select(FeedbackItem.request_id, func.count())
        .where(col(FeedbackItem.request_id).is_not(None), col(FeedbackItem.kind).in_(ANSWER_KINDS))
        .group_by(col(FeedbackItem.request_id))
    ).all()
    return {int(r): int(n) for r, n in rows if r is not None}


def held_back(session: Session, group: int) -> set[int]:
    """Anonymous requests whose single answers must not be shown yet."""
    counts = answer_counts(session)
    ids = session.exec(select(FeedbackRequest.id).where(col(FeedbackRequest.anonymous))).all()
    return {i for i in ids if i is not None and counts.get(i, 0) < group}


def request_results(session: Session, request: FeedbackRequest, group: int) -> Results:
    items = list(session.exec(
        select(FeedbackItem).where(FeedbackItem.request_id == request.id)
    ).all())
    answers = [i for i in items if i.kind in ANSWER_KINDS]
    result = Results(request.id or 0, request.question, request.kind, len(answers),
                     len(answers) >= group)
    result.written = sum(1 for i in items if i.text)
    if not result.shown:
        return result
    if request.kind == "choice":
        tally = Counter(i.choice for i in answers)
        result.counts = [(label, tally.get(n, 0)) for n, label in enumerate(request.options)]
    elif request.kind in ("rating", "rating_comment"):
        tally = Counter(i.rating for i in answers)
        result.counts = [(str(n), tally.get(n, 0)) for n in range(1, 6)]
        ratings = [i.rating for i in answers if i.rating is not None]
        result.average = round(sum(ratings) / len(ratings), 1) if ratings else None
    return result


def results_text(t: Translator, result: Results, group: int) -> str:
    """Results in words for staff, in their language."""
    lines = [t.gettext("Results for question {id}: {question}")
             .format(id=result.request_id, question=result.question)]
    if not result.shown:
        lines.append(t.gettext("Results: fewer than {n} answers so far. They will show when "
                               "{n} or more people have answered.").format(n=group))
        return "\n".join(lines)
    lines.append(t.ngettext("{n} person answered.", "{n} people answered.", result.answered)
                 .format(n=result.answered))
    lines += [f"• {label}: {count}" for label, count in result.counts]
    if result.average is not None:
        lines.append(t.gettext("Average rating: {average} out of 5.")
                     .format(average=t.number(result.average)))
    if result.written:
        lines.append(t.ngettext("{n} answer has words. See /feedback_log.",
                                "{n} answers have words. See /feedback_log.", result.written)
                     .format(n=result.written))
    return "\n".join(lines)
