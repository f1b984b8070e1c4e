"""/broadcast: a coordinator writes a learning update, checks it, and sends it.

The conversation: kind, then a title and body per language, then who gets
it, then when. The coordinator sees the exact text each language group will
get and how many people are in each, and only "Send it" queues anything.
"""

from __future__ import annotations

from datetime import datetime

from bot.broadcasts import build_preview, cancel, create_draft
from bot.broadcasts.audience import group_names
from bot.broadcasts.fanout import batch_size_from
from bot.broadcasts.schedule import confirm_in
from bot.broadcasts.spec import KINDS, BroadcastSpec, choose_default
from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.ui import language_buttons, rows
from bot.i18n import LANGUAGE_NAMES, N_
from bot.storage.broadcast_models import Broadcast
from handlers.broadcast_common import (
    expired,
    fits,
    owned,
    read_time,
    show_counts,
)

router = Router("broadcasts")
FLOW = "broadcast"
TEAM = ("coordinator",)

KIND_LABELS = {"learning": N_("Learning update"), "you_said_we_did": N_("You said, we did"),
               "session_news": N_("Session news"), "urgent": N_("Urgent")}
ROLE_LABELS = {"coordinator": N_("Coordinators"), "staff": N_("Staff"),
               "safeguarding": N_("Safeguarding leads"), "finance": N_("Finance"),
               "admin": N_("Admins")}


def cancel_row(ctx: Context) -> list[Button]:
    return [Button(ctx._("Cancel"), "bcast:cancel")]


def ask(ctx: Context, text: str, buttons: list[list[Button]] | None = None) -> None:
    ctx.reply(text, [*(buttons or []), cancel_row(ctx)])


def at_step(ctx: Context, *steps: str) -> bool:
    """A button still counts only at the step it was offered for."""
    if ctx.state.flow == FLOW and ctx.state.step in steps:
        return True
    expired(ctx)
    return False


@router.command("broadcast", roles=TEAM, description=N_("Write an update for members"))
def start(event: Event, ctx: Context) -> None:
    ctx.state.clear()
    ctx.state.go(FLOW, "kind", texts={})
    ask(ctx, ctx._("Let's write an update. What kind of update is it?"),
        rows(Button(ctx._(KIND_LABELS[k]), f"bcast:kind:{k}") for k in KINDS))


@router.button("bcast:", roles=TEAM)
def pressed(event: Event, ctx: Context) -> None:
    _, verb, *rest = (event.action or "").split(":", 2)
    value = rest[0] if rest else ""
    handler = BUTTONS.get(verb)
    if handler is None:
        expired(ctx)
        return
    handler(ctx, value)


def chose_kind(ctx: Context, kind: str) -> None:
    if at_step(ctx, "kind") and kind in KINDS:
        ctx.state.go(FLOW, "lang", kind=kind)
        ask(ctx, ctx._("Which language will you write it in first?"),
            language_buttons(ctx.settings.languages, prefix="bcast:lang:"))


def chose_language(ctx: Context, lang: str) -> None:
    if at_step(ctx, "lang", "more") and lang in ctx.settings.languages:
        ctx.state.go(FLOW, "title", lang=lang)
        ask(ctx, ctx._("Please send the title in {language}. Keep it short.")
            .format(language=LANGUAGE_NAMES.get(lang, lang)))


@router.flow(FLOW)
def typed(event: Event, ctx: Context) -> None:
    step, data = ctx.state.step, ctx.state.data
    if step == "title":
        if fits(ctx, "title", event.text):
            ctx.state.go(FLOW, "body", title=event.text)
            ask(ctx, ctx._("Thank you. Now send the message itself."))
    elif step == "body":
        if fits(ctx, "body", event.text):
            texts = {**data.get("texts", {}),
                     data["lang"]: {"title": data["title"], "body": event.text}}
            ctx.state.go(FLOW, "more", texts=texts)
            offer_more(ctx, texts)
    elif step == "when_text":
        chose_time(ctx, event.text)
    else:
        ctx.reply(ctx._("Please tap one of the buttons above."))


def offer_more(ctx: Context, texts: dict[str, object]) -> None:
    left = [code for code in ctx.settings.languages if code not in texts]
    buttons = language_buttons(left, prefix="bcast:lang:") if left else []
    ask(ctx, ctx._("Do you want to add the same update in another language?"),
        [*buttons, [Button(ctx._("No, that's all"), "bcast:done")]])


def written(ctx: Context, _: str) -> None:
    if at_step(ctx, "more"):
        ctx.state.go(FLOW, "audience")
        buttons = [Button(ctx._("Everyone"), "bcast:aud:everyone"),
                   Button(ctx._("People with a role"), "bcast:aud:role"),
                   Button(ctx._("People who use a language"), "bcast:aud:language")]
        if group_names(ctx.session):
            buttons.append(Button(ctx._("A project group"), "bcast:aud:group"))
        ask(ctx, ctx._("Who should get it?"), rows(buttons, per_row=1))


def chose_audience(ctx: Context, kind: str) -> None:
    if not at_step(ctx, "audience"):
        return
    if kind == "everyone":
        set_audience(ctx, "everyone")
    elif kind == "role":
        ask(ctx, ctx._("Which role?"),
            rows(Button(ctx._(label), f"bcast:role:{r}") for r, label in ROLE_LABELS.items()))
    elif kind == "language":
        ask(ctx, ctx._("Which language do they use?"),
            language_buttons(ctx.settings.languages, prefix="bcast:alang:"))
    elif kind == "group":
        ask(ctx, ctx._("Which project group?"),
            rows(Button(name, f"bcast:group:{gid}") for gid, name in group_names(ctx.session)))


def chose_role(ctx: Context, role: str) -> None:
    if at_step(ctx, "audience") and role in ROLE_LABELS:
        set_audience(ctx, f"role:{role}")


def chose_audience_language(ctx: Context, lang: str) -> None:
    if at_step(ctx, "audience") and lang in ctx.settings.languages:
        set_audience(ctx, f"language:{lang}")


def chose_group(ctx: Context, group_id: str) -> None:
    names = dict(group_names(ctx.session))
    if at_step(ctx, "audience") and group_id.isdigit() and int(group_id) in names:
        set_audience(ctx, f"group:{names[int(group_id)]}")


def set_audience(ctx: Context, audience: str) -> None:
    ctx.state.go(FLOW, "when", audience=[audience])
    ask(ctx, ctx._("When should it go? Updates that are not urgent wait until each "
                   "person's quiet hours are over."),
        [[Button(ctx._("Now"), "bcast:when:now"), Button(ctx._("Later"), "bcast:when:later")]])


def chose_when(ctx: Context, when: str) -> None:
    if not at_step(ctx, "when"):
        return
    if when == "now":
        show_preview(ctx, None)
    else:
        ctx.state.go(FLOW, "when_text")
        ask(ctx, ctx._("Please type the date and time, like 2026-12-01 14:30. "
                       "I will use your time zone ({zone}).").format(zone=ctx.member.timezone))


def chose_time(ctx: Context, text: str) -> None:
    send_at = read_time(ctx, text)
    if send_at is not None:
        show_preview(ctx, send_at)


def show_preview(ctx: Context, send_at: datetime | None) -> None:
    """Save a draft and show each language's text and head count."""
    data = ctx.state.data
    spec = BroadcastSpec(kind=data["kind"], texts=data["texts"], audience=data["audience"],
                         send_at=send_at, created_by=ctx.member.id,
                         default_language=choose_default(data["texts"],
                                                         ctx.settings.default_language))
    draft = create_draft(ctx.session, spec)
    preview = build_preview(ctx.session, draft, ctx.i18n)
    if preview.people == 0:
        cancel(ctx.session, draft)
        ctx.state.go(FLOW, "more")
        ctx.reply(ctx._("Nobody in that group can get it at the moment."))
        written(ctx, "")
        return
    lines = show_counts(ctx, preview, send_at)
    ctx.state.go(FLOW, "confirm", draft_id=draft.id)
    ctx.reply("\n".join(lines + [ctx._("Shall I send it?")]),
              [[Button(ctx._("Send it"), f"bcast:send:{draft.id}"),
                Button(ctx._("Don't send"), f"bcast:drop:{draft.id}")]])


def own_draft(ctx: Context, value: str) -> Broadcast | None:
    """The draft this coordinator is confirming, still a draft; else say why not."""
    broadcast = owned(ctx, value)
    if broadcast is None:
        return None
    if broadcast.status != "draft":
        ctx.reply(ctx._("This update has already been sent or cancelled."))
        return None
    return broadcast


def send(ctx: Context, value: str) -> None:
    broadcast = own_draft(ctx, value)
    if broadcast is None:
        return
    result = confirm_in(ctx.session, broadcast, ctx.i18n,
                        batch_size=batch_size_from(ctx.settings))
    if ctx.state.flow == FLOW:
        ctx.state.clear()
    if result is None:
        assert broadcast.send_at is not None
        ctx.reply(ctx._("Saved. Update {id} will go out at {time}. Until then you can "
                        "change it or cancel it with /updates.")
                  .format(id=broadcast.id, time=ctx.t.datetime(broadcast.send_at)))
        return
    ctx.reply(ctx.n_("Done. Update {id} is on its way to {count} person.",
                     "Done. Update {id} is on its way to {count} people.", result.queued)
              .format(id=broadcast.id, count=result.queued)
              + "\n" + ctx._("Each person gets it in their own language, at a good time "
                             "for them."))


def drop(ctx: Context, value: str) -> None:
    broadcast = own_draft(ctx, value)
    if broadcast is not None:
        cancel(ctx.session, broadcast)
        stop(ctx, "")


def stop(ctx: Context, _: str) -> None:
    if ctx.state.flow == FLOW:
        ctx.state.clear()
    ctx.reply(ctx._("OK. I have not sent anything."))


BUTTONS = {"kind": chose_kind, "lang": chose_language, "done": written,
           "aud": chose_audience, "role": chose_role, "alang": chose_audience_language,
           "group": chose_group, "when": chose_when, "send": send, "drop": drop,
           "cancel": stop}


# Changing, cancelling and translating updates before they go out.
from handlers import broadcast_edit, broadcast_translations  # noqa: E402

router.include(broadcast_edit.router)
router.include(broadcast_translations.router)
