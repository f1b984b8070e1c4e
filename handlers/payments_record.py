"""Recording a payment in chat, for coordinators: one short question at a time.

The answers so far live in the coordinator's conversation state, so a restart
carries on. The flow gets one idempotency key when it starts: pressing Save
twice, or a replayed update, still records one payment.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import col, func, select

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.quiet import zone
from bot.core.router import Router
from bot.core.text import parse_id
from bot.core.ui import rows
from bot.i18n import N_
from bot.payments.calc import (
    EXPENSE_CATEGORIES,
    EXPENSE_LABELS,
    METHOD_LABELS,
    ExpenseItem,
    compute_fee,
    parse_amount,
    parse_date,
    parse_hours,
)
from bot.payments.ledger import Actor
from bot.payments.notify import after_recorded
from bot.payments.preference import preferred_method
from bot.payments.ratecard import ACTIVITY_LABELS, RateCard, rate_card_for
from bot.payments.service import RECORDERS, PaymentDraft, record_payment
from bot.storage.models import Identity, Member, utcnow

router = Router("payments_record")
FLOW = "payrec"
TYPED_STEPS = {"who", "date", "hours", "exp_amount", "part"}
CHOICE_LABELS = {"accept": N_("Take it all"), "accept_part": N_("Take part of it"),
                 "charity": N_("Give it to a charity"), "decline": N_("Say no to the fee")}


def _today(ctx: Context) -> date:
    return utcnow().astimezone(zone(ctx.member.timezone)).date()


def _card(ctx: Context) -> RateCard:
    return rate_card_for(ctx.settings)


def _fee(ctx: Context, data: dict[str, Any]) -> Decimal:
    rate = _card(ctx).rate(data["activity"])
    hours = Decimal(data["hours"]) if data.get("hours") else None
    return compute_fee(rate, hours).full


def _cancel_row(ctx: Context) -> list[Button]:
    return [Button(ctx._("Cancel"), "payrec:cancel")]


def ask(ctx: Context, step: str, *, opening: str = "", **updates: Any) -> None:
    """Move to `step` and ask its question (after `opening`, if given)."""
    ctx.state.go(FLOW, step, **updates)
    data, _ = ctx.state.data, ctx._
    buttons: list[list[Button]] = []
    if step == "who":
        text = _("Who is the payment for? Type their name or their member number.")
    elif step == "activity":
        text = _("What was the work?")
        buttons = rows(Button(_(ACTIVITY_LABELS[a]), f"payrec:act:{a}") for a in _card(ctx).rates)
    elif step == "date":
        text = _("What date was it? Type it like this: 2026-11-20")
        buttons = [[Button(_("Today"), "payrec:date:0"), Button(_("Yesterday"), "payrec:date:1")]]
    elif step == "hours":
        text = _("How many hours? For example: 2.5")
    elif step == "expenses":
        items = [f"• {_(EXPENSE_LABELS[e['category']])}: {ctx.t.money(Decimal(e['amount']))}"
                 for e in data.get("expenses", [])]
        text = "\n".join([_("Are there expenses to pay back?"), *items])
        buttons = [[Button(_("Add an expense"), "payrec:exp:add"),
                    Button(_("No more expenses") if items else _("No expenses"),
                           "payrec:exp:done")]]
    elif step == "exp_category":
        text = _("What kind of expense?")
        buttons = rows(Button(_(EXPENSE_LABELS[c]), f"payrec:cat:{c}") for c in EXPENSE_CATEGORIES)
    elif step == "exp_amount":
        text = _("How much was it? For example: 12.50")
    elif step == "exp_receipt":
        text = _("Is there a receipt?")
        buttons = [[Button(_("Yes"), "payrec:rcpt:yes"), Button(_("No"), "payrec:rcpt:no")]]
    elif step == "choice":
        text = _("The fee is {fee}. What did they choose?").format(
            fee=ctx.t.money(_fee(ctx, data)))
        buttons = rows(Button(_(label), f"payrec:choice:{c}") for c, label in CHOICE_LABELS.items())
    elif step == "part":
        text = _("How much of the {fee} will they take? For example: 20.00").format(
            fee=ctx.t.money(_fee(ctx, data)))
    elif step == "method":
        saved = preferred_method(ctx.session, data["member_id"])
        text = _("How will it be paid?")
        if saved:
            text += "\n" + _("Their saved choice is: {method}").format(
                method=_(METHOD_LABELS[saved]))
        buttons = rows(Button(_(METHOD_LABELS[m]), f"payrec:method:{m}")
                       for m in ("bank_transfer", "cash", "voucher"))
    elif step == "expected":
        text = _("When should the money reach them?")
        buttons = [[Button(_("In 1 week"), "payrec:when:7"),
                    Button(_("In 2 weeks"), "payrec:when:14")],
                   [Button(_("Not sure"), "payrec:when:none")]]
    else:
        text = summary(ctx, data)
        buttons = [[Button(_("Save"), "payrec:save")]]
    ctx.reply(f"{opening}\n\n{text}" if opening else text, [*buttons, _cancel_row(ctx)])


def summary(ctx: Context, data: dict[str, Any]) -> str:
    _ = ctx._
    member = ctx.session.get(Member, data["member_id"])
    name = (member.display_name if member else None) or f"#{data['member_id']}"
    lines = [_("Please check:"), _("For: {member}").format(member=name),
             _("{activity} on {date}").format(activity=_(ACTIVITY_LABELS[data["activity"]]),
                                                date=ctx.t.date(date.fromisoformat(data["date"]))),
             _("Fee: {fee}").format(fee=ctx.t.money(_fee(ctx, data))),
             _("Their choice: {choice}").format(choice=_(CHOICE_LABELS[data["choice"]]))]
    if data["choice"] == "accept_part":
        lines.append(_("They take: {amount}").format(amount=ctx.t.money(Decimal(data["part"]))))
    for item in data.get("expenses", []):
        lines.append(f"• {_(EXPENSE_LABELS[item['category']])}: "
                     f"{ctx.t.money(Decimal(item['amount']))}")
    lines.append(_("How it is paid: {method}").format(method=_(METHOD_LABELS[data["method"]])))
    if data.get("expected"):
        lines.append(_("Expected by {date}.").format(
            date=ctx.t.date(date.fromisoformat(data["expected"]))))
    return "\n".join(lines)


@router.command("record_payment", roles=RECORDERS,
                description=N_("Record a payment for someone's time"))
def start(event: Event, ctx: Context) -> None:
    ctx.state.clear()  # a fresh start: nothing from an earlier, unfinished recording
    ctx.state.go(FLOW, "who", key=uuid.uuid4().hex, expenses=[])
    if event.args.strip():
        typed(event, ctx, event.args.strip())
    else:
        ask(ctx, "who")


def find_members(ctx: Context, text: str) -> list[Member]:
    query = select(Member).where(col(Member.status).not_in(["erased", "left"]))
    if (number := parse_id(text)) is not None:
        query = query.where(Member.id == number)
    elif ":" in text:
        platform, _, user_id = text.partition(":")
        query = query.join(Identity, col(Identity.member_id) == Member.id).where(
            Identity.platform == platform, Identity.user_id == user_id)
    else:
        query = query.where(func.lower(col(Member.display_name)).contains(
            text.lower(), autoescape=True))
    return list(ctx.session.exec(query.order_by(col(Member.id)).limit(6)))


@router.flow(FLOW)
def flow_text(event: Event, ctx: Context) -> None:
    typed(event, ctx, event.text)


def typed(event: Event, ctx: Context, text: str) -> None:
    step, _ = ctx.state.step, ctx._
    if step not in TYPED_STEPS:
        ctx.reply(_("Please use the buttons, or press Cancel."), [_cancel_row(ctx)])
        return
    try:
        if step == "who":
            found = find_members(ctx, text)
            if not found:
                ctx.reply(_("I could not find anyone like that. Please try again."),
                          [_cancel_row(ctx)])
                return
            ctx.reply(_("Who do you mean?"), [
                *rows(Button(f"{m.display_name or ''} #{m.id}".strip(), f"payrec:who:{m.id}")
                      for m in found), _cancel_row(ctx)])
        elif step == "date":
            day = parse_date(text)
            if day > _today(ctx):
                raise ValueError("future")
            next_after_date(ctx, day)
        elif step == "hours":
            ask(ctx, "expenses", hours=str(parse_hours(text)))
        elif step == "exp_amount":
            ask(ctx, "exp_receipt", exp_amount=str(parse_amount(text)))
        elif step == "part":
            part = parse_amount(text)
            if part > _fee(ctx, ctx.state.data):
                raise ValueError("more than the fee")
            ask(ctx, "method", part=str(part))
    except ValueError:  # the question again, with its example, so they need not scroll up
        ask(ctx, step, opening=_("Sorry, I didn't understand that. Please try again."))


def next_after_date(ctx: Context, day: date) -> None:
    rate = _card(ctx).rate(ctx.state.data["activity"])
    ask(ctx, "hours" if rate.fixed is None else "expenses", date=day.isoformat())


@router.button("payrec:", roles=RECORDERS)
def pressed(event: Event, ctx: Context) -> None:
    _, verb, value = [*(event.action or "").split(":", 2), "", ""][:3]
    if verb == "cancel":
        if ctx.state.flow == FLOW:  # an old Cancel must not end another conversation
            ctx.state.clear()
        ctx.reply(ctx._("OK, I have not saved anything."))
        return
    if ctx.state.flow != FLOW:
        ctx.reply(ctx._("That is already done. Send /record_payment to record another."))
        return
    data, step = ctx.state.data, ctx.state.step
    if verb == "who" and step == "who" and value.isdigit() and find_members(ctx, value):
        ask(ctx, "activity", member_id=int(value))
    elif verb == "act" and step == "activity" and value in _card(ctx).rates:
        ask(ctx, "date", activity=value)
    elif verb == "date" and step == "date" and value in ("0", "1"):
        next_after_date(ctx, _today(ctx) - timedelta(days=int(value)))
    elif verb == "exp" and step == "expenses":
        ask(ctx, "exp_category" if value == "add" else "choice")
    elif verb == "cat" and step == "exp_category" and value in EXPENSE_CATEGORIES:
        ask(ctx, "exp_amount", exp_category=value)
    elif verb == "rcpt" and step == "exp_receipt":
        item = {"category": data["exp_category"], "amount": data["exp_amount"],
                "receipt": value == "yes"}
        ask(ctx, "expenses", expenses=[*data.get("expenses", []), item])
    elif verb == "choice" and step == "choice" and value in CHOICE_LABELS:
        following = {"accept_part": "part", "charity": "expected"}.get(value, "method")
        extra = {"method": "to_charity"} if value == "charity" else {}
        ask(ctx, following, choice=value, **extra)
    elif verb == "method" and step == "method" and value in METHOD_LABELS:
        ask(ctx, "expected", method=value)
    elif verb == "when" and step == "expected":
        expected = _today(ctx) + timedelta(days=int(value)) if value.isdigit() else None
        ask(ctx, "confirm", expected=expected.isoformat() if expected else None)
    elif verb == "save" and step == "confirm":
        save(ctx, data)
    else:
        ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))


def save(ctx: Context, data: dict[str, Any]) -> None:
    draft = PaymentDraft(
        member_id=data["member_id"], activity=data["activity"],
        activity_date=date.fromisoformat(data["date"]),
        hours=Decimal(data["hours"]) if data.get("hours") else None,
        expenses=[ExpenseItem(e["category"], Decimal(e["amount"]), bool(e["receipt"]))
                  for e in data.get("expenses", [])],
        choice=data["choice"], part=Decimal(data["part"]) if data.get("part") else None,
        method=data["method"],
        expected_date=date.fromisoformat(data["expected"]) if data.get("expected") else None)
    now = utcnow()
    actor = Actor(member_id=ctx.member.id, roles=ctx.roles)
    state, created = record_payment(ctx.session, draft, _card(ctx), actor,
                                    f"chat:{data['key']}", now)
    ctx.state.clear()
    if created:
        after_recorded(ctx.session, ctx.i18n, state, now, recorder_id=ctx.member.id,
                       source_event_id=ctx.event_id)
    ctx.reply(ctx._("Saved as payment #{id}. The total is {total}. "
                    "The finance team has been told.").format(
        id=state.id, total=ctx.t.money(state.total_owed, state.payment.currency)))
