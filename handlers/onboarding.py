"""The /start journey: button presses and typed answers, routed to the current step.

The steps themselves live in `onboarding_*.py`; `onboarding_flow.py` moves
between them. This module only checks that a press or a message belongs to
the step the member is at now, then hands it over.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from bot.core.events import Event
from bot.core.router import Router
from bot.storage.models import ConversationState, utcnow
from bot.storage.profile_models import Profile
from handlers import (  # noqa: F401  (each registers its steps)
    onboarding_about,
    onboarding_choices,
    onboarding_consent,
    onboarding_prefs,
    onboarding_summary,
    onboarding_translate,
)
from handlers.onboarding_flow import (
    FLOW,
    ORDER,
    STEPS,
    advance,
    ask_again,
    back,
    consented,
    go,
    in_group,
)

assert set(ORDER) == set(STEPS), "every step in ORDER needs an ask function"

router = Router("onboarding")

# After this long away, typed text re-asks the question instead of being taken
# as the answer ("hi" days later should not become someone's name).
RESUME_GAP = timedelta(hours=12)
NO_SKIP = ("language", "consent", "summary")


def begin(ctx: Context) -> None:
    """Start the journey at the language question (the welcome is already sent)."""
    ctx.state.clear()
    go(ctx, "language", editing=False)


def resume_step(ctx: Context) -> str | None:
    """The step a member left the journey at, if they have not finished it."""
    assert ctx.member.id is not None
    profile = ctx.session.get(Profile, ctx.member.id)
    if profile is not None and profile.onboarded_at is not None:
        return None
    if ctx.state.flow == FLOW and ctx.state.step in STEPS and ctx.state.step != "language":
        return ctx.state.step
    if profile is not None and profile.onboarding_step in STEPS and consented(ctx):
        return profile.onboarding_step
    return None


def stale(ctx: Context) -> None:
    if ctx.state.flow == FLOW and ctx.state.step in STEPS:
        ctx.reply(ctx._("That button is from an earlier question, so I have not changed "
                        "anything. Here is where we are now."))
        ask_again(ctx)
    else:
        ctx.reply(ctx._("That button is from an earlier message, so I have not changed "
                        "anything. Send /profile to see your details."))


@router.button("onb:")
def pressed(event: Event, ctx: Context) -> None:
    _, name, verb, value = [*(event.action or "").split(":", 3), "", "", ""][:4]
    current = STEPS.get(name)
    if current is None or ctx.state.flow != FLOW or ctx.state.step != name:
        stale(ctx)
    elif not current.before_consent and not consented(ctx):
        go(ctx, "consent")
    elif verb == "back":
        back(ctx, name)
    elif verb == "skip" and name not in NO_SKIP:
        advance(ctx, name)
    elif current.on_button is not None and current.on_button(ctx, verb, value):
        advance(ctx, name)


def away_long(ctx: Context) -> bool:
    row = ctx.session.get(ConversationState, ctx.member.id)
    return row is not None and row.updated_at < utcnow() - RESUME_GAP


@router.flow(FLOW)
def typed(event: Event, ctx: Context) -> None:
    name = ctx.state.step or ""
    current = STEPS.get(name)
    if in_group(ctx):
        return  # talk in a group is never an answer to a personal question
    if current is None:
        ctx.state.clear()
        ctx.reply(ctx._("Send /start to begin."))
    elif not current.before_consent and not consented(ctx):
        go(ctx, "consent")
    elif current.on_text is None:
        ctx.reply(ctx._("Please tap one of the buttons."))
        current.ask(ctx)
    elif away_long(ctx):
        ctx.state.go(FLOW, name)  # marks the member as back, keeping their ticks
        ctx.reply(ctx._("Welcome back. Here is where we were."))
        current.ask(ctx)
    elif current.on_text(ctx, event.text):
        advance(ctx, name)
