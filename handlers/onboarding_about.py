"""Step 4 of /start: what to call the member, and how to introduce them.

Some people do not want the "lived experience" label, so we ask how they
would like to be introduced instead of assuming.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.i18n import N_
from handlers.onboarding_flow import choice_buttons, profile_of, question, save, step

MAX_NAME = 60
MAX_PRONOUNS = 40
MAX_INTRO = 200

PRONOUNS = (("she/her", N_("she/her")), ("he/him", N_("he/him")), ("they/them", N_("they/them")))
INTRODUCTIONS = (
    ("name", N_("By my name")),
    ("coproducer", N_("As a co-producer")),
    ("lived", N_("As someone with lived experience")),
    ("other", N_("Other (type it)")),
)


def too_long(ctx: Context, text: str, limit: int) -> bool:
    if len(text) <= limit:
        return False
    ctx.reply(ctx._("That is a bit long. Please use {limit} letters or fewer.")
              .format(limit=limit))
    return True


def name_typed(ctx: Context, text: str) -> bool:
    if too_long(ctx, text, MAX_NAME):
        return False
    ctx.member.display_name = text
    ctx.session.add(ctx.member)
    ctx.reply(ctx._("Nice to meet you, {name}.").format(name=text))
    return True


@step("name", on_text=name_typed)
def ask_name(ctx: Context) -> None:
    text = ctx.t.choose(N_("What would you like me to call you? Please type it."),
                        N_("What should I call you? Type a name."))
    if ctx.member.display_name:
        text += "\n\n" + ctx._("Right now I call you {name}.").format(name=ctx.member.display_name)
    question(ctx, "name", text)


def pronouns_picked(ctx: Context, verb: str, value: str) -> bool:
    if verb != "pick" or value not in dict(PRONOUNS):
        return False
    profile = profile_of(ctx)
    profile.pronouns = value
    save(ctx, profile)
    return True


def pronouns_typed(ctx: Context, text: str) -> bool:
    if too_long(ctx, text, MAX_PRONOUNS):
        return False
    profile = profile_of(ctx)
    profile.pronouns = text
    save(ctx, profile)
    return True


@step("pronouns", on_button=pronouns_picked, on_text=pronouns_typed)
def ask_pronouns(ctx: Context) -> None:
    text = ctx.t.choose(N_("What are your pronouns? Tap one, type your own, or tap Skip."),
                        N_("Your pronouns. Tap one. Or tap Skip."))
    question(ctx, "pronouns", text, choice_buttons(ctx, "pronouns", PRONOUNS, per_row=3))


def intro_picked(ctx: Context, verb: str, value: str) -> bool:
    if verb != "pick" or value not in dict(INTRODUCTIONS):
        return False
    if value == "other":
        ctx.reply(ctx._("Please type how you would like to be introduced."))
        return False
    profile = profile_of(ctx)
    profile.introduce_as, profile.introduce_as_text = value, None
    save(ctx, profile)
    return True


def intro_typed(ctx: Context, text: str) -> bool:
    if too_long(ctx, text, MAX_INTRO):
        return False
    profile = profile_of(ctx)
    profile.introduce_as, profile.introduce_as_text = "other", text
    save(ctx, profile)
    return True


@step("intro", on_button=intro_picked, on_text=intro_typed)
def ask_intro(ctx: Context) -> None:
    text = "\n\n".join([
        ctx.t.choose(N_("How would you like me to introduce you to the group?"),
                     N_("How should I tell the group about you?")),
        ctx.t.choose(N_("Some people like to say they have lived experience. Some do not. "
                        "Both are fine."),
                     N_("Any answer is fine.")),
    ])
    question(ctx, "intro", text, choice_buttons(ctx, "intro", INTRODUCTIONS, per_row=1))
