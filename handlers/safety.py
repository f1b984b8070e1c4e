"""STOP, PAUSE and HELP: they work from any state, in any language."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.keywords import match_keyword
from bot.core.quiet import next_allowed
from bot.core.router import Router
from bot.i18n import N_
from bot.services.member_schedule import cancel_all
from bot.storage.models import OutboxMessage, utcnow

router = Router("safety")

PAUSE_CHOICES = {"7": 7, "30": 30, "open": None}


def crisis_text(ctx: Context) -> str:
    lines = [ctx._("If you need help now, please contact:")]
    lines += [f"• {contact}" for contact in ctx.settings.crisis_contacts]
    lines.append(ctx._("This bot is not for emergencies. A person reads messages {hours}.")
                 .format(hours=ctx.settings.staff_reply_hours))
    return "\n".join(lines)


@router.intercept
def safety_words(event: Event, ctx: Context) -> bool:
    if event.kind != "message":
        return False
    word = match_keyword(event.text)
    if word == "help":
        ctx.reply(crisis_text(ctx))
    elif word == "stop":
        stop_everything(ctx)
    elif word == "pause":
        offer_pause(ctx)
    return word is not None


def stop_everything(ctx: Context) -> None:
    """STOP: no more messages from us, at once, until they come back."""
    ctx.member.status = "stopped"
    ctx.session.add(ctx.member)
    ctx.state.clear()
    ctx.session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.member_id) == ctx.member.id,
               col(OutboxMessage.status).in_(["pending", "claimed"]),
               or_(col(OutboxMessage.source_event_id).is_(None),
                   col(OutboxMessage.source_event_id) != ctx.event_id))
        .values(status="cancelled", last_error="member said stop")
    )
    assert ctx.member.id is not None
    cancel_all(ctx.session, ctx.member.id)
    ctx.reply(ctx._("OK. I will not send you any more messages. "
                    "Send /start if you want to come back. Send HELP for support."))


def offer_pause(ctx: Context) -> None:
    ctx.reply(
        ctx._("How long would you like a break from messages?"),
        [[Button(ctx._("1 week"), "pause:7"), Button(ctx._("1 month"), "pause:30")],
         [Button(ctx._("Until I say"), "pause:open")]],
    )


@router.command("pause", description=N_("Take a break from messages"))
def pause_command(event: Event, ctx: Context) -> None:
    offer_pause(ctx)


@router.button("pause:")
def pause_chosen(event: Event, ctx: Context) -> None:
    choice = (event.action or "").split(":", 1)[1]
    if choice not in PAUSE_CHOICES:
        ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))
        return
    days = PAUSE_CHOICES[choice]
    # "Until I say" is a pause with no end: far in the future, ended by /resume.
    until = utcnow() + timedelta(days=days if days else 36500)
    ctx.member.paused_until = until
    ctx.session.add(ctx.member)
    retime_queued(ctx, until)
    if days:
        ctx.reply(ctx._("Your break has started. I will not message you until {date}. "
                        "Send /resume to come back sooner.").format(date=ctx.t.date(until)))
    else:
        ctx.reply(ctx._("Your break has started. Send /resume when you want messages again."))


@router.command("resume", description=N_("End your break"))
def resume(event: Event, ctx: Context) -> None:
    ctx.member.paused_until = None
    if ctx.member.status == "stopped":
        ctx.member.status = "active"
    ctx.session.add(ctx.member)
    retime_queued(ctx, next_allowed(ctx.member, utcnow()) or utcnow(), only_later=True)
    ctx.reply(ctx._("Welcome back. Your messages are on again."))


def retime_queued(ctx: Context, when: datetime, *, only_later: bool = False) -> None:
    """Move this member's queued messages (not this reply) to `when`.

    A pause holds back everything already queued, broadcasts included; ending
    it brings held messages forward to the next time outside quiet hours.
    """
    rows = ctx.session.exec(
        select(OutboxMessage).where(
            col(OutboxMessage.member_id) == ctx.member.id,
            col(OutboxMessage.status) == "pending",
            or_(col(OutboxMessage.source_event_id).is_(None),
                col(OutboxMessage.source_event_id) != ctx.event_id),
        )
    ).all()
    for row in rows:
        if only_later and row.not_before <= when:
            continue
        if not only_later and row.not_before >= when:
            continue
        row.not_before = when
        ctx.session.add(row)
