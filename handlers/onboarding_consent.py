"""Steps 2 and 3 of /start: the language, then explicit, opt-in consent.

Nothing personal is stored before the member taps "Yes". Saying no is
respected: we say what still works without stored details, and stop asking.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Button
from bot.i18n import N_
from bot.privacy import consent_version, record_consent
from bot.retention import period
from handlers.language import apply_language, ask_language
from handlers.onboarding_flow import action, profile_of, save, step


def organisations(ctx: Context) -> str:
    return ", ".join(ctx.settings.organisations)


def privacy_notice(ctx: Context) -> str:
    """The short privacy notice; a deployment can set its own text and a link."""
    custom = getattr(ctx.settings, "privacy_notice_text", None)
    lines = [str(custom)] if custom else [
        ctx._("{orgs} run this group. They decide how your details are used.")
        .format(orgs=organisations(ctx)),
        ctx._("We use your details to run sessions, check in with you and pay you."),
        ctx._("Only the team can see them. We never sell them."),
        ctx._("If we think someone is at risk of serious harm, we may need to tell someone. "
              "We will try to talk to you first."),
        ctx._("We delete old messages after {days} days. We keep payment records for 6 years, "
              "because the law says we must.")
        .format(days=period(ctx.settings, "retention_inbox_days").days),
        ctx._("You can see your details with /mydata. You can delete them with /forget."),
    ]
    url = getattr(ctx.settings, "privacy_notice_url", None)
    if url:
        lines.append(ctx._("You can read our full privacy notice here: {url}").format(url=url))
    return "\n\n".join(lines)


def language_picked(ctx: Context, verb: str, value: str) -> bool:
    return verb == "pick" and apply_language(ctx, value)


@step("language", before_consent=True, on_button=language_picked)
def ask_for_language(ctx: Context) -> None:
    ask_language(ctx, prefix="onb:language:pick:")


def consent_answered(ctx: Context, verb: str, value: str) -> bool:
    if verb == "more":
        ctx.reply(privacy_notice(ctx))
        ask_for_consent(ctx)
        return False
    if verb != "pick" or value not in ("yes", "no"):
        return False
    given = value == "yes"
    record_consent(ctx.session, ctx.member.id, "given" if given else "declined",
                   ctx.identity.platform, consent_version(ctx.settings))
    if given:
        save(ctx, profile_of(ctx))
        ctx.reply(ctx.t.choose(N_("Thank you. Now a few short questions. You can skip any of "
                                  "them."),
                               N_("Thank you. Now some short questions. You can skip any.")))
        return True
    ctx.state.clear()
    ctx.reply("\n\n".join([
        ctx._("That is fine. I will not save any details about you."),
        ctx._("You can still send HELP at any time for support. "
              "You can also read the updates we share with everyone."),
        ctx._("If you change your mind, send /start."),
    ]))
    return False


@step("consent", before_consent=True, on_button=consent_answered)
def ask_for_consent(ctx: Context) -> None:
    text = "\n\n".join([
        ctx.t.choose(N_("Can I save your details? This means your name, your language "
                        "and the answers you give me."),
                     N_("Can I save your details? That is your name, language and answers.")),
        ctx.t.choose(N_("Some answers, like what helps you read messages, may say something "
                        "about your health. Only share what you want to."),
                     N_("Some answers may be about your health. Only share what you want.")),
        ctx.t.choose(N_("{orgs} will use them to run the group and to pay you. Only the team "
                        "can see them."),
                     N_("{orgs} use them to run the group and pay you. Only the team sees "
                        "them."))
        .format(orgs=organisations(ctx)),
        ctx._("You can see, change or delete them at any time."),
    ])
    url = getattr(ctx.settings, "privacy_notice_url", None)
    if url:
        text += "\n\n" + ctx._("Our privacy notice: {url}").format(url=url)
    ctx.reply(text, [
        [Button(ctx._("Yes, save my details"), action("consent", "pick", "yes"))],
        [Button(ctx._("No, thank you"), action("consent", "pick", "no"))],
        [Button(ctx._("Tell me more"), action("consent", "more")),
         Button(ctx._("Back"), action("consent", "back"))],
    ])
