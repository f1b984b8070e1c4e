"""Steps 5 and 6 of /start: time zone, quiet hours and how often to check in."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache

from bot.core.context import Context
from bot.i18n import N_
from bot.services.checkins import set_plan
from handlers.onboarding_flow import choice_buttons, label_of, profile_of, question, save, step

TIMEZONES = (
    ("Europe/London", N_("UK")),
    ("Europe/Dublin", N_("Ireland")),
    ("Europe/Warsaw", N_("Central Europe")),
    ("Europe/Bucharest", N_("Eastern Europe")),
    ("Asia/Karachi", N_("Pakistan")),
    ("Asia/Kolkata", N_("India")),
)
QUIET_HOURS = (
    ("2100-0800", N_("21:00 to 08:00")),
    ("2200-0700", N_("22:00 to 07:00")),
    ("2000-0900", N_("20:00 to 09:00")),
    ("none", N_("No quiet hours")),
)
CHECKINS = (
    ("weekly", N_("Every week")),
    ("fortnightly", N_("Every 2 weeks")),
    ("monthly", N_("Every month")),
    ("never", N_("No check-ins")),
)
_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE)


@cache
def _zones() -> dict[str, str]:
    """Lower-case names and city names to IANA keys, e.g. 'paris' -> 'Europe/Paris'."""
    found: dict[str, str] = {}
    cities: dict[str, list[str]] = {}
    for key in zoneinfo.available_timezones():
        found[key.lower()] = key
        cities.setdefault(key.rsplit("/", 1)[-1].lower(), []).append(key)
    for city, keys in cities.items():
        if len(keys) == 1:
            found.setdefault(city, keys[0])
    return found


def find_timezone(text: str) -> str | None:
    """An IANA time zone from what someone typed, or None."""
    key = _zones().get(text.strip().replace(" ", "_").lower())
    if key is None:
        return None
    try:
        zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return key


def set_timezone(ctx: Context, key: str) -> None:
    ctx.member.timezone = key
    ctx.session.add(ctx.member)
    ctx.t = ctx.i18n.translator(ctx.member.language, key, easy=ctx.t.easy)


def timezone_picked(ctx: Context, verb: str, value: str) -> bool:
    if verb != "pick" or value not in dict(TIMEZONES):
        return False
    set_timezone(ctx, value)
    return True


def timezone_typed(ctx: Context, text: str) -> bool:
    key = find_timezone(text)
    if key is None:
        ctx.reply(ctx._("Sorry, I don't know that time zone. Try a name like Europe/Paris, "
                        "or tap Skip."))
        return False
    set_timezone(ctx, key)
    ctx.reply(ctx._("Thank you. Your time zone is {zone}.").format(zone=key))
    return True


@step("timezone", on_button=timezone_picked, on_text=timezone_typed)
def ask_timezone(ctx: Context) -> None:
    text = "\n\n".join([
        ctx.t.choose(N_("Which time zone are you in? It helps me send messages at a good "
                        "time for you."),
                     N_("Where are you? Then I can send messages at a good time.")),
        ctx._("Right now it is {zone}.").format(zone=ctx.member.timezone),
        ctx.t.choose(N_("Tap one, or type the name of a place, like Europe/Paris."),
                     N_("Tap one. Or type a place, like Europe/Paris.")),
    ])
    question(ctx, "timezone", text, choice_buttons(ctx, "timezone", TIMEZONES))


def parse_quiet_hours(text: str) -> tuple[str, str] | None:
    """'22:30 to 7' or '10pm - 7am' -> ('22:30', '07:00'), in any language."""
    found = _TIME.findall(text)
    if len(found) != 2:
        return None
    times = []
    for hours, minutes, half in found:
        h, m = int(hours), int(minutes or 0)
        if half:
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if half.lower().startswith("p") else 0)
        if h > 23 or m > 59:
            return None
        times.append(f"{h:02d}:{m:02d}")
    return (times[0], times[1]) if times[0] != times[1] else None


def set_quiet(ctx: Context, start: str | None, end: str | None) -> None:
    ctx.member.quiet_start, ctx.member.quiet_end = start, end
    ctx.session.add(ctx.member)


def quiet_picked(ctx: Context, verb: str, value: str) -> bool:
    if verb != "pick" or value not in dict(QUIET_HOURS):
        return False
    if value == "none":
        set_quiet(ctx, None, None)
    else:
        start, end = value.split("-")
        set_quiet(ctx, f"{start[:2]}:{start[2:]}", f"{end[:2]}:{end[2:]}")
    return True


def quiet_typed(ctx: Context, text: str) -> bool:
    hours = parse_quiet_hours(text)
    if hours is None:
        ctx.reply(ctx._("Sorry, I didn't understand those times. Try something like "
                        "22:00 to 07:00, or tap Skip."))
        return False
    set_quiet(ctx, *hours)
    return True


def quiet_text(ctx: Context) -> str:
    if not ctx.member.quiet_start or not ctx.member.quiet_end:
        return ctx._("No quiet hours")
    return ctx._("{start} to {end}").format(start=ctx.member.quiet_start,
                                            end=ctx.member.quiet_end)


@step("quiet", on_button=quiet_picked, on_text=quiet_typed)
def ask_quiet_hours(ctx: Context) -> None:
    text = "\n\n".join([
        ctx.t.choose(N_("When should I stay quiet? I will not send news or reminders then. "
                        "I will still answer when you write to me."),
                     N_("When should I be quiet? I will not send news then. "
                        "I will still answer you.")),
        ctx._("Right now: {hours}.").format(hours=quiet_text(ctx)),
        ctx.t.choose(N_("Tap one, or type your own times, like 22:30 to 07:00."),
                     N_("Tap one. Or type times, like 22:30 to 07:00.")),
    ])
    question(ctx, "quiet", text, choice_buttons(ctx, "quiet", QUIET_HOURS))


def checkins_picked(ctx: Context, verb: str, value: str) -> bool:
    if verb != "pick" or value not in dict(CHECKINS):
        return False
    profile = profile_of(ctx)
    profile.checkin_frequency = value
    save(ctx, profile)
    assert ctx.member.id is not None
    # The check-in plan is what the scheduler reads: Monday 10:00 in their own
    # time zone until they pick a day and time with /checkins.
    set_plan(ctx.session, ctx.member.id, value, weekday=0, at="10:00")
    return True


@step("checkins", on_button=checkins_picked)
def ask_checkins(ctx: Context) -> None:
    text = "\n\n".join([
        ctx.t.choose(N_("How often would you like me to check in with you?"),
                     N_("How often should I check in?")),
        ctx.t.choose(N_("A check-in is one short question about how you are. "
                        "You can always skip it, and you never have to answer."),
                     N_("A check-in is one short question. You can skip it.")),
    ])
    current = label_of(ctx, CHECKINS, profile_of(ctx).checkin_frequency)
    if current:
        text += "\n\n" + ctx._("Right now: {choice}.").format(choice=current)
    question(ctx, "checkins", text, choice_buttons(ctx, "checkins", CHECKINS))
