"""Feedback requests: create, send to an audience, close, and the automatic after-session send.

A request goes out as one message per member, written to the outbox for the
first moment outside their quiet hours and pauses. Each member gets the
framing in their own language; the question is the coordinator's own words.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.config import Settings, get_settings
from bot.core.easyread import member_translator
from bot.core.events import Button, OutgoingMessage
from bot.core.members import role_holders
from bot.core.reach import queue_when_allowed
from bot.core.ui import rows
from bot.feedback import min_group
from bot.feedback.links import group_id, group_members, session_info
from bot.i18n import N_, I18n, Translator
from bot.storage.db import transaction
from bot.storage.feedback_models import REQUEST_KINDS, FeedbackRequest
from bot.storage.models import ROLES, Member, utcnow

log = logging.getLogger(__name__)

MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_OPTION_CHARS = 40  # a button label must fit on a phone
RATING_LABELS = (N_("1 Very bad"), N_("2 Bad"), N_("3 OK"), N_("4 Good"), N_("5 Very good"))


def create_request(
    session: Session,
    kind: str,
    question: str,
    options: list[str] | None = None,
    *,
    anonymous: bool = False,
    session_id: int | None = None,
    project_id: int | None = None,
    auto_send: bool = False,
    created_by: int | None = None,
) -> FeedbackRequest:
    """Check and store a draft request; ValueError says what to fix."""
    if kind not in REQUEST_KINDS:
        raise ValueError(f"kind must be one of {', '.join(REQUEST_KINDS)}")
    question = " ".join((question or "").split())
    if not question or len(question) > 500:
        raise ValueError("the question must be 1 to 500 characters")
    cleaned = [" ".join(o.split()) for o in options or []]
    if kind == "choice":
        if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
            raise ValueError(f"a one-tap question needs {MIN_OPTIONS} to {MAX_OPTIONS} options")
        if any(not o or len(o) > MAX_OPTION_CHARS for o in cleaned):
            raise ValueError(f"each option must be 1 to {MAX_OPTION_CHARS} characters")
        if len({o.casefold() for o in cleaned}) != len(cleaned):
            raise ValueError("options must be different from each other")
    elif cleaned:
        raise ValueError("only a one-tap question (kind choice) has options")
    if auto_send and session_id is None:
        raise ValueError("automatic sending needs a session")
    request = FeedbackRequest(
        kind=kind, question=question, options=cleaned, anonymous=anonymous,
        session_id=session_id, project_id=project_id, auto_send=auto_send, created_by=created_by,
    )
    session.add(request)
    session.flush()
    return request


def get_request(session: Session, request_id: int) -> FeedbackRequest:
    request = session.get(FeedbackRequest, request_id)
    if request is None:
        raise LookupError(f"there is no feedback request {request_id}")
    return request


def privacy_line(t: Translator, request: FeedbackRequest, group: int) -> str:
    """Say plainly what staff will see."""
    if request.anonymous:
        return t.gettext("This is anonymous. Staff will see the answers, but not who gave "
                         "them. They only see answers once {n} or more people have answered.") \
            .format(n=group)
    return t.gettext("Staff will see your answer and your name.")


def request_message(t: Translator, request: FeedbackRequest, group: int) -> OutgoingMessage:
    """The question as one member sees it, with buttons in their language."""
    rid = request.id
    lines = [t.gettext("A quick question from the team:"), request.question]
    if request.kind == "choice":
        buttons = rows((Button(o, f"fb:c:{rid}:{i}") for i, o in enumerate(request.options)), 1)
        lines.append(t.gettext("Tap one answer."))
    elif request.kind in ("rating", "rating_comment"):
        buttons = [[Button(t.gettext(label), f"fb:r:{rid}:{n}")]
                   for n, label in enumerate(RATING_LABELS, start=1)]
        lines.append(t.gettext("Tap a number. 1 is very bad and 5 is very good."))
    else:
        buttons = [[Button(t.gettext("Answer"), f"fb:t:{rid}")]]
        lines.append(t.gettext("Tap Answer, then type a few words."))
    buttons.append([Button(t.gettext("Not now"), f"fb:skip:{rid}")])
    lines.append(privacy_line(t, request, group))
    return OutgoingMessage(text="\n\n".join(lines), buttons=buttons)


def audience_members(session: Session, audience: str) -> list[Member]:
    """Active members for "everyone", "role:NAME", "language:CODE" or "group:ID_OR_NAME"."""
    kind, _, value = audience.partition(":")
    query = select(Member).where(Member.status == "active").order_by(col(Member.id))
    if kind == "everyone" and not value:
        pass
    elif kind == "role" and value in ROLES:
        if value != "member":
            query = query.where(col(Member.id).in_(role_holders(value)))
    elif kind == "language" and value:
        query = query.where(Member.language == value)
    elif kind == "group" and value:
        found = group_id(session, value)
        if found is None:
            raise LookupError(f"there is no project group {value!r}")
        query = query.where(col(Member.id).in_(group_members(session, found) or [-1]))
    else:
        raise ValueError("audience must be everyone, role:NAME, language:CODE or group:ID")
    return list(session.exec(query).all())


def send_request(
    session: Session,
    request: FeedbackRequest,
    members: list[Member],
    i18n: I18n,
    settings: Any,
    now: datetime | None = None,
) -> int:
    """Queue the request to each member (outside quiet hours); returns how many."""
    if request.status == "closed":
        raise ValueError(f"feedback request {request.id} is closed")
    now = now or utcnow()
    group = min_group(settings)
    queued = 0
    for member in members:
        message = request_message(member_translator(i18n, session, member), request, group)
        if queue_when_allowed(session, member, message, now) is not None:
            queued += 1
    request.status = "open"
    request.sent_at = request.sent_at or now
    session.add(request)
    log.info("feedback request %s queued to %s members", request.id, queued)
    return queued


def close_request(session: Session, request: FeedbackRequest, now: datetime | None = None) -> None:
    """No more answers; buttons already sent are then refused kindly."""
    request.status = "closed"
    request.closed_at = now or utcnow()
    session.add(request)


def session_delay(settings: Settings) -> timedelta:
    """How long after a session a linked request goes out by itself."""
    return timedelta(minutes=max(0, settings.feedback_session_delay_minutes))


def send_due_session_feedback(
    app_or_engine: Any, now: datetime | None = None, *,
    settings: Settings | None = None, i18n: I18n | None = None,
) -> int:
    """Send draft, auto-send requests whose session ended `delay` ago; returns how many.

    Takes a `BotApp` (uses its engine, settings and translations) or an engine.
    Does nothing for a session the sessions feature does not know (yet).
    """
    engine: Engine = getattr(app_or_engine, "engine", app_or_engine)
    settings = settings or getattr(app_or_engine, "settings", None) or get_settings()
    i18n = i18n or getattr(app_or_engine, "i18n", None) or I18n(
        settings.locales_dir, settings.languages, settings.default_language)
    now = now or utcnow()
    sent = 0
    with transaction(engine) as session:
        due = session.exec(
            select(FeedbackRequest).where(
                col(FeedbackRequest.auto_send), FeedbackRequest.status == "draft",
                col(FeedbackRequest.session_id).is_not(None))
        ).all()
        for request in due:
            assert request.session_id is not None
            info = session_info(session, request.session_id)
            if info is None or info.ends_at + session_delay(settings) > now:
                continue
            members = list(session.exec(
                select(Member).where(col(Member.id).in_(info.attendees or [-1]),
                                     Member.status == "active")).all())
            send_request(session, request, members, i18n, settings, now)
            sent += 1
    return sent
