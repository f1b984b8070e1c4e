"""Privacy rights: /mydata, /forget, /leave and /privacy (which withdraws consent).

Erasing is one path, whichever way in: /forget, withdrawing consent, or
choosing it after /leave all show the same confirmation, and only a "yes"
pressed while that question is still open erases anything.
"""

from __future__ import annotations

import json

from bot.core.context import Context
from bot.core.events import Button, Event, OutgoingMessage
from bot.core.router import Router
from bot.i18n import N_
from bot.privacy import (
    cancel_pending,
    consent_version,
    erase_member,
    identities_of,
    latest_consent,
    member_data,
)
from bot.retention import period
from bot.storage.models import utcnow
from bot.storage.profile_models import Profile
from handlers.onboarding_consent import privacy_notice
from handlers.onboarding_flow import private_only
from handlers.onboarding_summary import describe
from handlers.roles import role_names

router = Router("privacy")
FLOW = "privacy"


def expired(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, that button has expired, so I have not changed anything."))


def at(ctx: Context, step: str) -> bool:
    return ctx.state.flow == FLOW and ctx.state.step == step


def consent_line(ctx: Context) -> str:
    assert ctx.member.id is not None
    latest = latest_consent(ctx.session, ctx.member.id)
    if latest is None:
        return ctx._("You have not said yes to me saving your details.")
    when = ctx.t.date(latest.created_at)
    if latest.action == "given":
        return ctx._("You said yes to me saving your details on {date}.").format(date=when)
    return ctx._("You said no to me saving your details on {date}.").format(date=when)


def status_line(ctx: Context) -> str | None:
    paused = ctx.member.paused_until
    if ctx.member.status == "stopped":
        return ctx._("You said STOP, so I do not send you messages.")
    if ctx.member.status == "left":
        return ctx._("You have left the group.")
    if paused is not None and paused > utcnow():
        return ctx._("Your messages are paused until {date}.").format(date=ctx.t.date(paused))
    return None


@router.command("mydata", description=N_("Get a copy of everything I have saved about you"))
def my_data(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    assert ctx.member.id is not None
    data = member_data(ctx.session, ctx.member.id)
    platforms = sorted({i.platform for i in identities_of(ctx.session, ctx.member.id)})
    lines = [ctx._("Here is what I have saved about you."), ""]
    latest = latest_consent(ctx.session, ctx.member.id)
    if latest is not None and latest.action == "given":
        lines += describe(ctx)
    lines += [
        ctx._("Your accounts: {value}").format(value=", ".join(platforms)),
        ctx._("Your roles: {value}").format(value=", ".join(role_names(ctx, ctx.roles))),
        consent_line(ctx),
    ]
    status = status_line(ctx)
    if status:
        lines.append(status)
    lines += ["", ctx._("The file has all of it, including our messages from the last {days} "
                        "days.").format(days=period(ctx.settings, "retention_inbox_days").days)]
    content = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    # Sensitive: once sent, the outbox does not keep a second full copy of their data.
    ctx.send(ctx.identity, OutgoingMessage("\n".join(lines), document_name="my-data.json",
                                           document_text=content, sensitive=True))


def ask_forget(ctx: Context) -> None:
    ctx.state.go(FLOW, "forget")
    ctx.reply("\n\n".join([
        ctx._("Do you want me to delete everything I have saved about you?"),
        ctx._("This means your details, your answers and our messages. "
              "I will stop sending you messages. This cannot be undone."),
        ctx._("If we have paid you, the law says we must keep a record of the payment "
              "for 6 years. It will not have your name on it."),
    ]), [[Button(ctx._("Yes, delete it all"), "priv:forget:yes")],
         [Button(ctx._("No, keep my details"), "priv:forget:no")]])


@router.command("forget", description=N_("Delete everything I have saved about you"))
def forget(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    ask_forget(ctx)


@router.button("priv:forget:")
def forget_answer(event: Event, ctx: Context) -> None:
    if not at(ctx, "forget"):
        expired(ctx)
        return
    if event.action != "priv:forget:yes":
        ctx.state.clear()
        ctx.reply(ctx._("OK. I have not deleted anything."))
        return
    assert ctx.member.id is not None
    erase_member(ctx.session, ctx.member.id,
                 default_language=ctx.settings.default_language,
                 default_timezone=ctx.settings.default_timezone,
                 channel=ctx.identity.platform, version=consent_version(ctx.settings))
    ctx.reply("\n\n".join([
        ctx._("Done. I have deleted your details and our messages. "
              "I will not send you any more messages."),
        ctx._("If you need support, you can still send HELP. "
              "If you want to come back one day, send /start."),
    ]))


@router.command("leave", description=N_("Leave the group"))
def leave(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    ctx.state.go(FLOW, "leave")
    ctx.reply(ctx._("Do you want to leave {group}? I will stop sending you messages.")
              .format(group=ctx.settings.group_name),
              [[Button(ctx._("Yes, leave"), "priv:leave:yes"),
                Button(ctx._("No, stay"), "priv:leave:no")]])


@router.button("priv:leave:")
def leave_answer(event: Event, ctx: Context) -> None:
    if not at(ctx, "leave"):
        expired(ctx)
        return
    if event.action != "priv:leave:yes":
        ctx.state.clear()
        ctx.reply(ctx._("Good. You are still in the group."))
        return
    assert ctx.member.id is not None
    ctx.member.status = "left"
    ctx.session.add(ctx.member)
    profile = ctx.session.get(Profile, ctx.member.id)
    if profile is not None:
        profile.left_at = utcnow()
        ctx.session.add(profile)
    cancel_pending(ctx.session, ctx.member.id, ctx.event_id)
    ctx.state.go(FLOW, "left")
    lines = [
        ctx._("You have left the group. I will not send you any more messages."),
        ctx._("Would you like me to delete your details too? If you keep them, "
              "you can come back at any time by sending /start."),
    ]
    if profile is not None:
        lines.append(ctx._("If you keep them, I will delete them after {days} days.")
                     .format(days=period(ctx.settings, "retention_left_days").days))
    ctx.reply("\n\n".join(lines),
              [[Button(ctx._("Delete my details"), "priv:left:delete")],
               [Button(ctx._("Keep my details"), "priv:left:keep")]])


@router.button("priv:left:")
def after_leaving(event: Event, ctx: Context) -> None:
    if not at(ctx, "left"):
        expired(ctx)
    elif event.action == "priv:left:delete":
        ask_forget(ctx)
    else:
        ctx.state.clear()
        ctx.reply(ctx._("OK. I have kept your details. Send /start if you want to come back."))


@router.command("privacy", description=N_("How I use your details"))
def privacy(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    assert ctx.member.id is not None
    latest = latest_consent(ctx.session, ctx.member.id)
    text = privacy_notice(ctx) + "\n\n" + consent_line(ctx)
    if latest is None or latest.action != "given":
        ctx.reply(text + "\n\n" + ctx._("If you change your mind, send /start."))
        return
    ctx.reply(text + "\n\n" + ctx._("You can take back your yes at any time. "
                                    "Then I delete your details."),
              [[Button(ctx._("Take back my yes"), "priv:withdraw")]])


@router.button("priv:withdraw")
def withdraw(event: Event, ctx: Context) -> None:
    """Withdrawing consent is erasure, with the very same confirmation."""
    assert ctx.member.id is not None
    latest = latest_consent(ctx.session, ctx.member.id)
    if latest is None or latest.action != "given":
        expired(ctx)
        return
    ask_forget(ctx)
