"""/help: the commands this person can use, and where to get support."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event
from bot.core.router import Router
from bot.i18n import N_
from handlers.safety import crisis_text

router = Router("help")


def visible_commands(ctx: Context) -> list[tuple[str, str]]:
    """Commands for this person's roles only: members never see team commands."""
    found = []
    for name, spec in sorted(ctx.commands.items()):
        if spec.description and (not spec.roles or ctx.has_role(*spec.roles)):
            found.append((name, ctx._(spec.description)))
    return found


@router.command("help", description=N_("See what I can do"))
def show_help(event: Event, ctx: Context) -> None:
    lines = [ctx._("Here is what I can do. Tap or type a command:")]
    lines += [f"/{name} - {text}" for name, text in visible_commands(ctx)]
    lines.append(ctx._("You can type STOP, PAUSE or HELP at any time."))
    ctx.reply("\n".join(lines))
    ctx.reply(crisis_text(ctx))
