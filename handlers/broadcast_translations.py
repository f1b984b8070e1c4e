"""Translating an update for the group, and the coordinator's review of it.

A member who was asked taps "Translate it", sends a title and then the
message, and is thanked. The coordinator gets the text with "Use it" buttons
(each with the paid time) and "Don't use it". Every button is checked again
here: the request must be this member's (or, for review, the coordinator
must be allowed) and still at that step.
"""

from __future__ import annotations

from decimal import Decimal

from bot.broadcasts.translation_messages import PAID_MINUTES, language
from bot.broadcasts.translation_requests import (
    APPROVERS,
    Result,
    approve,
    decline,
    open_request,
    reject,
    submit,
)
from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.text import parse_id
from bot.payments.ledger import Actor
from bot.storage.broadcast_models import BroadcastTranslation
from bot.storage.models import utcnow
from handlers.broadcast_common import expired, fits, too_late

router = Router("broadcast_translations")
FLOW = "bcast_tr"


def request_id(value: str) -> int:
    """The request a button names; 0 (no such request) if it is not a number."""
    return parse_id(value) or 0


def not_open(ctx: Context, result: Result) -> None:
    if result.reason == "too_late":
        ctx.reply(ctx._("Thank you. This update has already gone out, so it is not needed now."))
    elif result.reason == "wrong_state" and result.row is not None and \
            result.row.status == "withdrawn":
        ctx.reply(ctx._("Thank you. Someone else has already translated it, "
                        "so it is not needed now."))
    elif result.reason == "wrong_state":
        ctx.reply(ctx._("You have already answered this one. Thank you."))
    else:
        expired(ctx)


@router.button("btr:")
def translator_pressed(event: Event, ctx: Context) -> None:
    _, verb, *rest = (event.action or "").split(":", 2)
    rid = request_id(rest[0] if rest else "")
    assert ctx.member.id is not None
    if verb == "take":
        found = open_request(ctx.session, rid, ctx.member.id)
        if not found.ok or found.row is None:
            not_open(ctx, found)
            return
        ctx.state.go(FLOW, "title", request=rid)
        ctx.reply(ctx._("Thank you. Please send the title in {language}.")
                  .format(language=language(found.row.target_language)),
                  [[Button(ctx._("Cancel"), f"btr:quit:{rid}")]])
    elif verb == "no":
        found = decline(ctx.session, rid, ctx.member.id, utcnow())
        if found.ok:
            ctx.reply(ctx._("That's fine. Thank you for letting us know."))
        else:
            not_open(ctx, found)
    elif verb == "quit" and ctx.state.flow == FLOW:
        ctx.state.clear()
        ctx.reply(ctx._("OK. You can tap Translate it again later."))
    else:
        expired(ctx)


@router.flow(FLOW)
def typed(event: Event, ctx: Context) -> None:
    data = ctx.state.data
    rid = int(data.get("request", 0))
    assert ctx.member.id is not None
    if ctx.state.step == "title":
        if not fits(ctx, "title", event.text):
            return
        ctx.state.go(FLOW, "body", title=event.text)
        ctx.reply(ctx._("Now send the message itself."))
        return
    result = submit(ctx.session, ctx.i18n, rid, ctx.member.id, data.get("title", ""),
                    event.text, utcnow(), source_event_id=ctx.event_id)
    if result.reason == "bad_text":
        ctx.reply(ctx._("That is too long or empty. Please send the message again."))
        return
    ctx.state.clear()
    if result.ok:
        ctx.reply(ctx._("Thank you. The team will read your translation before it is used."))
    else:
        not_open(ctx, result)


@router.button("btrc:", roles=APPROVERS)
def reviewer_pressed(event: Event, ctx: Context) -> None:
    _, verb, *rest = (event.action or "").split(":", 2)
    rid_text, _, minutes = (rest[0] if rest else "").partition(":")
    rid = request_id(rid_text)
    actor = Actor(member_id=ctx.member.id, roles=ctx.roles)
    now = utcnow()
    if verb == "ok" and minutes.isdigit() and int(minutes) in PAID_MINUTES:
        result = approve(ctx.session, ctx.i18n, ctx.settings, rid, actor,
                         Decimal(int(minutes)) / Decimal(60), now, source_event_id=ctx.event_id)
    elif verb == "no":
        result = reject(ctx.session, ctx.i18n, rid, actor, now, source_event_id=ctx.event_id)
    else:
        expired(ctx)
        return
    if result.ok and result.row is not None:
        done(ctx, result.row)
    elif result.reason == "too_late":
        too_late(ctx)
    elif result.reason == "wrong_state":
        ctx.reply(ctx._("This translation has already been dealt with."))
    else:
        expired(ctx)


def done(ctx: Context, row: BroadcastTranslation) -> None:
    if row.status == "approved":
        ctx.reply(ctx._("Done. The {language} text is now part of update {id}. The work is "
                        "recorded as payment #{payment} for finance to approve.").format(
            language=language(row.target_language), id=row.broadcast_id, payment=row.payment_id))
    else:
        ctx.reply(ctx._("OK. It will not be used. I have thanked the translator."))
