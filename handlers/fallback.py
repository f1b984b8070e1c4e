"""What happens to messages no feature claimed, and to platform status events."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Event
from bot.core.router import Router

router = Router("fallback")


@router.fallback
def not_understood(event: Event, ctx: Context) -> None:
    ctx.reply(ctx._("Thank you for your message. I am a bot, so I only understand commands "
                    "and buttons. Send /help to see them."))


@router.unsupported
def unsupported(event: Event, ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, I can only read text and buttons for now."))


@router.platform_event("blocked")
def blocked(event: Event, ctx: Context) -> None:
    ctx.identity.unreachable = True
    ctx.identity.unreachable_reason = "blocked"
    ctx.session.add(ctx.identity)


@router.platform_event("unblocked")
def unblocked(event: Event, ctx: Context) -> None:
    ctx.identity.unreachable = False
    ctx.identity.unreachable_reason = None
    ctx.session.add(ctx.identity)
