"""/updates: change, cancel or get translations for an update before it goes out.

A coordinator sees their drafts and scheduled updates. Changing one walks
through the new time or a language's new text, then shows the new preview
and head counts; only "Save changes" changes it. Once the update has started
going out nothing can change: a correction is a new update.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from bot.broadcasts import build_preview
from bot.broadcasts.edit import EDITABLE, apply_edit, cancel_editable, changed, spec_of
from bot.broadcasts.spec import BroadcastError
from bot.broadcasts.translation_requests import request_translation
from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.ui import language_buttons
from bot.i18n import LANGUAGE_NAMES, N_
from bot.storage.broadcast_models import Broadcast
from bot.storage.models import utcnow
from handlers.broadcast_common import (
    expired,
    fits,
    owned,
    read_time,
    show_counts,
    too_late,
)

router = Router("broadcast_edit")
FLOW = "bcast_edit"
TEAM = ("coordinator",)


def mine(ctx: Context, value: str) -> Broadcast | None:
    """The coordinator's own update (any, for an admin), still changeable."""
    broadcast = owned(ctx, value)
    if broadcast is None:
        return None
    if broadcast.status not in EDITABLE:
        too_late(ctx)
        return None
    return broadcast


def title_of(broadcast: Broadcast) -> str:
    return str(broadcast.texts.get(broadcast.default_language, {}).get("title", ""))


@router.command("updates", roles=TEAM, description=N_("Change or cancel an update"))
def list_updates(event: Event, ctx: Context) -> None:
    query = select(Broadcast).where(col(Broadcast.status).in_(EDITABLE))
    if not ctx.has_role("admin"):
        query = query.where(col(Broadcast.created_by) == ctx.member.id)
    found = list(ctx.session.exec(query.order_by(col(Broadcast.id))))
    if not found:
        ctx.reply(ctx._("You have no updates waiting to go out."))
        return
    for b in found:
        when = (ctx._("Goes out at {time}.").format(time=ctx.t.datetime(b.send_at))
                if b.send_at else ctx._("Not sent yet."))
        ctx.reply(f"{b.id}. {title_of(b)}\n{when}",
                  [[Button(ctx._("Change it"), f"bced:pick:{b.id}"),
                    Button(ctx._("Cancel it"), f"bced:cancel:{b.id}")],
                   [Button(ctx._("Ask for a translation"), f"bced:tr:{b.id}")]])


@router.button("bced:", roles=TEAM)
def pressed(event: Event, ctx: Context) -> None:
    _, verb, *rest = (event.action or "").split(":", 2)
    handler = BUTTONS.get(verb)
    if handler is None:
        expired(ctx)
        return
    handler(ctx, rest[0] if rest else "")


def pick(ctx: Context, value: str) -> None:
    broadcast = mine(ctx, value)
    if broadcast is None:
        return
    ctx.state.go(FLOW, "what", id=broadcast.id, texts=broadcast.texts,
                 send_at=broadcast.send_at.isoformat() if broadcast.send_at else None)
    ctx.reply(ctx._("What do you want to change?"),
              [[Button(ctx._("The time"), "bced:time"), Button(ctx._("The text"), "bced:text")],
               [Button(ctx._("Cancel"), "bced:stop")]])


def at(ctx: Context, *steps: str) -> bool:
    if ctx.state.flow == FLOW and ctx.state.step in steps:
        return True
    expired(ctx)
    return False


def ask_time(ctx: Context, _: str) -> None:
    if at(ctx, "what"):
        ctx.state.go(FLOW, "time_text")
        ctx.reply(ctx._("Please type the new date and time, like 2026-12-01 14:30. "
                        "I will use your time zone ({zone}).").format(zone=ctx.member.timezone))


def ask_language(ctx: Context, _: str) -> None:
    if at(ctx, "what"):
        ctx.state.go(FLOW, "lang")
        ctx.reply(ctx._("Which language do you want to change or add?"),
                  language_buttons(ctx.settings.languages, prefix="bced:lang:"))


def chose_language(ctx: Context, lang: str) -> None:
    if at(ctx, "lang") and lang in ctx.settings.languages:
        ctx.state.go(FLOW, "title", lang=lang)
        ctx.reply(ctx._("Please send the title in {language}. Keep it short.")
                  .format(language=LANGUAGE_NAMES.get(lang, lang)))


@router.flow(FLOW)
def typed(event: Event, ctx: Context) -> None:
    step, data = ctx.state.step, ctx.state.data
    if step == "time_text":
        send_at = read_time(ctx, event.text)
        if send_at is not None:
            ctx.state.go(FLOW, "confirm", send_at=send_at.isoformat())
            show_change(ctx, ctx.state.data)
    elif step == "title":
        if fits(ctx, "title", event.text):
            ctx.state.go(FLOW, "body", title=event.text)
            ctx.reply(ctx._("Thank you. Now send the message itself."))
    elif step == "body":
        if fits(ctx, "body", event.text):
            texts = {**data["texts"], data["lang"]: {"title": data["title"], "body": event.text}}
            ctx.state.go(FLOW, "confirm", texts=texts)
            show_change(ctx, ctx.state.data)
    else:
        ctx.reply(ctx._("Please tap one of the buttons above."))


def pending(ctx: Context, data: dict[str, Any]) -> tuple[Broadcast, Any] | None:
    broadcast = mine(ctx, str(data.get("id", "")))
    if broadcast is None:
        ctx.state.clear()
        return None
    spec = spec_of(broadcast)
    spec.texts = data["texts"]
    spec.send_at = datetime.fromisoformat(data["send_at"]) if data.get("send_at") else None
    return broadcast, spec


def show_change(ctx: Context, data: dict[str, Any]) -> None:
    """The changed update's preview and head counts, before anything is saved."""
    found = pending(ctx, data)
    if found is None:
        return
    broadcast, spec = found
    preview = build_preview(ctx.session, changed(broadcast, spec), ctx.i18n)
    lines = show_counts(ctx, preview, spec.send_at)
    ctx.reply("\n".join([*lines, ctx._("Shall I save these changes?")]),
              [[Button(ctx._("Save changes"), f"bced:save:{broadcast.id}"),
                Button(ctx._("Don't change"), "bced:stop")]])


def save(ctx: Context, value: str) -> None:
    if not at(ctx, "confirm"):
        return
    if str(ctx.state.data.get("id")) != value:
        expired(ctx)
        return
    found = pending(ctx, ctx.state.data)
    if found is None:
        return
    broadcast, spec = found
    try:
        apply_edit(ctx.session, int(value), spec)
    except BroadcastError:
        ctx.state.clear()
        too_late(ctx)
        return
    ctx.state.clear()
    ctx.reply(ctx._("Saved. Update {id} is changed.").format(id=broadcast.id))


def cancel_update(ctx: Context, value: str) -> None:
    broadcast = mine(ctx, value)
    if broadcast is None or broadcast.id is None:
        return
    try:
        cancel_editable(ctx.session, broadcast.id)
    except BroadcastError:
        too_late(ctx)
        return
    if ctx.state.flow == FLOW:
        ctx.state.clear()
    ctx.reply(ctx._("Update {id} is cancelled. Nothing was sent.").format(id=broadcast.id))


def ask_translation(ctx: Context, value: str) -> None:
    broadcast = mine(ctx, value)
    if broadcast is None:
        return
    missing = [code for code in ctx.settings.languages if code not in broadcast.texts]
    if not missing:
        ctx.reply(ctx._("This update is in all our languages."))
        return
    ctx.reply(ctx._("Which language do you need?"),
              language_buttons(missing, prefix=f"bced:trl:{broadcast.id}:"))


def chose_translation(ctx: Context, value: str) -> None:
    broadcast_id, _, lang = value.partition(":")
    broadcast = mine(ctx, broadcast_id)
    if broadcast is None or broadcast.id is None:
        return
    if lang not in ctx.settings.languages or lang in broadcast.texts:
        expired(ctx)
        return
    rows = request_translation(ctx.session, ctx.i18n, broadcast.id, lang, utcnow(),
                               requested_by=ctx.member.id, source_event_id=ctx.event_id)
    if not rows:
        ctx.reply(ctx._("Nobody new can translate into {language} right now. Members can "
                        "offer to help in /profile.")
                  .format(language=LANGUAGE_NAMES.get(lang, lang)))
        return
    ctx.reply(ctx.n_("I asked {count} person to translate it. I will show you their "
                     "translation before it is used.",
                     "I asked {count} people to translate it. I will show you their "
                     "translation before it is used.", len(rows)).format(count=len(rows)))


def stop(ctx: Context, _: str) -> None:
    if ctx.state.flow == FLOW:
        ctx.state.clear()
    ctx.reply(ctx._("OK. Nothing is changed."))


BUTTONS = {"pick": pick, "time": ask_time, "text": ask_language, "lang": chose_language,
           "save": save, "cancel": cancel_update, "tr": ask_translation,
           "trl": chose_translation, "stop": stop}
