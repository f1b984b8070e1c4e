"""The words of payment messages, in the reader's language, money and dates by Babel.

Built from a `Translator` rather than a handler context, so the chat, the
CLI and the scheduled chaser all send exactly the same message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.core.events import Button, OutgoingMessage
from bot.i18n import N_, Translator
from bot.payments.calc import EXPENSE_LABELS, METHOD_LABELS
from bot.payments.ledger import STATUS_LABELS, PaymentState
from bot.payments.ratecard import ACTIVITY_LABELS

DEFAULT_ADVICE_LINK = "https://www.citizensadvice.org.uk/benefits/"


def plural_count(amount: Decimal) -> int:
    """The number gettext should pick a plural form by.

    Whole amounts use themselves, so Welsh, Polish and Arabic get the right
    form for 2, 5 or 11 hours. A fraction (2.5 hours) takes the form for large
    round numbers, which is the "other" form in most languages.
    """
    return int(amount) if amount == amount.to_integral_value() else 1_000_000


def answer_buttons(t: Translator, payment_id: int) -> list[list[Button]]:
    """Yes / Not yet / Something's wrong, as words, with opaque ids checked on press."""
    _ = t.gettext
    return [
        [Button(_("Yes, it's arrived"), f"pay:yes:{payment_id}"),
         Button(_("Not yet"), f"pay:notyet:{payment_id}")],
        [Button(_("Something's wrong"), f"pay:wrong:{payment_id}")],
    ]


def activity_line(t: Translator, state: PaymentState) -> str:
    p = state.payment
    return t.gettext("{activity} on {date}").format(
        activity=t.gettext(ACTIVITY_LABELS.get(p.activity, p.activity)),
        date=t.date(p.activity_date))


def fee_lines(t: Translator, state: PaymentState) -> list[str]:
    """Hours x rate (or the fixed fee), the rate-card version, and the member's choice."""
    _, p = t.gettext, state.payment
    money = lambda amount: t.money(amount, p.currency)  # noqa: E731
    if p.hourly_rate is not None and p.hours is not None:
        lines = [t.ngettext("Fee: {hours} hour × {rate} = {fee}",
                            "Fee: {hours} hours × {rate} = {fee}", plural_count(p.hours))
                 .format(hours=t.number(p.hours), rate=money(p.hourly_rate),
                         fee=money(p.fee_full))]
    else:
        lines = [_("Fee: {fee} (a set fee)").format(fee=money(p.fee_full))]
    lines.append(_("Rate card: {version}").format(version=p.rate_card_version))
    if p.choice == "accept_part":
        lines.append(_("You chose to take {amount} of it.").format(amount=money(p.fee_amount)))
    elif p.choice == "charity":
        lines.append(_("You chose to give your fee to a charity."))
    elif p.choice == "decline":
        lines.append(_("You chose not to take a fee. Your fee is {amount}.")
                     .format(amount=money(p.fee_amount)))
    return lines


def expense_lines(t: Translator, state: PaymentState) -> list[str]:
    _, p = t.gettext, state.payment
    if not state.expenses:
        return []
    lines = [_("Expenses:")]
    for item in state.expenses:
        label = _(EXPENSE_LABELS.get(item.category, item.category))
        lines.append(f"• {label}: {t.money(item.amount, p.currency)}")
    lines.append(_("Expenses are paid back to you. They are not income."))
    return lines


def benefits_note(t: Translator, settings: Any) -> str:
    link = getattr(settings, "payments_benefits_advice_link", None) or DEFAULT_ADVICE_LINK
    return t.choose(N_("If you get benefits, you may need to tell them about this money. "
                       "Vouchers count too. For free, independent advice, see {link}"),
                    N_("This money may change your benefits. Vouchers count too. "
                       "Free advice: {link}")).format(link=link)


def breakdown(t: Translator, state: PaymentState) -> list[str]:
    """Everything a member needs to check the amount, line by line."""
    _, p = t.gettext, state.payment
    lines = [activity_line(t, state), *fee_lines(t, state), *expense_lines(t, state)]
    if state.first("corrected") or state.first("reversed"):
        lines.append(_("This payment was changed after it was recorded."))
    lines.append(_("Total: {total}").format(total=t.money(state.total_owed, p.currency)))
    return lines


def paid_message(t: Translator, state: PaymentState, settings: Any) -> OutgoingMessage:
    """The confirmation: the breakdown, how and when, and the three answers.

    With Easy Read (`t.easy`) the words around the figures are shorter, one
    idea to a sentence; the figures, reference and buttons stay the same.
    """
    _ = t.gettext
    paid = state.last("paid")
    lines = [t.choose(N_("Good news: your payment has been sent."), N_("We sent your money.")),
             "", *breakdown(t, state)]
    method = _(METHOD_LABELS.get(state.payment.method, state.payment.method))
    lines.append(t.choose(N_("How it is paid: {method}"), N_("Paid by: {method}"))
                 .format(method=method))
    if paid is not None and paid.reference:
        lines.append(_("Reference: {reference}").format(reference=paid.reference))
    if state.expected_arrival is not None:
        lines.append(t.choose(N_("It should arrive by {date}."), N_("It comes by {date}."))
                     .format(date=t.date(state.expected_arrival)))
    lines += ["", benefits_note(t, settings), "", _("Has it arrived?")]
    return OutgoingMessage("\n".join(lines), answer_buttons(t, state.id))


def chaser_message(t: Translator, state: PaymentState) -> OutgoingMessage:
    _ = t.gettext
    lines = [_("Hello. I am checking on your payment of {total}.").format(
        total=t.money(state.total_owed, state.payment.currency)), activity_line(t, state)]
    if state.expected_arrival is not None:
        lines.append(_("It should have arrived by {date}.")
                     .format(date=t.date(state.expected_arrival)))
    lines.append(_("Has it arrived?"))
    return OutgoingMessage("\n".join(lines), answer_buttons(t, state.id))


def recorded_message(t: Translator, state: PaymentState) -> OutgoingMessage:
    _ = t.gettext
    lines = [_("A payment has been recorded for you."), "", *breakdown(t, state), "",
             _("The finance team will check it. I will tell you when it is paid.")]
    return OutgoingMessage("\n".join(lines))


def summary_for_staff(t: Translator, state: PaymentState, member_label: str) -> list[str]:
    """The record as finance needs it to act; staff messages only, never logs."""
    _, p = t.gettext, state.payment
    paid = state.last("paid")
    lines = [_("Payment #{id}").format(id=state.id),
             _("For: {member}").format(member=member_label), *breakdown(t, state),
             _("How it is paid: {method}").format(
                 method=_(METHOD_LABELS.get(p.method, p.method))),
             _("Status: {status}").format(status=_(STATUS_LABELS[state.status]))]
    if paid is not None:
        lines.append(_("Paid on {date}. Reference: {reference}").format(
            date=t.date(paid.paid_on) if paid.paid_on else "-", reference=paid.reference))
    if state.expected_arrival is not None:
        lines.append(_("Expected by {date}.").format(date=t.date(state.expected_arrival)))
    return lines


def finance_alert(t: Translator, state: PaymentState, member_label: str, what: str,
                  note: str | None = None) -> OutgoingMessage:
    """what: problem | not_arrived | note | new."""
    _ = t.gettext
    heads = {
        "problem": _("A member says something is wrong with a payment."),
        "not_arrived": _("A member says a payment has still not arrived, after a reminder."),
        "note": _("A member added a note about a payment problem."),
        "new": _("A new payment is waiting for approval."),
    }
    lines = [heads[what], "", *summary_for_staff(t, state, member_label)]
    if note:
        lines.append(_("Their note: {note}").format(note=note))
    buttons = []
    if what == "new":
        buttons = [[Button(_("Approve payment #{id}").format(id=state.id),
                           f"payfin:approve:{state.id}")]]
    return OutgoingMessage("\n".join(lines), buttons)


def status_line(t: Translator, state: PaymentState) -> str:
    total = t.money(state.total_owed, state.payment.currency)
    status = t.gettext(STATUS_LABELS[state.status])
    return f"#{state.id} · {activity_line(t, state)} · {total} · {status}"
