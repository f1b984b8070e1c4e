"""The /start step that asks whether a member would help translate updates.

Co-produced translation is paid work, so it is an offer, never a duty: the
step is skippable, and /translate (from /profile) changes the answer later.
The member picks the languages they read and write well, besides their own.
"""

from __future__ import annotations

from bot.broadcasts.translators import offered_languages, set_languages
from bot.core.context import Context
from bot.i18n import LANGUAGE_NAMES, N_
from handlers.onboarding_choices import picked, toggle
from handlers.onboarding_flow import choice_buttons, question, step


def other_languages(ctx: Context) -> list[tuple[str, str]]:
    """(code, name) for every language the group uses except the member's own."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in ctx.settings.languages
            if code != ctx.member.language]


def translate_button(ctx: Context, verb: str, value: str) -> bool:
    assert ctx.member.id is not None
    offered = offered_languages(ctx.session, ctx.member.id)
    if verb == "done":
        codes = dict(other_languages(ctx))
        set_languages(ctx.session, ctx.member.id,
                      [c for c in picked(ctx, offered) if c in codes])
        return True
    if verb == "toggle" and value in dict(other_languages(ctx)):
        toggle(ctx, "translate", value, offered)
        ask_translate(ctx)
    return False


@step("translate", on_button=translate_button)
def ask_translate(ctx: Context) -> None:
    assert ctx.member.id is not None
    text = "\n\n".join([
        ctx.t.choose(N_("Can you read and write another language well? You could help "
                        "translate our updates. It is paid work."),
                     N_("Do you know another language well? You can help translate. "
                        "We pay you.")),
        ctx._("Tap each language you can help with. Then tap Done. Or tap Skip."),
    ])
    chosen = picked(ctx, offered_languages(ctx.session, ctx.member.id))
    # Language names are in their own script; gettext leaves them as they are.
    question(ctx, "translate", text,
             choice_buttons(ctx, "translate", other_languages(ctx), picked=chosen), done=True)
