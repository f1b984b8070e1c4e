"""Team roles by invite: an admin makes a one-time code, the new person sends /join CODE.

Roles can also be granted with the CLI (`copro-bot roles grant`). The router
checks the admin role on the server before `/invite` or its buttons run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from bot.core.context import Context
from bot.core.easyread import member_translator
from bot.core.events import Button, Event, OutgoingMessage
from bot.core.members import grant_role
from bot.core.router import Router
from bot.core.ui import rows
from bot.i18n import N_
from bot.linking import INVITABLE_ROLES, create_invite, redeem
from bot.storage.models import Member
from handlers.onboarding_flow import private_only

router = Router("roles")
FLOW = "roles"
DEFAULT_INVITE_HOURS = 48

ROLE_LABELS = {
    "member": N_("member"),
    "coordinator": N_("coordinator"),
    "staff": N_("staff"),
    "safeguarding": N_("safeguarding lead"),
    "finance": N_("finance"),
    "admin": N_("admin"),
}


def role_names(ctx: Context, roles: Iterable[str]) -> list[str]:
    return [ctx._(ROLE_LABELS.get(r, r)) for r in sorted(roles)]


def make_invite(ctx: Context, role: str) -> None:
    hours = int(getattr(ctx.settings, "invite_valid_hours", DEFAULT_INVITE_HOURS))
    code = create_invite(ctx.session, role, ctx.member.id, timedelta(hours=hours))
    ctx.state.clear()
    ctx.reply(ctx._("Here is a one-time code for a new {role}. It works once, "
                    "for {hours} hours.").format(role=ctx._(ROLE_LABELS[role]), hours=hours))
    ctx.reply(ctx._("Give it only to that person. They send me:\n/join {code}").format(code=code),
              sensitive=True)


@router.command("invite", roles=("admin",),
                description=N_("Make a one-time code that gives someone a team role"))
def invite(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    role = event.args.strip().lower()
    if role in INVITABLE_ROLES:
        make_invite(ctx, role)
        return
    ctx.state.go(FLOW, "invite")
    ctx.reply(ctx._("Which role is the code for?"),
              rows(Button(ctx._(ROLE_LABELS[r]), f"role:invite:{r}") for r in INVITABLE_ROLES))


@router.button("role:invite:", roles=("admin",))
def invite_role_chosen(event: Event, ctx: Context) -> None:
    role = (event.action or "").rsplit(":", 1)[-1]
    if ctx.state.flow != FLOW or ctx.state.step != "invite" or role not in INVITABLE_ROLES:
        ctx.reply(ctx._("Sorry, that button has expired. Send /invite to make a code."))
        return
    make_invite(ctx, role)


@router.command("join")
def join(event: Event, ctx: Context) -> None:
    """Not in /help: people learn it from the admin who gives them a code."""
    assert ctx.member.id is not None
    if not private_only(ctx):
        return
    if not event.args.strip():
        ctx.reply(ctx._("Please send the code with the command, like this: /join ABCD-2345"))
        return
    result = redeem(ctx.session, "invite", event.args, ctx.member.id)
    if result.outcome == "locked" and result.locked_until is not None:
        ctx.reply(ctx._("Too many codes did not work. Please try again after {time}.")
                  .format(time=ctx.t.datetime(result.locked_until, "HH:mm")))
        return
    if result.outcome != "ok" or result.code is None or result.code.role is None:
        ctx.reply(ctx._("Sorry, that code did not work. It may be wrong, used already or "
                        "too old. Please ask for a new one."))
        return
    role = result.code.role
    grant_role(ctx.session, ctx.member.id, role)
    ctx.reply(ctx._("Welcome to the team. You are now a {role}. Send /help to see what you "
                    "can do.").format(role=ctx._(ROLE_LABELS[role])))
    if result.code.member_id is not None:
        tell_inviter(ctx, result.code.member_id, role)


def tell_inviter(ctx: Context, member_id: int, role: str) -> None:
    """The admin hears their code was used, so a leaked code does not go unnoticed."""
    inviter = ctx.session.get(Member, member_id)
    if inviter is None or inviter.status == "erased":
        return
    t = member_translator(ctx.i18n, ctx.session, inviter)
    text = t.gettext("Your invite code for a new {role} has just been used.")
    ctx.send_to_member(member_id, OutgoingMessage(
        text.format(role=t.gettext(ROLE_LABELS[role]))))
