"""Safeguarding alerts: open, contacted and closed, with notes and one-click acknowledgement.

Acknowledging stops the escalation clock: someone has it. It does what the
chat button does (`handlers/safeguarding.py`): the member is told someone has
seen their message and the other people alerted are told who picked it up.
There is no shared service for that yet; `acknowledge` below mirrors the
handler with the same wording, and should move into `bot.services.safeguarding`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select
from starlette.responses import Response

from bot.core.events import OutgoingMessage
from bot.core.quiet import next_allowed
from bot.core.reach import queue_to_member
from bot.core.text import parse_id
from bot.i18n import N_, I18n
from bot.storage.models import Member
from bot.web.dashboard.features import optional
from bot.web.dashboard.pages_members import rows_for
from bot.web.dashboard.web import PageError, WebContext

STATUSES = ("open", "contacted", "closed")
# The same words as the chat button in handlers/safeguarding.py.
PICKED_UP = N_("Alert {id} has been picked up by {name}.")
SEEN = N_("Someone from the team has seen your message. "
          "They will contact you. Send HELP if you need support now.")
MAX_NOTE = 2000


def _models() -> Any | None:
    return optional("bot.storage.safeguarding_models")


def alerts_page(ctx: WebContext) -> Response:
    models = _models()
    if models is None:
        return ctx.render("not_ready.html", title_key="alerts")
    alert = models.SafeguardingAlert
    wanted = ctx.arg("status")
    statuses = (wanted,) if wanted in STATUSES else ("open", "contacted")
    page = parse_id(ctx.arg("page")) or 1
    size = ctx.cfg.page_size
    rows = list(ctx.db.exec(
        select(alert).where(col(alert.status).in_(statuses))
        .order_by(col(alert.created_at).desc(), col(alert.id).desc())
        .offset((page - 1) * size).limit(size + 1)).all())
    counts = dict(ctx.db.exec(select(alert.status, func.count()).group_by(alert.status)).all())
    ids = {a.member_id for a in rows[:size]}
    names = dict(ctx.db.exec(select(Member.id, Member.display_name)
                             .where(col(Member.id).in_(ids))).all()) if ids else {}
    ctx.audit("view", "alert_list", None, count=len(rows[:size]), page=page)
    return ctx.render("alerts.html", alerts=rows[:size], names=names, counts=counts,
                      statuses=STATUSES, query={"status": wanted}, page=page,
                      has_more=len(rows) > size)


def _alert(ctx: WebContext) -> tuple[Any, Any]:
    models = _models()
    if models is None:
        raise PageError(404)
    found = ctx.db.get(models.SafeguardingAlert, int(ctx.request.path_params["alert_id"]))
    if found is None:
        raise PageError(404)
    return models, found


def alert_page(ctx: WebContext) -> Response:
    models, alert = _alert(ctx)
    note = models.SafeguardingNote
    notes = list(ctx.db.exec(select(note).where(col(note.alert_id) == alert.id)
                             .order_by(col(note.id))).all())
    authors = {n.author_id for n in notes if n.author_id} | {alert.acknowledged_by or 0}
    names = dict(ctx.db.exec(select(Member.id, Member.display_name)
                             .where(col(Member.id).in_(authors))).all())
    member = ctx.db.get(Member, alert.member_id)
    person = rows_for(ctx.db, [member], ctx.cfg.now())[0] if member else None
    ctx.audit("view", "alert", alert.id, subject_id=alert.member_id)
    return ctx.render("alert.html", alert=alert, notes=notes, names=names, person=person,
                      statuses=STATUSES, notice=ctx.arg("done"))


def alert_change(ctx: WebContext) -> Response:
    models, alert = _alert(ctx)
    now, op = ctx.cfg.now(), ctx.field("op")
    if op == "ack":
        acknowledge(ctx.db, ctx.dash.bot_app.i18n, alert, ctx.actor_id, now)
    elif op == "status" and ctx.field("status") in STATUSES:
        status = ctx.field("status")
        if status != "open" and alert.acknowledged_at is None:  # as the chat does: no messages
            acknowledge(ctx.db, ctx.dash.bot_app.i18n, alert, ctx.actor_id, now, tell=False)
        alert.status, alert.updated_at = status, now
        alert.closed_at = now if status == "closed" else None
        if status == "closed":
            alert.next_escalation_at = None
    elif op == "note" and 0 < len(ctx.field("note")) <= MAX_NOTE:
        ctx.db.add(models.SafeguardingNote(alert_id=alert.id, author_id=ctx.actor_id,
                                           text=ctx.field("note"), created_at=now))
    else:
        return ctx.redirect("alert", {"done": "problem"}, alert_id=alert.id)
    ctx.db.add(alert)
    ctx.audit("change", "alert", alert.id, subject_id=alert.member_id, op=op,
              status=alert.status)
    return ctx.redirect("alert", {"done": "saved"}, alert_id=alert.id)


def acknowledge(db: Session, i18n: I18n, alert: Any, staff_id: int | None,
                now: datetime, *, tell: bool = True) -> None:
    """Someone has it: record who and when, stop escalating, tell the people involved."""
    first = alert.acknowledged_at is None
    if first:
        alert.acknowledged_by, alert.acknowledged_at = staff_id, now
    alert.next_escalation_at, alert.updated_at = None, now
    db.add(alert)
    if not first or not tell:
        return
    staff = db.get(Member, staff_id) if staff_id else None
    name = (staff.display_name if staff else None) or f"#{staff_id}"
    for other in alert.notified or []:
        if other != staff_id:
            _tell(db, i18n, other, PICKED_UP, now, urgent=True, id=alert.id, name=name)
    _tell(db, i18n, alert.member_id, SEEN, now)


def _tell(db: Session, i18n: I18n, member_id: int, text: str, now: datetime,
          urgent: bool = False, **values: object) -> None:
    """Message someone in their own language, through the outbox, respecting STOP and pauses."""
    member = db.get(Member, member_id)
    when = next_allowed(member, now, urgent=urgent) if member else None
    if member is None or when is None:
        return
    t = i18n.translator(member.language, member.timezone)
    queue_to_member(db, member, OutgoingMessage(t.gettext(text).format(**values)), when)
