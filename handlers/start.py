"""/start: say who we are and that we are not for emergencies, then begin the journey.

Someone part way through is offered to carry on where they left off.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.i18n import N_
from bot.storage.profile_models import Profile
from handlers.onboarding import begin, resume_step
from handlers.onboarding_consent import organisations
from handlers.onboarding_flow import go, private_only

router = Router("start")


def welcome_text(ctx: Context) -> str:
    orgs = organisations(ctx)
    return "\n\n".join([
        ctx._("Hello! I am the chat bot for {group}. It is run by {orgs}.")
        .format(group=ctx.settings.group_name, orgs=orgs),
        ctx._("I help with sessions, check-ins, payments and feedback."),
        ctx._("A person reads messages {hours}. I am not watched all the time.")
        .format(hours=ctx.settings.staff_reply_hours),
        ctx._("I am not for emergencies. If you need help now, send HELP."),
    ])


def come_back(ctx: Context) -> None:
    """STOP and /leave end with /start: it switches messages back on."""
    if ctx.member.status in ("stopped", "left"):
        ctx.member.status = "active"
        ctx.session.add(ctx.member)
        profile = ctx.session.get(Profile, ctx.member.id)
        if profile is not None and profile.left_at is not None:
            profile.left_at = None
            ctx.session.add(profile)


@router.command("start", description=N_("Start again from the welcome"))
def start(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    come_back(ctx)
    if resume_step(ctx) is not None:
        ctx.reply(
            ctx._("Welcome back. You were part way through setting up. "
                  "Would you like to carry on?"),
            [[Button(ctx._("Carry on"), "start:resume"),
              Button(ctx._("Start again"), "start:over")]],
        )
        return
    ctx.reply(welcome_text(ctx))
    profile = ctx.session.get(Profile, ctx.member.id)
    if profile is not None and profile.onboarded_at is not None:
        ctx.state.clear()
        ctx.reply(ctx._("You are already set up. Send /profile to see or change your details. "
                        "Send /help to see what I can do."))
        return
    begin(ctx)


@router.button("start:")
def resume_or_restart(event: Event, ctx: Context) -> None:
    step = resume_step(ctx)
    if step is None:  # finished, or erased, since the offer was made
        ctx.reply(ctx._("Sorry, that button has expired. Send /start to begin."))
    elif event.action == "start:resume":
        go(ctx, step)
    else:
        ctx.reply(welcome_text(ctx))
        begin(ctx)
