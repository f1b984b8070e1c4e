"""The /start journey as a list of steps, and moving between them.

Each step asks one question and knows how to take its answer (a button or
typed text). Every step after the language has Back and Skip. Where a member
is lives in the conversation state (and, after consent, in their profile), so
the journey can be left and picked up days later from the same step.

Button actions are `onb:<step>:<verb>[:<value>]`. A button is only acted on
while the member is still at that step, so an old button changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.core.context import Context
from bot.core.events import Button
from bot.core.ui import rows
from bot.privacy import has_consent
from bot.storage.models import utcnow
from bot.storage.profile_models import Profile

FLOW = "onboarding"
ORDER = ("language", "consent", "name", "pronouns", "intro", "timezone", "quiet", "checkins",
         "needs", "ways", "translate", "payment", "summary")
# What each "Change" button on the summary walks through again.
SECTIONS: dict[str, tuple[str, ...]] = {
    "about": ("name", "pronouns", "intro"),
    "language": ("language",),
    "time": ("timezone", "quiet"),
    "checkins": ("checkins",),
    "needs": ("needs",),
    "ways": ("ways",),
    "translate": ("translate",),
    "payment": ("payment",),
}
Choices = Iterable[tuple[str, str]]  # (value, N_ label)


@dataclass(frozen=True)
class Step:
    """One question. `on_button`/`on_text` return True when it is answered."""

    name: str
    ask: Callable[[Context], None]
    on_button: Callable[[Context, str, str], bool] | None = None
    on_text: Callable[[Context, str], bool] | None = None
    before_consent: bool = False


STEPS: dict[str, Step] = {}


def step(name: str, *, before_consent: bool = False,
         on_button: Callable[[Context, str, str], bool] | None = None,
         on_text: Callable[[Context, str], bool] | None = None,
         ) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    """Register the decorated `ask` function as step `name`."""

    def register(ask: Callable[[Context], None]) -> Callable[[Context], None]:
        STEPS[name] = Step(name, ask, on_button, on_text, before_consent)
        return ask

    return register


def in_group(ctx: Context) -> bool:
    """True when this event came from a group chat, not the member's own chat."""
    return ctx.reply_chat_id is not None and ctx.reply_chat_id != ctx.identity.chat_id


def private_only(ctx: Context) -> bool:
    """Personal questions and codes stay out of groups; False (after saying so) in one."""
    if not in_group(ctx):
        return True
    ctx.reply(ctx._("Please send me this in a private chat, so your details stay private."))
    return False


def profile_of(ctx: Context) -> Profile:
    """The member's profile; created on first use (only after consent)."""
    assert ctx.member.id is not None
    profile = ctx.session.get(Profile, ctx.member.id)
    if profile is None:
        profile = Profile(member_id=ctx.member.id)
        ctx.session.add(profile)
        ctx.session.flush()  # so the next lookup in this event finds it
    return profile


def save(ctx: Context, profile: Profile) -> None:
    profile.updated_at = utcnow()
    ctx.session.add(profile)


def consented(ctx: Context) -> bool:
    assert ctx.member.id is not None
    return has_consent(ctx.session, ctx.member.id)


def go(ctx: Context, name: str, **data: object) -> None:
    """Move to step `name` and ask its question."""
    current = STEPS[name]
    if not current.before_consent and not consented(ctx):
        current, name = STEPS["consent"], "consent"
    if ctx.state.flow == FLOW and ctx.state.step == name:
        ctx.state.go(FLOW, name, **data)  # same step again: keep the ticks so far
    else:
        ctx.state.go(FLOW, name, picked=None, other_text=None, **data)
    if not current.before_consent:
        profile = profile_of(ctx)
        if profile.onboarded_at is None:
            profile.onboarding_step = name
            save(ctx, profile)
    current.ask(ctx)


def section_of(name: str) -> str | None:
    return next((s for s, names in SECTIONS.items() if name in names), None)


def editing(ctx: Context) -> bool:
    return bool(ctx.state.data.get("editing"))


def advance(ctx: Context, name: str) -> None:
    """Go on to the next question; when changing one section, back to the summary."""
    following = ORDER[ORDER.index(name) + 1 :]
    nxt = next((s for s in following if s != "consent" or not consented(ctx)), "summary")
    if editing(ctx) and section_of(nxt) != section_of(name):
        nxt = "summary"
    go(ctx, nxt)


def back(ctx: Context, name: str) -> None:
    section = section_of(name)
    if editing(ctx) and section and SECTIONS[section][0] == name:
        go(ctx, "summary")
        return
    earlier = ORDER[: ORDER.index(name)]
    previous = [s for s in earlier if s != "consent" or not consented(ctx)]
    go(ctx, previous[-1] if previous else ORDER[0])


def ask_again(ctx: Context) -> None:
    """Repeat the question the member is at (after a stale button or a long gap)."""
    name = ctx.state.step
    if ctx.state.flow == FLOW and name in STEPS:
        STEPS[name].ask(ctx)


def action(name: str, verb: str, value: str = "") -> str:
    return f"onb:{name}:{verb}:{value}" if value else f"onb:{name}:{verb}"


def nav_row(ctx: Context, name: str, *, skip: bool = True) -> list[Button]:
    row = [Button(ctx._("Back"), action(name, "back"))]
    if skip:
        row.append(Button(ctx._("Skip"), action(name, "skip")))
    return row


def choice_buttons(ctx: Context, name: str, choices: Choices, *, per_row: int = 2,
                   picked: Iterable[str] | None = None) -> list[list[Button]]:
    """Buttons for choices; with `picked`, a multi-select whose chosen items say so."""
    if picked is None:
        return rows((Button(ctx._(label), action(name, "pick", value))
                     for value, label in choices), per_row)
    chosen = set(picked)
    return rows((Button(chosen_label(ctx, ctx._(label)) if value in chosen else ctx._(label),
                        action(name, "toggle", value)) for value, label in choices), per_row)


def chosen_label(ctx: Context, label: str) -> str:
    """A ticked choice in words: a screen reader would say "check mark" for a tick."""
    return ctx._("Chosen: {choice}").format(choice=label)


def question(ctx: Context, name: str, text: str, choice_rows: list[list[Button]] | None = None,
             *, done: bool = False, skip: bool = True) -> None:
    """Send a question with its choices, an optional Done, then Back and Skip."""
    buttons = list(choice_rows or [])
    if done:
        buttons.append([Button(ctx._("Done"), action(name, "done"))])
    buttons.append(nav_row(ctx, name, skip=skip))
    ctx.reply(text, buttons)


def label_of(ctx: Context, choices: Choices, value: str | None) -> str | None:
    if value is None:
        return None
    return next((ctx._(label) for v, label in choices if v == value), value)
