"""Step 10 of /start, and /profile: "Here's what I've saved", with Change buttons."""

from __future__ import annotations

from bot.broadcasts.translators import offered_languages
from bot.core.context import Context
from bot.core.events import Button
from bot.core.ui import rows
from bot.i18n import LANGUAGE_NAMES, N_
from bot.storage.models import utcnow
from bot.storage.profile_models import Profile
from handlers.onboarding_about import INTRODUCTIONS, PRONOUNS
from handlers.onboarding_choices import NEEDS, PAYMENTS, WAYS
from handlers.onboarding_flow import SECTIONS, action, go, label_of, profile_of, save, step
from handlers.onboarding_prefs import CHECKINS, quiet_text

CHANGE_BUTTONS = (
    ("about", N_("Change about me")),
    ("language", N_("Change language")),
    ("time", N_("Change times")),
    ("checkins", N_("Change check-ins")),
    ("needs", N_("Change needs")),
    ("ways", N_("Change ways to take part")),
    ("translate", N_("Change translating")),
    ("payment", N_("Change payment")),
)


def describe(ctx: Context) -> list[str]:
    """One line per saved answer, in the member's language."""
    assert ctx.member.id is not None
    profile = ctx.session.get(Profile, ctx.member.id) or Profile(member_id=ctx.member.id)
    not_set = ctx._("not set")
    intro = (profile.introduce_as_text if profile.introduce_as == "other"
             else label_of(ctx, INTRODUCTIONS, profile.introduce_as))
    needs = [ctx._(label) for value, label in NEEDS if value in profile.needs and value != "other"]
    if "other" in profile.needs and profile.needs_other:
        needs.append(profile.needs_other)
    ways = [ctx._(label) for value, label in WAYS if value in profile.ways_to_take_part]
    language = LANGUAGE_NAMES.get(ctx.member.language, ctx.member.language)
    helps = [LANGUAGE_NAMES.get(c, c) for c in offered_languages(ctx.session, ctx.member.id)]
    return [
        ctx._("Name: {value}").format(value=ctx.member.display_name or not_set),
        ctx._("Pronouns: {value}").format(
            value=label_of(ctx, PRONOUNS, profile.pronouns) or not_set),
        ctx._("How to introduce you: {value}").format(value=intro or not_set),
        ctx._("Language: {value}").format(value=language),
        ctx._("Time zone: {value}").format(value=ctx.member.timezone),
        ctx._("Quiet hours: {value}").format(value=quiet_text(ctx)),
        ctx._("Check-ins: {value}").format(
            value=label_of(ctx, CHECKINS, profile.checkin_frequency) or not_set),
        ctx._("What helps you: {value}").format(value=", ".join(needs) or not_set),
        ctx._("Ways to take part: {value}").format(value=", ".join(ways) or not_set),
        ctx._("Can help translate into: {value}").format(value=", ".join(helps) or not_set),
        ctx._("Payment: {value}").format(
            value=label_of(ctx, PAYMENTS, profile.payment_preference) or not_set),
    ]


def summary_button(ctx: Context, verb: str, value: str) -> bool:
    if verb == "change" and value in SECTIONS:
        go(ctx, SECTIONS[value][0], editing=True)
    elif verb == "done":
        finish(ctx)
    return False


@step("summary", on_button=summary_button)
def show_summary(ctx: Context) -> None:
    text = "\n\n".join([
        ctx._("Here's what I've saved:"),
        "\n".join(describe(ctx)),
        ctx._("Tap a button to change something."),
    ])
    buttons = rows(Button(ctx._(label), action("summary", "change", section))
                   for section, label in CHANGE_BUTTONS)
    last = [Button(ctx._("All done"), action("summary", "done"))]
    if profile_of(ctx).onboarded_at is None:
        last.insert(0, Button(ctx._("Back"), action("summary", "back")))
    ctx.reply(text, [*buttons, last])


def finish(ctx: Context) -> None:
    profile = profile_of(ctx)
    first_time = profile.onboarded_at is None
    if first_time:
        profile.onboarded_at, profile.onboarding_step = utcnow(), None
        save(ctx, profile)
    ctx.state.clear()
    if not first_time:
        ctx.reply(ctx._("Thank you. Your details are saved."))
        return
    name = ctx.member.display_name
    ctx.reply("\n\n".join([
        ctx._("Thank you, {name}. You are all set.").format(name=name) if name
        else ctx._("Thank you. You are all set."),
        ctx.t.choose(N_("Send /help to see what I can do. Send /profile to see or change "
                        "your details."),
                     N_("Send /help for help. Send /profile to change your details.")),
    ]))
