"""Pieces the broadcast conversations share: the update a button names, reading a
time, showing head counts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.broadcasts.preview import Preview
from bot.broadcasts.spec import BODY_MAX, TITLE_MAX, BroadcastError, check_send_at
from bot.core.context import Context
from bot.core.text import parse_id
from bot.i18n import LANGUAGE_NAMES, N_
from bot.storage.broadcast_models import Broadcast

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M")


def expired(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))


def too_late(ctx: Context) -> None:
    ctx.reply(ctx._("This update has started going out, so it cannot change. "
                    "A correction is a new update: send /broadcast."))


def owned(ctx: Context, value: str) -> Broadcast | None:
    """The update a button names, if this coordinator wrote it (any, for an admin);
    else None, after saying the button has expired."""
    number = parse_id(value)
    broadcast = ctx.session.get(Broadcast, number) if number is not None else None
    if broadcast is None or (broadcast.created_by != ctx.member.id and not ctx.has_role("admin")):
        expired(ctx)
        return None
    return broadcast


LIMITS = {
    "title": (TITLE_MAX, N_("That title is a bit long. Please keep it under {limit} characters.")),
    "body": (BODY_MAX, N_("That message is too long. Please keep it under {limit} characters.")),
}


def fits(ctx: Context, part: Literal["title", "body"], text: str) -> bool:
    """True if `text` can be the update's `part`; else False, after saying the limit."""
    limit, too_long = LIMITS[part]
    if len(text) <= limit:
        return True
    ctx.reply(ctx._(too_long).format(limit=limit))
    return False


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
