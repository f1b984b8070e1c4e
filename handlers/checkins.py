"""Check-ins: choose how often (/checkins), then answer with one tap.

A low answer or a worrying note offers a call back from the team, with the
crisis contacts in the same message. Not answering is fine: no chasers.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.ui import rows
from bot.i18n import N_
from bot.services import checkins as service
from bot.services.checkin_answers import (
    day_name,
    open_checkin,
    parse_action_id,
    plan_summary,
    yes_or_no,
)
from bot.services.safeguarding import raise_alert, risk_level
from bot.storage.checkin_models import Checkin, CheckinPlan
from bot.storage.models import utcnow
from handlers.safety import crisis_text

router = Router("checkins")

FREQUENCY_LABELS = {"weekly": N_("Every week"), "fortnightly": N_("Every two weeks"),
                    "monthly": N_("Once a month"), "never": N_("No check-ins")}
TIMES = ("09:00", "12:00", "15:00", "18:00")


# -- choosing a plan -------------------------------------------------------

@router.command("checkins", description=N_("Choose how often I check in with you"))
def checkins_command(event: Event, ctx: Context) -> None:
    plan = ctx.session.get(CheckinPlan, ctx.member.id)
    summary = plan_summary(ctx.t, plan)
    if summary:
        intro = ctx._("At the moment I check in with you {plan}.").format(plan=summary)
    else:
        intro = ctx._("At the moment I do not send you check-ins.")
    ctx.state.go("checkins_plan", "frequency")
    ctx.reply(
        intro + "\n" + ctx._("A check-in is one short question about how you are. "
                             "You can always skip it. How often would you like one?"),
        [[Button(ctx._(label), f"ci:freq:{key}")] for key, label in FREQUENCY_LABELS.items()],
    )


@router.button("ci:freq:")
def frequency_chosen(event: Event, ctx: Context) -> None:
    frequency = (event.action or "").rsplit(":", 1)[-1]
    if frequency not in FREQUENCY_LABELS:
        return _expired(ctx)
    if frequency == "never":
        service.set_plan(ctx.session, _member_id(ctx), "never")
        ctx.state.clear()
        ctx.reply(ctx._("OK. I will not send you check-ins. You can change this with /checkins."))
        return
    ctx.state.go("checkins_plan", "day", frequency=frequency)
    days = [Button(day_name(ctx.t, n), f"ci:day:{n}") for n in range(7)]
    ctx.reply(ctx._("Which day is best for you?"), rows(days, per_row=2))


@router.button("ci:day:")
def day_chosen(event: Event, ctx: Context) -> None:
    weekday = parse_action_id(event.action or "", 2)
    # An older day button from this same flow must not skip the frequency step.
    if ctx.state.flow != "checkins_plan" or ctx.state.step != "day" or weekday is None \
            or weekday > 6:
        return _expired(ctx)
    ctx.state.go("checkins_plan", "time", weekday=weekday)
    ctx.reply(ctx._("What time? Tap one, or type a time like 10:30. "
                    "I use your own time zone: {zone}.").format(zone=ctx.member.timezone),
              rows([Button(at, f"ci:time:{at.replace(':', '')}") for at in TIMES], per_row=2))


@router.button("ci:time:")
def time_chosen(event: Event, ctx: Context) -> None:
    digits = (event.action or "").rsplit(":", 1)[-1]
    _save_plan(ctx, f"{digits[:2]}:{digits[2:]}" if len(digits) == 4 else "")


@router.flow("checkins_plan")
def plan_text(event: Event, ctx: Context) -> None:
    if ctx.state.step == "time":
        _save_plan(ctx, event.text.strip().replace(".", ":"))
    else:
        ctx.reply(ctx._("Please tap one of the buttons above, or send /checkins to start again."))


def _save_plan(ctx: Context, at: str) -> None:
    data = ctx.state.data
    if ctx.state.flow != "checkins_plan" or ctx.state.step != "time" \
            or "weekday" not in data or "frequency" not in data:
        return _expired(ctx)
    try:
        plan = service.set_plan(ctx.session, _member_id(ctx), data["frequency"],
                                data["weekday"], at)
    except ValueError:
        ctx.reply(ctx._("Sorry, I did not understand that time. Please type it like 10:30."))
        return
    ctx.state.clear()
    upcoming = service.next_checkin(ctx.session, _member_id(ctx))
    lines = [ctx._("Done. I will check in with you {plan}.").format(
        plan=plan_summary(ctx.t, plan))]
    if upcoming is not None:
        lines.append(ctx._("The next one is on {when}.").format(
            when=ctx.t.datetime(upcoming.send_at, "EEEE d MMMM, HH:mm")))
        if upcoming.send_at > upcoming.due_at:
            lines.append(ctx._("That time is in your quiet hours or your break, "
                               "so I will wait until it ends."))
    lines.append(ctx._("You can change this any time with /checkins."))
    ctx.reply(" ".join(lines))


# -- answering a check-in --------------------------------------------------

@router.button("checkin:mood:")
def mood_chosen(event: Event, ctx: Context) -> None:
    action = event.action or ""
    checkin_id, mood = parse_action_id(action, 2), parse_action_id(action, 3)
    row = _open(ctx, checkin_id, ("sent",))
    if row is None or mood is None or not 1 <= mood <= 5:
        return _closed(ctx)
    row.mood, row.status, row.answered_at = mood, "answered", utcnow()
    ctx.session.add(row)
    if mood <= int(ctx.settings.checkin_low_mood):
        _ask_contact(ctx, row, ctx._("Thank you for telling me. I am sorry things are hard."))
    else:
        _offer_note(ctx, row, ctx._("Thank you for telling me."))


@router.button("checkin:skip:")
def skipped(event: Event, ctx: Context) -> None:
    row = _open(ctx, parse_action_id(event.action or "", 2), ("sent",))
    if row is None:
        return _closed(ctx)
    row.status, row.answered_at = "skipped", utcnow()
    ctx.session.add(row)
    ctx.reply(ctx._("That is fine. Thank you."))


@router.button("checkin:contact:")
def contact_chosen(event: Event, ctx: Context) -> None:
    action = event.action or ""
    row = _open(ctx, parse_action_id(action, 2), ("answered",))
    if row is None or row.contact_wanted is not None or not action.endswith((":yes", ":no")):
        return _closed(ctx)
    _answer_contact(ctx, row, action.endswith(":yes"))


@router.button("checkin:nonote:")
def no_note(event: Event, ctx: Context) -> None:
    if _open(ctx, parse_action_id(event.action or "", 2), ("answered",)) is None:
        return _closed(ctx)
    ctx.state.clear()
    ctx.reply(ctx._("Thank you. Take care."))


@router.flow("checkin")
def checkin_text(event: Event, ctx: Context) -> None:
    row = _open(ctx, ctx.state.data.get("checkin_id"), ("answered",))
    if row is None:
        ctx.state.clear()
        return _closed(ctx)
    if ctx.state.step == "contact" and row.contact_wanted is None:
        answer = yes_or_no(event.text)
        if answer is not None:
            return _answer_contact(ctx, row, answer)
    _save_note(ctx, row, event.text)


def _save_note(ctx: Context, row: Checkin, text: str) -> None:
    """Keep the note; serious words alert the team at once, others offer a call back."""
    limit = int(ctx.settings.checkin_note_max_chars)
    row.note = (((row.note + "\n") if row.note else "") + text.strip()[:limit])[:1000]
    ctx.session.add(row)
    risk = risk_level(text, ctx.member.language, ctx.settings)
    if risk == "serious" or (risk and row.contact_wanted):
        _alert(ctx, row, "serious_phrase" if risk == "serious" else "asked_for_contact")
        ctx.state.clear()
        ctx.reply(ctx._("Thank you for telling me. I am worried about you, so I have told "
                        "someone in the team. They will try to contact you.")
                  + "\n\n" + crisis_text(ctx))
    elif row.contact_wanted is None and (risk or ctx.state.step == "contact"):
        _ask_contact(ctx, row, ctx._("Thank you. I have saved your note."))
    else:
        if row.contact_wanted:
            _alert(ctx, row, "asked_for_contact")  # the note joins their alert
        ctx.state.clear()
        reply = ctx._("Thank you. I have saved your note.")
        ctx.reply(reply + ("\n\n" + crisis_text(ctx) if risk else ""))


def _ask_contact(ctx: Context, row: Checkin, opening: str) -> None:
    ctx.state.go("checkin", "contact", checkin_id=row.id)
    ctx.reply(
        "\n\n".join([opening,
                     ctx._("Would you like someone from the team to contact you?"),
                     crisis_text(ctx)]),
        [[Button(ctx._("Yes please"), f"checkin:contact:{row.id}:yes"),
          Button(ctx._("No thanks"), f"checkin:contact:{row.id}:no")]],
    )


def _answer_contact(ctx: Context, row: Checkin, wanted: bool) -> None:
    row.contact_wanted = wanted
    ctx.session.add(row)
    if wanted:
        _alert(ctx, row, "asked_for_contact")
        opening = ctx._("Thank you. I have asked someone from the team to contact you. "
                        "A person reads messages {hours}.").format(
                            hours=ctx.settings.staff_reply_hours)
    else:
        opening = ctx._("That is OK. You can send HELP at any time.")
    if row.note:
        ctx.state.clear()
        ctx.reply(opening + "\n\n" + crisis_text(ctx))
    else:
        _offer_note(ctx, row, opening + "\n\n" + crisis_text(ctx))


def _offer_note(ctx: Context, row: Checkin, opening: str) -> None:
    ctx.state.go("checkin", "note", checkin_id=row.id)
    ctx.reply(
        "\n\n".join([opening,
                     ctx._("Would you like to add a short note? Type it now, or tap No note."),
                     ctx._("If you write that you may be at risk of serious harm, "
                           "I will tell someone in the team so they can help.")]),
        [[Button(ctx._("No note"), f"checkin:nonote:{row.id}")]],
    )


def _alert(ctx: Context, row: Checkin, source: str) -> None:
    raise_alert(ctx.session, ctx.settings, ctx.i18n, ctx.member, source=source, now=utcnow(),
                checkin_id=row.id, mood=row.mood, said=row.note)


def _open(ctx: Context, checkin_id: object, statuses: tuple[str, ...]) -> Checkin | None:
    if not isinstance(checkin_id, int):
        return None
    return open_checkin(ctx.session, ctx.settings, checkin_id, _member_id(ctx), utcnow(),
                        statuses)


def _member_id(ctx: Context) -> int:
    assert ctx.member.id is not None
    return ctx.member.id


def _closed(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, that check-in has closed. Thank you anyway."))


def _expired(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))
