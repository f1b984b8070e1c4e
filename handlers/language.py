"""/language and the language buttons."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event
from bot.core.router import Router
from bot.core.ui import language_buttons
from bot.i18n import LANGUAGE_NAMES, N_

router = Router("language")


def ask_language(ctx: Context, prefix: str = "lang:") -> None:
    ctx.reply(ctx._("Which language would you like me to use?"),
              language_buttons(ctx.settings.languages, prefix=prefix))


def apply_language(ctx: Context, code: str) -> bool:
    """Switch to `code` and say so in it; False for a language we do not offer."""
    if code not in ctx.settings.languages:
        return False
    ctx.set_language(code)
    ctx.reply(ctx._("Thank you. I will write to you in {language}.")
              .format(language=LANGUAGE_NAMES.get(code, code)))
    return True


@router.command("language", description=N_("Change the language I use"))
def choose_language(event: Event, ctx: Context) -> None:
    ask_language(ctx)


@router.button("lang:")
def language_chosen(event: Event, ctx: Context) -> None:
    code = (event.action or "").split(":", 1)[1]
    if not apply_language(ctx, code):
        ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))
