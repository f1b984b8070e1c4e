"""Payments, the member's side: /payments, and "Has it arrived?".

A pressed button was offered to this member (the dispatcher checks), but the
handler still checks the payment is theirs and is at the right step, so a
forged or stale button changes nothing. The coordinator's recording flow and
the finance commands live in `payments_record` and `payments_finance`.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.quiet import zone
from bot.core.router import Router
from bot.i18n import N_
from bot.payments.chaser import chase_due
from bot.payments.ledger import load_states
from bot.payments.messages import answer_buttons, benefits_note, status_line
from bot.payments.notify import alert_finance
from bot.payments.report import fee_totals
from bot.payments.service import (
    Outcome,
    add_problem_note,
    confirm_received,
    mark_not_arrived,
    report_problem,
)
from bot.storage.models import utcnow
from bot.storage.payment_models import Payment
from handlers import payments_finance, payments_record

router = Router("payments")
router.include(payments_record.router)
router.include(payments_finance.router)

RECENT = 10
PROBLEM_FLOW = "payments_problem"


@router.command("payments", description=N_("See your payments"))
def my_payments(event: Event, ctx: Context) -> None:
    query = (select(Payment).where(Payment.member_id == ctx.member.id)
             .order_by(col(Payment.activity_date).desc(), col(Payment.id).desc()))
    every = load_states(ctx.session, list(ctx.session.exec(query)))
    states = every[:RECENT]
    if not states:
        ctx.reply(ctx._("You have no payments yet. When one is recorded, you will see it here."))
        return
    lines = [ctx._("Your recent payments:"), *(status_line(ctx.t, s) for s in states)]
    today = utcnow().astimezone(zone(ctx.member.timezone)).date()
    start, total, months = fee_totals(every, today)
    lines += ["", ctx._("Fees paid to you since {date}: {amount}").format(
        date=ctx.t.date(start), amount=ctx.t.money(total))]
    lines += [ctx._("{month}: {amount}").format(month=ctx.t.date(month, "MMMM y"),
                                                 amount=ctx.t.money(amount))
              for month, amount in months]
    lines += [ctx._("Expenses are not included. They are not income."),
              ctx._("These totals are for your information. They are not advice."),
              "", benefits_note(ctx.t, ctx.settings)]
    waiting = next((s for s in states if s.status == "paid"), None)
    if waiting is None:
        ctx.reply("\n".join(lines))
        return
    lines += ["", ctx._("Has payment #{id} arrived?").format(id=waiting.id)]
    ctx.reply("\n".join(lines), answer_buttons(ctx.t, waiting.id))


def _refused(ctx: Context, outcome: Outcome) -> None:
    """Kind words for a button that no longer fits; the same for someone else's
    payment as for a missing one, so a forged id reveals nothing."""
    if outcome.reason in ("not_found", "not_yours"):
        ctx.reply(ctx._("Sorry, that button has expired. Send /payments to see your payments."))
    elif outcome.reason == "duplicate":
        ctx.reply(ctx._("Thank you, I already have that. Nothing else to do."))
    else:
        ctx.reply(ctx._("This payment has changed since that message. "
                        "Send /payments to see it now."))


@router.button("pay:")
def answer(event: Event, ctx: Context) -> None:
    parts = (event.action or "").split(":")
    if len(parts) != 3 or not parts[2].isdigit() or ctx.member.id is None:
        ctx.reply(ctx._("Sorry, that button has expired. Send /payments to see your payments."))
        return
    verb, payment_id, now = parts[1], int(parts[2]), utcnow()
    session, member_id = ctx.session, ctx.member.id
    if verb == "yes":
        outcome = confirm_received(session, payment_id, member_id, now)
        if outcome.ok:
            ctx.reply(ctx._("Thank you for letting me know. I'm glad it has arrived."))
    elif verb == "notyet":
        outcome = mark_not_arrived(session, payment_id, member_id, now)
        if outcome.ok:
            _not_yet(ctx, outcome)
    elif verb == "wrong":
        outcome = report_problem(session, payment_id, member_id, now)
        if outcome.ok and outcome.state is not None:
            alert_finance(session, ctx.i18n, outcome.state, "problem", now,
                          source_event_id=ctx.event_id)
            ctx.state.go(PROBLEM_FLOW, "note", payment_id=payment_id)
            ctx.reply(ctx._("I'm sorry about that. I have told the finance team. "
                            "They will get in touch with you.") + "\n\n"
                      + ctx._("If you like, tell me in a few words what is wrong. "
                              "Or press Skip."),
                      [[Button(ctx._("Skip"), f"pay:skip:{payment_id}")]])
    elif verb == "skip":
        if ctx.state.flow == PROBLEM_FLOW:
            ctx.state.clear()
        ctx.reply(ctx._("That's fine. The finance team will be in touch."))
        return
    else:
        outcome = Outcome(False, "not_found")
    if not outcome.ok:
        _refused(ctx, outcome)


def _not_yet(ctx: Context, outcome: Outcome) -> None:
    state = outcome.state
    assert state is not None
    due = chase_due(state, ctx.member.timezone, ctx.settings)
    if due is None:  # they were already reminded once: a person should look now
        alert_finance(ctx.session, ctx.i18n, state, "not_arrived", utcnow(),
                      source_event_id=ctx.event_id)
        ctx.reply(ctx._("Thank you for telling me. I have asked the finance team to check."))
        return
    day = due.astimezone(zone(ctx.member.timezone)).date()
    ctx.reply(ctx._("Thank you for telling me. Money can take a few days. "
                    "I will ask you again on {date}.").format(date=ctx.t.date(day)))


@router.flow(PROBLEM_FLOW)
def problem_note(event: Event, ctx: Context) -> None:
    payment_id = ctx.state.data.get("payment_id")
    ctx.state.clear()
    if not isinstance(payment_id, int) or ctx.member.id is None:
        return
    now = utcnow()
    outcome = add_problem_note(ctx.session, payment_id, ctx.member.id, event.text,
                               f"ev{ctx.event_id}", now)
    if outcome.ok and outcome.state is not None:
        alert_finance(ctx.session, ctx.i18n, outcome.state, "note", now,
                      note=event.text[:500], source_event_id=ctx.event_id)
        ctx.reply(ctx._("Thank you. I have passed this on to the finance team."))
    else:
        _refused(ctx, outcome)
