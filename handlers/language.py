"""/language and the language buttons."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event
from bot.core.router import Router
from bot.i18n import N_
from bot.core.ui import language_buttons
from bot.i18n import LANGUAGE_NAMES

router = Router("language")


@router.command("language", description=N_("Change the language I use"))
def choose_language(event: Event, ctx: Context) -> None:
    ctx.reply(ctx._("Which language would you like me to use?"),
              language_buttons(ctx.settings.languages))


@router.button("lang:")
def language_chosen(event: Event, ctx: Context) -> None:
    code = (event.action or "").split(":", 1)[1]
    if code not in ctx.settings.languages:
        ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))
        return
    ctx.set_language(code)
    ctx.reply(ctx._("Thank you. I will write to you in {language}.")
              .format(language=LANGUAGE_NAMES.get(code, code)))
    if ctx.state.flow == "start":
        ctx.state.clear()
        ctx.reply(ctx._("You can send /help at any time to see what I can do."))
