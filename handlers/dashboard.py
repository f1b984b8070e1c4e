"""/dashboard: a one-time login link to the staff dashboard, for staff roles only.

The link works once, for 10 minutes, and only its hash is stored. It is sent
only in a private chat: in a group, anyone could press it first.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event
from bot.core.router import Router
from bot.i18n import N_
from bot.storage.models import utcnow
from bot.web.dashboard.auth import create_login_token
from bot.web.dashboard.config import login_url

router = Router("dashboard")
STAFF_ROLES = ("staff", "coordinator", "safeguarding", "finance")


def in_group(event: Event) -> bool:
    """Platforms that know the chat type tell us; a private chat is "private"."""
    chat_type = event.extra.get("chat_type")
    return chat_type is not None and str(chat_type) != "private"


@router.command("dashboard", roles=STAFF_ROLES,
                description=N_("Get a link to log in to the staff dashboard"))
def dashboard_link(event: Event, ctx: Context) -> None:
    if in_group(event):
        ctx.reply(ctx._("Please ask me for the dashboard link in a private chat, not in a group."))
        return
    assert ctx.member.id is not None
    token = create_login_token(ctx.session, ctx.member.id, utcnow())
    ctx.reply(ctx._("Here is your link to the staff dashboard. It works once, for 10 minutes. "
                    "Please do not share it.\n{link}").format(link=login_url(ctx.settings, token)),
              sensitive=True)
