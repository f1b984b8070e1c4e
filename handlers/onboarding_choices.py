"""Steps 7 to 9 of /start: communication needs, ways to take part, payment.

Needs and ways are multi-select: each tap ticks or unticks a choice, and
Done saves them. The picks so far live in the conversation state, so they
survive a restart. Skip keeps what was saved before.
"""

from __future__ import annotations

from dataclasses import replace

from babel.lists import format_list

from bot.core.context import Context
from bot.i18n import N_
from handlers.onboarding_about import too_long
from handlers.onboarding_flow import (
    FLOW,
    choice_buttons,
    label_of,
    profile_of,
    question,
    save,
    step,
)

MAX_OTHER = 300

NEEDS = (
    ("short", N_("Short messages")),
    ("easy_read", N_("Easy Read")),
    ("voice", N_("Voice notes welcome")),
    ("interpreter", N_("An interpreter")),
    ("more_time", N_("More time between messages")),
    ("other", N_("Other (type it)")),
)
WAYS = (
    ("story", N_("Telling my story")),
    ("review", N_("Reviewing documents")),
    ("agenda", N_("Setting agendas")),
    ("notes", N_("Taking notes")),
    ("facilitate", N_("Running sessions")),
    ("interview", N_("Interviewing")),
    ("design", N_("Design work")),
)
PAYMENTS = (
    ("bank_transfer", N_("Bank transfer")),
    ("cash", N_("Cash")),
    ("voucher", N_("Voucher")),
    ("to_charity", N_("Pay a charity")),
    ("decline", N_("No payment, thanks")),
    ("unsure", N_("Not sure yet")),
)
DEFAULT_BENEFITS_ADVICE = ("Citizens Advice (citizensadvice.org.uk)", "Turn2us (turn2us.org.uk)")


def picked(ctx: Context, saved: list[str]) -> list[str]:
    """The ticks so far: from this visit to the step, else what was saved."""
    current = ctx.state.data.get("picked")
    return list(current) if isinstance(current, list) else list(saved)


def toggle(ctx: Context, name: str, value: str, saved: list[str]) -> list[str]:
    chosen = picked(ctx, saved)
    chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
    ctx.state.go(FLOW, name, picked=chosen)
    return chosen


def needs_button(ctx: Context, verb: str, value: str) -> bool:
    profile = profile_of(ctx)
    if verb == "done":
        chosen = picked(ctx, profile.needs)
        other = ctx.state.data.get("other_text") or profile.needs_other
        profile.needs = [v for v, _ in NEEDS if v in chosen]
        profile.needs_other = other if "other" in chosen else None
        save(ctx, profile)
        # The rest of the journey already follows the new answer.
        ctx.t = replace(ctx.t, easy="easy_read" in profile.needs)
        return True
    if verb != "toggle" or value not in dict(NEEDS):
        return False
    chosen = toggle(ctx, "needs", value, profile.needs)
    if value == "other" and value in chosen:
        ctx.reply(ctx._("Please type what would help, in a few words."))
    else:
        ask_needs(ctx)
    return False


def needs_typed(ctx: Context, text: str) -> bool:
    if too_long(ctx, text, MAX_OTHER):
        return False
    chosen = picked(ctx, profile_of(ctx).needs)
    if "other" not in chosen:
        chosen.append("other")
    ctx.state.go(FLOW, "needs", picked=chosen, other_text=text)
    ctx.reply(ctx._("Thank you. I have added that."))
    ask_needs(ctx)
    return False


@step("needs", on_button=needs_button, on_text=needs_typed)
def ask_needs(ctx: Context) -> None:
    text = "\n\n".join([
        ctx.t.choose(N_("Is there anything that makes messages easier for you?"),
                     N_("What makes messages easier for you?")),
        ctx._("Tap all that fit. Then tap Done."),
    ])
    chosen = picked(ctx, profile_of(ctx).needs)
    question(ctx, "needs", text, choice_buttons(ctx, "needs", NEEDS, picked=chosen), done=True)


def ways_button(ctx: Context, verb: str, value: str) -> bool:
    profile = profile_of(ctx)
    if verb == "done":
        chosen = picked(ctx, profile.ways_to_take_part)
        profile.ways_to_take_part = [v for v, _ in WAYS if v in chosen]
        save(ctx, profile)
        return True
    if verb == "toggle" and value in dict(WAYS):
        toggle(ctx, "ways", value, profile.ways_to_take_part)
        ask_ways(ctx)
    return False


@step("ways", on_button=ways_button)
def ask_ways(ctx: Context) -> None:
    text = "\n\n".join([
        ctx._("How do you like to take part?"),
        ctx._("Tap all that fit. Then tap Done."),
    ])
    chosen = picked(ctx, profile_of(ctx).ways_to_take_part)
    question(ctx, "ways", text, choice_buttons(ctx, "ways", WAYS, picked=chosen), done=True)


def payment_picked(ctx: Context, verb: str, value: str) -> bool:
    if verb != "pick" or value not in dict(PAYMENTS):
        return False
    profile = profile_of(ctx)
    profile.payment_preference = value
    save(ctx, profile)
    return True


@step("payment", on_button=payment_picked)
def ask_payment(ctx: Context) -> None:
    # Joined in the member's language: an English "or" would stand out in a Welsh sentence.
    advice = ctx.settings.benefits_advice or format_list(
        list(DEFAULT_BENEFITS_ADVICE), style="or", locale=ctx.t.locale)
    text = "\n\n".join([
        ctx.t.choose(N_("We pay people for their time. How would you like to be paid?"),
                     N_("We pay you for your time. How do you want to be paid?")),
        ctx.t.choose(N_("Payments can affect some benefits. Vouchers count too. You can get "
                        "free, independent advice from {advice}. We will never ask about "
                        "your benefits."),
                     N_("Money can change your benefits. Vouchers can too. "
                        "Free advice: {advice}. We never ask about your benefits."))
        .format(advice=advice),
    ])
    current = label_of(ctx, PAYMENTS, profile_of(ctx).payment_preference)
    if current:
        text += "\n\n" + ctx._("Right now: {choice}.").format(choice=current)
    question(ctx, "payment", text, choice_buttons(ctx, "payment", PAYMENTS))
