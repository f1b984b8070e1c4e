"""/link: join a Telegram and a Discord account to one profile with a one-time code.

On the account that is set up, /link gives a code. On the other account,
/link CODE joins them. Both then share one profile and one consent record.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.easyread import member_translator
from bot.core.events import Event, OutgoingMessage
from bot.core.router import Router
from bot.i18n import N_
from bot.linking import LINK_VALID_FOR, issue_code, merge_blocked, merge_members, redeem
from bot.privacy import identities_of
from bot.storage.models import Identity, Member
from handlers.onboarding_flow import consented, private_only

router = Router("link")
MINUTES = int(LINK_VALID_FOR.total_seconds() // 60)


@router.command("link", description=N_("Link your accounts on other apps to this one"))
def link(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    if event.args.strip():
        use_code(ctx, event.args)
    else:
        give_code(ctx)


def give_code(ctx: Context) -> None:
    if not consented(ctx):
        ctx.reply(ctx._("To link accounts, I first need to save your details. "
                        "Send /start to begin."))
        return
    code = issue_code(ctx.session, "link", ctx.member.id, LINK_VALID_FOR)
    ctx.reply(ctx._("Here is your code. It works once, for the next {minutes} minutes. "
                    "Do not share it with anyone.").format(minutes=MINUTES))
    ctx.reply(ctx._("On your other app, send me this:\n/link {code}").format(code=code),
              sensitive=True)


def use_code(ctx: Context, code: str) -> None:
    assert ctx.member.id is not None
    if merge_blocked(ctx.session, ctx.member.id):
        ctx.reply(ctx._("This account has payment records, so I cannot link it with a code. "
                        "Please ask the team to help."))
        return
    result = redeem(ctx.session, "link", code, ctx.member.id)
    if result.outcome == "locked" and result.locked_until is not None:
        ctx.reply(ctx._("Too many codes did not work. Please try again after {time}.")
                  .format(time=ctx.t.datetime(result.locked_until, "HH:mm")))
        return
    if result.outcome == "own":
        ctx.reply(ctx._("That code is for this account. Please send it from your other app."))
        return
    if result.outcome != "ok" or result.code is None or result.code.member_id is None:
        ctx.reply(ctx._("Sorry, that code did not work. It may be wrong, used already or "
                        "more than {minutes} minutes old. You can get a new one with /link "
                        "on your other app.").format(minutes=MINUTES))
        return
    keep = ctx.session.get(Member, result.code.member_id)
    if keep is None or keep.status == "erased":
        ctx.reply(ctx._("Sorry, that code did not work. Please get a new one with /link."))
        return
    merge_members(ctx.session, keep_id=result.code.member_id, drop_id=ctx.member.id)
    ctx.member = keep
    ctx.t = member_translator(ctx.i18n, ctx.session, keep)
    ctx.reply(ctx._("Done. Your accounts are linked. I will use the same details on both."))
    notice = ctx.t.gettext("A new account on {platform} was just linked to your profile. "
                           "If this was not you, please tell the team.")
    for other in other_accounts(ctx)[:1]:
        ctx.send(other, OutgoingMessage(notice.format(platform=ctx.identity.platform)))


def other_accounts(ctx: Context) -> list[Identity]:
    """The member's reachable accounts, apart from the one this message came from."""
    assert ctx.member.id is not None
    return [i for i in identities_of(ctx.session, ctx.member.id)
            if not i.unreachable and i.id != ctx.identity.id]
