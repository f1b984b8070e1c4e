"""Sessions: coordinators create, move and cancel them; members answer with one tap.

/session_new asks one thing at a time: title, date and time (in the
coordinator's own zone), online or in person, link or place and access,
what to prepare, and the project group; then shows a preview to confirm.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, func, select

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.text import parse_id
from bot.core.ui import rows
from bot.i18n import N_
from bot.services import session_text as text
from bot.services import sessions as service
from bot.storage.models import utcnow
from bot.storage.session_models import GroupSession, ProjectGroup, SessionRsvp

router = Router("sessions")
FLOW = "session_new"
COORDINATOR = ("coordinator",)


def _expired(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))


def _session_from(action: str, index: int, ctx: Context) -> GroupSession | None:
    parts = action.split(":")
    number = parse_id(parts[index]) if len(parts) > index else None
    return None if number is None else ctx.session.get(GroupSession, number)


# -- members --------------------------------------------------------------

@router.button("rsvp:")
def rsvp(event: Event, ctx: Context) -> None:
    action = event.action or ""
    answer = action.rsplit(":", 1)[-1]
    gs = _session_from(action, 1, ctx)
    now = utcnow()
    if gs is None or answer not in text.ANSWERS or ctx.member.id is None:
        return _expired(ctx)
    if not service.may_answer(ctx.session, gs, ctx.member.id, now):
        ctx.reply(ctx._("Sorry, that session is no longer open for answers."))
        return
    service.set_rsvp(ctx.session, ctx.settings, gs, ctx.member.id, answer, now)
    ctx.reply(text.rsvp_reply(ctx.t, gs, answer))


@router.command("sessions", description=N_("See sessions you are invited to"))
def my_sessions(event: Event, ctx: Context) -> None:
    assert ctx.member.id is not None
    upcoming = service.upcoming_for(ctx.session, ctx.member.id, utcnow())
    if not upcoming:
        ctx.reply(ctx._("There are no sessions for you at the moment."))
        return
    for gs in upcoming[:5]:
        assert gs.id is not None
        mine = ctx.session.get(SessionRsvp, (gs.id, ctx.member.id))
        lines = [gs.title, text.when_text(ctx.t, gs.starts_at), *text.details(ctx.t, gs)]
        if mine is not None:
            lines.append(ctx._("Your answer: {answer}").format(
                answer=ctx._(text.ANSWERS[mine.answer])))
        if ctx.has_role(*COORDINATOR):
            going = ctx.session.exec(select(func.count()).select_from(SessionRsvp).where(
                SessionRsvp.session_id == gs.id, SessionRsvp.answer == "going")).one()
            lines.append(ctx._("Session number {id}. Going: {count}.").format(
                id=gs.id, count=going))
        ctx.reply("\n".join(lines), text.rsvp_buttons(ctx.t, gs.id))


# -- coordinators: create --------------------------------------------------

@router.command("session_new", roles=COORDINATOR, description=N_("Plan a new session"))
def session_new(event: Event, ctx: Context) -> None:
    ctx.state.clear()  # nothing (a link, a place) carries over from an unfinished plan
    ctx.state.go(FLOW, "title")
    ctx.reply(ctx._("Let's plan a session. What is it called? You can send cancel to stop."))


@router.flow(FLOW)
def session_new_text(event: Event, ctx: Context) -> None:
    typed, step = event.text.strip(), ctx.state.step
    if typed.casefold() == "cancel":
        ctx.state.clear()
        ctx.reply(ctx._("OK, I have stopped. Nothing was saved."))
    elif step == "title":
        ctx.state.go(FLOW, "when", title=typed[:200])
        ctx.reply(ctx._("When does it start? Type the date and time like 2026-12-01 18:00. "
                        "I use your time zone: {zone}.").format(zone=ctx.member.timezone))
    elif step == "when":
        starts = service.parse_when(typed, ctx.member.timezone)
        if starts is None or starts <= utcnow():
            ctx.reply(ctx._("Sorry, I need a future date and time, like 2026-12-01 18:00."))
            return
        ctx.state.go(FLOW, "mode", starts_at=starts.isoformat())
        ctx.reply(ctx._("Is it online or in person?"),
                  [[Button(ctx._("Online"), "snew:mode:online"),
                    Button(ctx._("In person"), "snew:mode:in_person")]])
    elif step == "link":
        if not service.valid_link(typed):
            ctx.reply(ctx._("Please send the full link, starting with https://"))
            return
        _ask_prepare(ctx, link=typed)
    elif step == "place":
        ctx.state.go(FLOW, "access", place=typed[:300])
        ctx.reply(ctx._("Any access information? For example step-free entry, a hearing "
                        "loop, or the nearest bus stop."), _skip(ctx, "access"))
    elif step == "access":
        _ask_prepare(ctx, access_info=typed[:500])
    elif step == "prepare":
        _ask_group(ctx, prepare=typed[:1000])
    elif step == "group":
        _confirm(ctx, group_name=typed[:100], group_id=None)
    else:
        ctx.reply(ctx._("Please tap one of the buttons above, or send cancel to stop."))


@router.button("snew:", roles=COORDINATOR)
def session_new_button(event: Event, ctx: Context) -> None:
    parts = (event.action or "").split(":")
    step, verb = ctx.state.step, parts[1] if len(parts) > 1 else ""
    if ctx.state.flow != FLOW:
        return _expired(ctx)
    if verb == "mode" and step == "mode" and parts[-1] in service.MODES:
        ctx.state.go(FLOW, "link" if parts[-1] == "online" else "place", mode=parts[-1])
        ctx.reply(ctx._("Please send the link for the session.") if parts[-1] == "online"
                  else ctx._("Where is it? Type the place and address."))
    elif verb == "skip" and step == "access" and parts[-1] == step:
        _ask_prepare(ctx)
    elif verb == "skip" and step == "prepare" and parts[-1] == step:
        _ask_group(ctx)
    elif verb == "group" and step == "group":
        _confirm(ctx, group_name=None, group_id=parse_id(parts[-1]))
    elif verb == "create" and step == "confirm":
        _create(ctx)
    elif verb == "cancel":
        ctx.state.clear()
        ctx.reply(ctx._("OK, I have stopped. Nothing was saved."))
    else:
        _expired(ctx)


def _skip(ctx: Context, step: str) -> list[list[Button]]:
    """Skip names its question, so a second tap (or an older Skip) skips nothing else."""
    return [[Button(ctx._("Skip"), f"snew:skip:{step}")]]


def _ask_prepare(ctx: Context, **data: str) -> None:
    ctx.state.go(FLOW, "prepare", **data)
    ctx.reply(ctx._("What should people prepare or read first?"), _skip(ctx, "prepare"))


def _ask_group(ctx: Context, **data: str) -> None:
    ctx.state.go(FLOW, "group", **data)
    groups = ctx.session.exec(select(ProjectGroup).order_by(col(ProjectGroup.name))
                              .limit(10)).all()
    buttons = [Button(g.name[:40], f"snew:group:{g.id}") for g in groups]
    buttons.append(Button(ctx._("Everyone"), "snew:group:all"))
    ctx.reply(ctx._("Which project group is it for? Tap one, or type a name for a new group."),
              rows(buttons, per_row=1))


def _confirm(ctx: Context, group_name: str | None, group_id: int | None) -> None:
    group = ctx.session.get(ProjectGroup, group_id) if group_id is not None else None
    ctx.state.go(FLOW, "confirm", group_id=group.id if group else None,
                 group_name=group.name if group else group_name)
    data = ctx.state.data
    preview = _draft(ctx, data)
    lines = [ctx._("Please check:"), preview.title,
             text.when_text(ctx.t, preview.starts_at), *text.details(ctx.t, preview),
             ctx._("Group: {group}").format(group=data.get("group_name") or ctx._("Everyone"))]
    ctx.reply("\n".join(lines), [[Button(ctx._("Create and invite"), "snew:create"),
                                  Button(ctx._("Cancel"), "snew:cancel")]])


def _draft(ctx: Context, data: dict) -> GroupSession:  # type: ignore[type-arg]
    return GroupSession(title=data["title"], starts_at=datetime.fromisoformat(data["starts_at"]),
                        timezone=ctx.member.timezone, mode=data["mode"], link=data.get("link"),
                        place=data.get("place"), access_info=data.get("access_info"),
                        prepare=data.get("prepare"))


def _create(ctx: Context) -> None:
    data, draft = ctx.state.data, _draft(ctx, ctx.state.data)
    group_id = data.get("group_id")
    if group_id is None and data.get("group_name"):
        group_id = service.ensure_group(ctx.session, data["group_name"]).id
    try:
        gs, invited = service.create_session(
            ctx.session, ctx.i18n, title=draft.title, starts_at=draft.starts_at,
            timezone=draft.timezone, mode=draft.mode, link=draft.link, place=draft.place,
            access_info=draft.access_info, prepare=draft.prepare, group_id=group_id,
            created_by=ctx.member.id)
    except ValueError:
        ctx.state.clear()
        ctx.reply(ctx._("Sorry, that session could not be saved. The time may have passed. "
                        "Send /session_new to try again."))
        return
    ctx.state.clear()
    ctx.reply(ctx._("Done. Session number {id} is saved.").format(id=gs.id) + " "
              + ctx.n_("I have invited {count} person.", "I have invited {count} people.",
                       invited).format(count=invited))


# -- coordinators: move and cancel ----------------------------------------

@router.command("session_cancel", roles=COORDINATOR, description=N_("Cancel a session"))
def session_cancel(event: Event, ctx: Context) -> None:
    gs = _session_from(f"x:{event.args.strip()}", 1, ctx)
    if gs is None or gs.status != "scheduled":
        ctx.reply(ctx._("Please send /session_cancel and the session number. "
                        "/sessions shows the numbers."))
        return
    told = service.cancel_session(ctx.session, ctx.i18n, gs)
    ctx.reply(ctx._("{title} is cancelled.").format(title=gs.title) + " " + _told(ctx, told))


@router.command("session_move", roles=COORDINATOR, description=N_("Move a session"))
def session_move(event: Event, ctx: Context) -> None:
    number, _, when = event.args.strip().partition(" ")
    gs = _session_from(f"x:{number}", 1, ctx)
    starts = service.parse_when(when, ctx.member.timezone)
    if gs is None or starts is None:
        ctx.reply(ctx._("Please send /session_move, the session number, then the new date "
                        "and time. For example: /session_move 3 2026-12-01 18:00"))
        return
    try:
        told = service.move_session(ctx.session, ctx.settings, ctx.i18n, gs, starts)
    except ValueError:
        ctx.reply(ctx._("Sorry, I can only move a session that is not cancelled, "
                        "to a time in the future."))
        return
    ctx.reply(ctx._("{title} now starts on {when}.").format(
        title=gs.title, when=text.when_text(ctx.t, starts)) + " " + _told(ctx, told))


def _told(ctx: Context, count: int) -> str:
    return ctx.n_("I have told {count} person.", "I have told {count} people.",
                  count).format(count=count)
