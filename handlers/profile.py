"""/profile: see everything saved from the /start journey, and change any of it.

It also offers to help translate updates for the group (paid work): /translate
lets a member pick the languages they can translate, and take the offer back.
The offer is a line of text after the summary, without buttons, so the
summary's Change buttons stay the latest ones.
"""

from __future__ import annotations

from bot.broadcasts.translators import clear_languages, offered_languages, toggle_language
from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.ui import rows
from bot.i18n import LANGUAGE_NAMES, N_
from handlers.onboarding_flow import chosen_label, consented, go, private_only

router = Router("profile")


@router.command("profile", description=N_("See or change your details"))
def show_profile(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    if not consented(ctx):
        ctx.reply(ctx._("I have not saved any details about you. "
                        "If you would like me to, send /start."))
        return
    go(ctx, "summary")
    offer_translation(ctx)


def offer_translation(ctx: Context) -> None:
    assert ctx.member.id is not None
    offered = offered_languages(ctx.session, ctx.member.id)
    if offered:
        names = ", ".join(LANGUAGE_NAMES.get(c, c) for c in offered)
        text = ctx._("You help translate updates. Your languages: {languages}. "
                     "To change this, send /translate.").format(languages=names)
    else:
        text = ctx._("Do you know more than one language? You can help translate "
                     "updates for the group. It is paid work. Send /translate to say yes.")
    ctx.reply(text)


@router.command("translate", description=N_("Help translate updates"))
def choose(event: Event, ctx: Context) -> None:
    if not private_only(ctx):
        return
    if not consented(ctx):  # a stored choice is personal data: only with consent
        ctx.reply(ctx._("I have not saved any details about you. "
                        "If you would like me to, send /start."))
        return
    language_choice(ctx)


def language_choice(ctx: Context) -> None:
    """One button per language, "Chosen: ..." in words when picked; a tap switches it."""
    assert ctx.member.id is not None
    offered = set(offered_languages(ctx.session, ctx.member.id))
    buttons = [Button(chosen_label(ctx, name) if c in offered else name, f"btl:t:{c}")
               for c, name in ((c, LANGUAGE_NAMES.get(c, c)) for c in ctx.settings.languages)]
    ctx.reply(ctx._("Tap each language you can read and write well. Tap again to take "
                    "it away."),
              [*rows(buttons), [Button(ctx._("Done"), "btl:done")],
               [Button(ctx._("Stop helping"), "btl:off")]])


@router.button("btl:")
def pressed(event: Event, ctx: Context) -> None:
    _, verb, *rest = (event.action or "").split(":", 2)
    assert ctx.member.id is not None
    if verb == "t" and rest and rest[0] in ctx.settings.languages:
        toggle_language(ctx.session, ctx.member.id, rest[0])
        language_choice(ctx)
    elif verb == "done":
        chosen = offered_languages(ctx.session, ctx.member.id)
        if chosen:
            ctx.reply(ctx._("Thank you. We may ask you to translate an update. You can "
                            "always say no."))
        else:
            ctx.reply(ctx._("OK. We will not ask you to translate."))
    elif verb == "off":
        clear_languages(ctx.session, ctx.member.id)
        ctx.reply(ctx._("OK. We will not ask you to translate."))
    else:
        ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))
