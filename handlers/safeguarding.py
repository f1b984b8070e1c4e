"""Safeguarding staff: acknowledge an alert with one tap, record contact, add notes.

Acknowledging stops the escalation clock. Everyone else who was sent the
alert is told who picked it up, so nobody contacts the member twice by
accident, and the member is told a person has seen it.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.text import parse_id
from bot.i18n import N_
from bot.services import safeguarding as service
from bot.services.safeguarding import may_handle
from bot.storage.models import Member, utcnow
from bot.storage.safeguarding_models import SafeguardingAlert, SafeguardingNote

router = Router("safeguarding")

STATUS_WORDS = {"open": N_("open"), "contacted": N_("contacted"), "closed": N_("closed")}


def _alert(event: Event, ctx: Context) -> SafeguardingAlert | None:
    """The alert a button names, if this person may act on it; else None."""
    tail = (event.action or "").rsplit(":", 1)[-1]
    number = parse_id(tail)
    alert = ctx.session.get(SafeguardingAlert, number) if number is not None else None
    if alert is None or ctx.member.id is None or not may_handle(alert, ctx.member.id, ctx.roles):
        ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))
        return None
    return alert


def _name(ctx: Context, member_id: int | None) -> str:
    member = ctx.session.get(Member, member_id) if member_id else None
    return (member.display_name if member else None) or ctx._("Member {id}").format(
        id=member_id)


def _status_buttons(ctx: Context, alert_id: int) -> list[list[Button]]:
    return [[Button(ctx._("Contacted"), f"sg:contacted:{alert_id}"),
             Button(ctx._("Close"), f"sg:close:{alert_id}")]]


@router.button("sg:ack:")
def acknowledge(event: Event, ctx: Context) -> None:
    alert = _alert(event, ctx)
    if alert is None:
        return
    assert alert.id is not None
    if not service.acknowledge(ctx.session, ctx.i18n, alert, ctx.member.id, utcnow()):
        ctx.reply(ctx._("{name} already picked up alert {id}. Thank you.").format(
            name=_name(ctx, alert.acknowledged_by), id=alert.id))
        return
    ctx.reply(ctx._("Thank you. You have picked up alert {id}. Please contact them soon. "
                    "Tap Contacted when you have.").format(id=alert.id),
              _status_buttons(ctx, alert.id))


@router.button("sg:contacted:")
def contacted(event: Event, ctx: Context) -> None:
    _set_status(event, ctx, "contacted")


@router.button("sg:close:")
def close(event: Event, ctx: Context) -> None:
    _set_status(event, ctx, "closed")


def _set_status(event: Event, ctx: Context, status: str) -> None:
    alert = _alert(event, ctx)
    if alert is None:
        return
    service.set_status(ctx.session, ctx.i18n, alert, status, ctx.member.id, utcnow())
    ctx.reply(ctx._("Alert {id} is now {status}. You can add a note with "
                    "/alert_note {id} followed by your note.").format(
                        id=alert.id, status=ctx._(STATUS_WORDS[status])),
              [] if status == "closed" else _status_buttons(ctx, alert.id or 0))


@router.command("alerts", roles=("safeguarding",),
                description=N_("See safeguarding alerts that are not closed"))
def list_alerts(event: Event, ctx: Context) -> None:
    alerts = ctx.session.exec(
        select(SafeguardingAlert).where(col(SafeguardingAlert.status) != "closed")
        .order_by(col(SafeguardingAlert.created_at)).limit(20)
    ).all()
    if not alerts:
        ctx.reply(ctx._("There are no open safeguarding alerts."))
        return
    for alert in alerts:
        assert alert.id is not None
        text = ctx._("Alert {id}: {name}, {when}, {status}.").format(
            id=alert.id, name=_name(ctx, alert.member_id),
            when=ctx.t.datetime(alert.created_at, "d MMMM, HH:mm"),
            status=ctx._(STATUS_WORDS.get(alert.status, alert.status)))
        buttons = _status_buttons(ctx, alert.id)
        if alert.acknowledged_at is None:
            buttons = [[Button(ctx._("Acknowledge"), f"sg:ack:{alert.id}")], *buttons]
        ctx.reply(text, buttons)


@router.command("alert_note", roles=("safeguarding",),
                description=N_("Add a note to a safeguarding alert"))
def alert_note(event: Event, ctx: Context) -> None:
    head, _, text = event.args.partition(" ")
    number = parse_id(head)
    alert = ctx.session.get(SafeguardingAlert, number) if number is not None else None
    if alert is None or alert.id is None or not text.strip():
        ctx.reply(ctx._("Please send /alert_note, the alert number, then your note. "
                        "For example: /alert_note 12 Called them, they are OK."))
        return
    ctx.session.add(SafeguardingNote(alert_id=alert.id, author_id=ctx.member.id,
                                     text=text.strip()[:2000]))
    alert.updated_at = utcnow()
    ctx.session.add(alert)
    ctx.reply(ctx._("Thank you. I have added your note to alert {id}.").format(id=alert.id))
