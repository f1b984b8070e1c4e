"""Payments, the finance side: approve, mark paid, and see what is waiting.

Only the finance role (or admin) may approve or mark paid; the router refuses
anyone else kindly before these run. The service checks again, and also
enforces the two-person rule when it is switched on.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.quiet import zone
from bot.core.router import Router
from bot.core.text import parse_id
from bot.i18n import N_
from bot.payments.calc import parse_date
from bot.payments.ledger import STATUS_LABELS, Actor, load_state
from bot.payments.messages import status_line, summary_for_staff
from bot.payments.notify import after_paid, member_label
from bot.payments.report import load_all, summarise, summary_lines
from bot.payments.service import Outcome, approve_payment, mark_paid
from bot.storage.models import utcnow
from bot.storage.payment_models import Payment

router = Router("payments_finance")

FINANCE = ("finance",)
WAITING_SHOWN = 15


def actor(ctx: Context) -> Actor:
    return Actor(member_id=ctx.member.id, roles=ctx.roles)


def two_people(ctx: Context) -> bool:
    return bool(getattr(ctx.settings, "payments_two_person_approval", True))


def refusal(ctx: Context, outcome: Outcome, payment_id: int) -> str:
    if outcome.reason == "not_found":
        return ctx._("I can't find payment #{id}.").format(id=payment_id)
    if outcome.reason == "not_allowed":
        return ctx._("Sorry, only the finance team can do that.")
    if outcome.reason == "same_person":
        return ctx._("Someone else needs to do this step for payment #{id}, because you "
                     "recorded it or it is for you.").format(id=payment_id)
    status = outcome.state.status if outcome.state else "recorded"
    if outcome.reason == "duplicate":
        return ctx._("That is already done for payment #{id}. Nothing has changed.").format(
            id=payment_id)
    return ctx._("Payment #{id} is not ready for that. Its status is: {status}.").format(
        id=payment_id, status=ctx._(STATUS_LABELS[status]))


def _approve(ctx: Context, payment_id: int) -> None:
    outcome = approve_payment(ctx.session, payment_id, actor(ctx), utcnow(),
                              two_people=two_people(ctx))
    if not outcome.ok:
        ctx.reply(refusal(ctx, outcome, payment_id))
        return
    ctx.reply(ctx._("Payment #{id} is approved. When the money is sent, send "
                    "/mark_paid {id} and the payment reference.").format(id=payment_id))


@router.command("approve_payment", roles=FINANCE, description=N_("Approve a payment"))
def approve_command(event: Event, ctx: Context) -> None:
    number = parse_id(event.args)
    if number is None:
        ctx.reply(ctx._("Please add the payment number. For example: /approve_payment 12"))
        return
    _approve(ctx, number)


@router.button("payfin:approve:", roles=FINANCE)
def approve_button(event: Event, ctx: Context) -> None:
    arg = (event.action or "").rsplit(":", 1)[-1]
    if not arg.isdigit():
        ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))
        return
    _approve(ctx, int(arg))


@router.command("mark_paid", roles=FINANCE,
                description=N_("Mark a payment as paid, with its reference"))
def mark_paid_command(event: Event, ctx: Context) -> None:
    parts = event.args.split()
    usage = ctx._("Please add the payment number, the reference and, if it was not today, "
                  "the date. For example: /mark_paid 12 BACS-0412 2026-11-21")
    payment_id = parse_id(parts[0]) if parts else None
    if len(parts) not in (2, 3) or payment_id is None or len(parts[1]) > 64:
        ctx.reply(usage)
        return
    now = utcnow()
    try:
        paid_on = (parse_date(parts[2]) if len(parts) == 3
                   else now.astimezone(zone(ctx.member.timezone)).date())
    except ValueError:
        ctx.reply(usage)
        return
    outcome = mark_paid(ctx.session, payment_id, actor(ctx), now, reference=parts[1],
                        paid_on=paid_on, two_people=two_people(ctx),
                        arrival_days=int(getattr(ctx.settings, "payments_arrival_days", 3)))
    if not outcome.ok or outcome.state is None:
        ctx.reply(refusal(ctx, outcome, payment_id))
        return
    told = after_paid(ctx.session, ctx.i18n, ctx.settings, outcome.state, now,
                      source_event_id=ctx.event_id)
    done = ctx._("Payment #{id} is marked as paid.").format(id=payment_id)
    if told:
        ctx.reply(done + " " + ctx._("I have sent the details and asked them to confirm."))
    else:
        ctx.reply(done + " " + ctx._("I could not message them now. "
                                     "They can see it with /payments."))


@router.command("payments_waiting", roles=("finance", "staff"),
                description=N_("Payments waiting, and days to pay"))
def waiting(event: Event, ctx: Context) -> None:
    states = load_all(ctx.session)
    lines = summary_lines(ctx.t, summarise(states, ctx.settings.default_timezone))
    open_ = [s for s in states if s.status in ("recorded", "approved", "problem")]
    if open_:
        lines += ["", ctx._("Needing action:")]
        lines += [f"{status_line(ctx.t, s)} · {member_label(ctx.session, s.payment.member_id)}"
                  for s in open_[:WAITING_SHOWN]]
    buttons = []
    if ctx.has_role(*FINANCE):
        buttons = [[Button(ctx._("Approve payment #{id}").format(id=s.id),
                           f"payfin:approve:{s.id}")]
                   for s in open_ if s.status == "recorded"][:5]
    ctx.reply("\n".join(lines), buttons)


@router.command("payment", roles=("finance", "staff", "coordinator"),
                description=N_("See one payment in full"))
def show_payment(event: Event, ctx: Context) -> None:
    number = parse_id(event.args)
    payment = ctx.session.get(Payment, number) if number is not None else None
    if payment is None or payment.id is None:
        ctx.reply(ctx._("Please add a payment number that exists. For example: /payment 12"))
        return
    state = load_state(ctx.session, payment.id)
    assert state is not None
    lines = summary_for_staff(ctx.t, state, member_label(ctx.session, payment.member_id))
    lines += ["", ctx._("History:")]
    lines += [f"{ctx.t.datetime(e.created_at, 'short')} · {e.kind}" for e in state.events]
    ctx.reply("\n".join(lines))

