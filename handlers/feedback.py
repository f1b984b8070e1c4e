"""Giving feedback: answering a request with one tap, a rating or words, and /feedback.

Anonymous answers are saved with `bot.feedback.anonymity`, and every incoming
event that carried one (the tap naming an option, or the words) is scrubbed
here, in the same transaction, before the dispatcher commits. Replies to an
anonymous answer never repeat it.
"""

from __future__ import annotations

from typing import Literal

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.text import clean_input, parse_id
from bot.feedback import MAX_TEXT, min_group
from bot.feedback.anonymity import has_answered, scrub_event
from bot.feedback.answers import Outcome, add_comment, give_feedback, record_answer, text_problem
from bot.feedback.links import member_links
from bot.feedback.requests import privacy_line
from bot.i18n import N_
from bot.storage.feedback_models import FeedbackRequest
from bot.storage.models import utcnow
from handlers import feedback_staff

router = Router("feedback")
router.include(feedback_staff.router)

FLOW = "feedback"


def _ids(action: str | None, count: int) -> list[int] | None:
    """The numbers after the prefix, e.g. fb:c:12:3 -> [12, 3]; None if forged."""
    numbers = [parse_id(p) for p in (action or "").split(":")[2:]]
    if len(numbers) != count or None in numbers:
        return None
    return [n for n in numbers if n is not None]


def _expired(ctx: Context) -> None:
    ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))


def _outcome_reply(ctx: Context, outcome: Outcome, anonymous: bool) -> None:
    if outcome == "saved":
        ctx.reply(ctx._("Thank you. Your answer is saved without your name.") if anonymous
                  else ctx._("Thank you. Your answer is saved."))
    elif outcome == "already":
        ctx.reply(ctx._("You have already answered this one. Thank you!"))
    elif outcome == "closed":
        ctx.reply(ctx._("Sorry, this question is closed now. Thank you for wanting to answer."))
    else:
        _expired(ctx)


def _too_long(ctx: Context, *, can_split: bool) -> None:
    """Kind, and keeps the member where they were, so they can just send it again."""
    text = ctx._("Thank you. That is too long for me to save in one go. Please send up to "
                 "{max} characters.").format(max=ctx.t.number(MAX_TEXT))
    if can_split:
        text += " " + ctx._("You can also split it into parts. Send /feedback again for each "
                            "part.")
    ctx.reply(text)


def _answer(event: Event, ctx: Context, kind: Literal["choice", "rating"]) -> None:
    ids = _ids(event.action, 2)
    request = ctx.session.get(FeedbackRequest, ids[0]) if ids else None
    if request is not None and request.anonymous:
        scrub_event(ctx.session, ctx.event_id)  # the action names the option
    if ids is None or request is None:
        _expired(ctx)
        return
    value = ids[1]
    outcome = record_answer(ctx.session, request, ctx.member.id or 0, utcnow(),
                            choice=value if kind == "choice" else None,
                            rating=value if kind == "rating" else None)
    if outcome == "saved" and request.kind == "rating_comment":
        ctx.state.go(FLOW, "comment", request=request.id, anon=request.anonymous)
        text = ctx._("Thank you. Your answer is saved. Would you like to add a few words? "
                     "Type them now, or tap No thanks.")
        if request.anonymous:
            text += "\n\n" + ctx._("Staff will see your words, but not your name. Your words "
                                   "are kept apart from your rating.")
        ctx.reply(text, [[Button(ctx._("No thanks"), f"fb:nc:{request.id}")]])
        return
    _outcome_reply(ctx, outcome, request.anonymous)


@router.button("fb:c:")
def choice_tapped(event: Event, ctx: Context) -> None:
    _answer(event, ctx, "choice")


@router.button("fb:r:")
def rating_tapped(event: Event, ctx: Context) -> None:
    _answer(event, ctx, "rating")


@router.button("fb:t:")
def start_text_answer(event: Event, ctx: Context) -> None:
    ids = _ids(event.action, 1)
    request = ctx.session.get(FeedbackRequest, ids[0]) if ids else None
    if request is None or request.id is None or request.kind != "text":
        _expired(ctx)
    elif request.status != "open":
        _outcome_reply(ctx, "closed", request.anonymous)
    elif has_answered(ctx.session, request.id, ctx.member.id or 0):
        _outcome_reply(ctx, "already", request.anonymous)
    else:
        ctx.state.go(FLOW, "answer", request=request.id, anon=request.anonymous)
        ctx.reply(ctx._("Please type your answer now.") + "\n\n"
                  + privacy_line(ctx.t, request, min_group(ctx.settings)))


@router.button("fb:skip:")
def not_now(event: Event, ctx: Context) -> None:
    if ctx.state.flow == FLOW and ctx.state.step in ("answer", "comment"):
        ctx.state.clear()
    ctx.reply(ctx._("That's fine. Thank you."))


@router.button("fb:nc:")
def no_comment(event: Event, ctx: Context) -> None:
    ids = _ids(event.action, 1)
    if ids and ctx.state.flow == FLOW and ctx.state.data.get("request") == ids[0]:
        ctx.state.clear()
    ctx.reply(ctx._("Thank you. Your answer is saved."))


@router.command("feedback", description=N_("Tell the team what you think"))
def start_feedback(event: Event, ctx: Context) -> None:
    draft = clean_input(event.args or "", limit=MAX_TEXT + 1)
    if draft and text_problem(draft) == "long":
        _too_long(ctx, can_split=True)
        return
    ctx.state.go(FLOW, "ask_name", draft=draft or None, draft_event=ctx.event_id if draft else None)
    ctx.reply(
        "\n\n".join([
            ctx._("Thank you for wanting to tell us something. Do you want your name on it?"),
            ctx._("With your name, staff can reply to you."),
            ctx._("Without your name, staff will see your words but not your name. They can't "
                  "reply to you. Leave out anything that says who you are."),
        ]),
        [[Button(ctx._("With my name"), "fb:new:named")],
         [Button(ctx._("Without my name"), "fb:new:anon")],
         [Button(ctx._("Cancel"), "fb:new:cancel")]],
    )


@router.button("fb:new:")
def name_chosen(event: Event, ctx: Context) -> None:
    choice = (event.action or "").rsplit(":", 1)[-1]
    if ctx.state.flow != FLOW or ctx.state.step != "ask_name" or choice not in (
            "named", "anon", "cancel"):
        _expired(ctx)
        return
    if choice == "cancel":
        ctx.state.clear()
        ctx.reply(ctx._("OK. Nothing was saved."))
        return
    ctx.state.go(FLOW, "about", anon=choice == "anon")
    links = member_links(ctx.session, ctx.member.id or 0)
    if not links:
        _ask_for_words(ctx)
        return
    buttons = [[Button(label[:40], f"fb:about:{kind[0]}:{key}")] for kind, key, label in links]
    buttons.append([Button(ctx._("Something else"), "fb:about:none")])
    ctx.reply(ctx._("Is it about one of these? Tap one, or tap Something else."), buttons)


@router.button("fb:about:")
def about_chosen(event: Event, ctx: Context) -> None:
    if ctx.state.flow != FLOW or ctx.state.step != "about":
        _expired(ctx)
        return
    parts = (event.action or "").split(":")[2:]
    if parts != ["none"]:
        links = {(kind[0], str(key)): (kind, key) for kind, key, _ in
                 member_links(ctx.session, ctx.member.id or 0)}
        found = links.get((parts[0], parts[1])) if len(parts) == 2 else None
        if found is None:
            _expired(ctx)
            return
        ctx.state.go(FLOW, "about", **{f"{found[0]}_id": found[1]})
    _ask_for_words(ctx)


def _ask_for_words(ctx: Context) -> None:
    if ctx.state.data.get("draft"):
        _save_free(ctx, ctx.state.data["draft"])
        return
    ctx.state.go(FLOW, "text")
    ctx.reply(ctx._("Please type your feedback now. You can write up to {max} characters.")
              .format(max=ctx.t.number(MAX_TEXT)))


def _save_free(ctx: Context, text: str) -> None:
    data = ctx.state.data
    anonymous = bool(data.get("anon"))
    item = give_feedback(ctx.session, ctx.member.id or 0, text, utcnow(), anonymous=anonymous,
                         session_id=data.get("session_id"), project_id=data.get("project_id"))
    if anonymous:
        scrub_event(ctx.session, data.get("draft_event"))
    ctx.state.clear()
    if item is None:
        _expired(ctx)
    elif anonymous:
        ctx.reply(ctx._("Thank you. Your feedback is saved without your name. Staff will read "
                        "it, but they will not know it was you."))
    else:
        ctx.reply(ctx._("Thank you. Your feedback is saved. Staff will read it, and they may "
                        "reply to you here."))


@router.flow(FLOW)
def words_typed(event: Event, ctx: Context) -> None:
    """Words for a text question, a comment after a rating, or /feedback."""
    data, step = ctx.state.data, ctx.state.step
    if data.get("anon"):
        scrub_event(ctx.session, ctx.event_id)
    if step in ("ask_name", "about"):
        ctx.reply(ctx._("Please tap one of the buttons above first. Or send /feedback to "
                        "start again."))
        return
    if text_problem(event.text) == "long":
        _too_long(ctx, can_split=step == "text")
        return
    if step == "text":
        _save_free(ctx, event.text)
        return
    request = ctx.session.get(FeedbackRequest, data.get("request") or 0)
    anonymous = bool(request and request.anonymous)
    if step == "comment":
        outcome = add_comment(ctx.session, request, ctx.member.id or 0, event.text, utcnow())
    else:
        outcome = record_answer(ctx.session, request, ctx.member.id or 0, utcnow(),
                                text=event.text)
    ctx.state.clear()
    _outcome_reply(ctx, outcome, anonymous)
