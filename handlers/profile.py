"""/profile: see everything saved from the /start journey, and change any of it."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event
from bot.core.router import Router
from bot.i18n import N_
from handlers.onboarding_flow import consented, go, private_only

router = Router("profile")


@router.command("profile", description=N_("See or change your details"))
def show_profile(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    if not consented(ctx):
        ctx.reply(ctx._("I have not saved any details about you. "
                        "If you would like me to, send /start."))
        return
    go(ctx, "summary")
