"""Pieces the broadcast conversations share: reading a time, showing head counts."""

from __future__ import annotations

from datetime import datetime

from bot.broadcasts.preview import Preview
from bot.broadcasts.spec import BroadcastError, check_send_at
from bot.core.context import Context
from bot.i18n import LANGUAGE_NAMES

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M")


def expired(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))


def read_time(ctx: Context, text: str) -> datetime | None:
    """A future time typed in the coordinator's own zone; None (after saying why) if not."""
    for fmt in TIME_FORMATS:
        try:
            local = datetime.strptime(text.strip(), fmt)
            break
        except ValueError:
            continue
    else:
        ctx.reply(ctx._("Sorry, I could not read that. Please type it like 2026-12-01 14:30."))
        return None
    try:
        return check_send_at(local, ctx.member.timezone)
    except BroadcastError:
        ctx.reply(ctx._("That time has passed. Please choose a time in the future."))
        return None


def show_counts(ctx: Context, preview: Preview, send_at: datetime | None) -> list[str]:
    """Send each language's text and head count; return the summary lines."""
    for line in preview.languages:
        name = LANGUAGE_NAMES.get(line.language, line.language)
        head = ctx.n_("{language}: {count} person", "{language}: {count} people",
                      line.people).format(language=name, count=line.people)
        ctx.reply(f"{head}\n\n{line.text}")
    lines = [ctx.n_("This will go to {count} person.", "This will go to {count} people.",
                    preview.people).format(count=preview.people)]
    if preview.later:
        lines.append(ctx._("{count} of them will get it later, after their quiet hours "
                           "or break.").format(count=preview.later))
    if preview.not_reached:
        lines.append(ctx._("{count} cannot get it now, because they are on a break or we "
                           "cannot reach them.").format(count=preview.not_reached))
    if send_at is not None:
        lines.append(ctx._("It will start going out at {time}.")
                     .format(time=ctx.t.datetime(send_at)))
    return lines
