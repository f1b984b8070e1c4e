"""/start: say who we are, that we are not for emergencies, and ask the language."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event
from bot.core.router import Router
from bot.i18n import N_
from bot.core.ui import language_buttons

router = Router("start")


def welcome_text(ctx: Context) -> str:
    orgs = ", ".join(ctx.settings.organisations)
    return "\n\n".join([
        ctx._("Hello! I am the chat bot for {group}. It is run by {orgs}.")
        .format(group=ctx.settings.group_name, orgs=orgs),
        ctx._("I help with sessions, check-ins, payments and feedback."),
        ctx._("A person reads messages {hours}. I am not watched all the time.")
        .format(hours=ctx.settings.staff_reply_hours),
        ctx._("I am not for emergencies. If you need help now, send HELP."),
    ])


@router.command("start", description=N_("Start again from the welcome"))
def start(event: Event, ctx: Context) -> None:
    if ctx.member.status == "stopped":
        ctx.member.status = "active"
        ctx.session.add(ctx.member)
    ctx.state.go("start", "language")
    ctx.reply(welcome_text(ctx))
    ctx.reply(ctx._("Which language would you like me to use?"),
              language_buttons(ctx.settings.languages))
