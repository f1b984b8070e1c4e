"""The staff side of feedback in chat: the log, tags, status, replies and results.

Each item in /feedback_log comes with buttons. "We did it", "We couldn't" and
"Reply" then ask for a few words, so the author is told once, with the
whole answer, not once per tap.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Button, Event
from bot.core.router import Router
from bot.core.text import clean_input, parse_id
from bot.feedback import min_group
from bot.feedback.results import request_results, results_text
from bot.feedback.review import (
    STATUS_LABELS,
    ItemFilter,
    answer_item,
    find_items,
    get_item,
    parse_status,
    tag_item,
)
from bot.i18n import N_
from bot.storage.feedback_models import FeedbackItem, FeedbackRequest
from bot.storage.models import Member, utcnow

router = Router("feedback_staff")

STAFF = ("staff", "coordinator")
FLOW = "feedback_staff"
LOG_SIZE = 5
SHOWN_CHARS = 300


def _isolate(text: str) -> str:
    """Keep right-to-left words from jumbling the line around them."""
    return f"\u2068{text}\u2069"


def item_text(ctx: Context, item: FeedbackItem) -> str:
    status = ctx._(STATUS_LABELS.get(item.status, item.status))
    lines = [ctx._("Feedback {id} · {date} · {status}")
             .format(id=item.id, date=ctx.t.date(item.given_on, "medium"), status=status)]
    if item.anonymous:
        lines.append(ctx._("From: someone who chose not to give their name"))
    else:
        member = ctx.session.get(Member, item.member_id) if item.member_id else None
        name = (member.display_name if member else None) or ctx._("member {id}").format(
            id=item.member_id)
        lines.append(ctx._("From: {name}").format(name=_isolate(name)))
    if item.request_id:
        request = ctx.session.get(FeedbackRequest, item.request_id)
        if request:
            lines.append(ctx._("Question: {question}").format(question=request.question))
    if item.rating is not None:
        lines.append(ctx._("Rating: {n} out of 5").format(n=item.rating))
    if item.tags:
        lines.append(ctx._("Tags: {tags}").format(tags=", ".join(item.tags)))
    if item.status_reason:
        lines.append(ctx._("Reason: {reason}").format(reason=item.status_reason))
    if item.public_response:
        lines.append(ctx._("Our reply: {reply}").format(reply=item.public_response))
    words = item.text or ""
    if len(words) > SHOWN_CHARS:
        words = words[:SHOWN_CHARS] + "…"
    if words:
        lines.append(_isolate(words))
    return "\n".join(lines)


def item_buttons(ctx: Context, item_id: int) -> list[list[Button]]:
    return [[Button(ctx._("Seen"), f"fbs:seen:{item_id}"),
             Button(ctx._("We did it"), f"fbs:did:{item_id}")],
            [Button(ctx._("We couldn't"), f"fbs:cant:{item_id}"),
             Button(ctx._("Reply"), f"fbs:reply:{item_id}")]]


@router.command("feedback_log", roles=STAFF, description=N_("See the latest feedback"))
def feedback_log(event: Event, ctx: Context) -> None:
    flt = ItemFilter(with_words=True, limit=LOG_SIZE)
    for word in event.args.split():
        try:
            flt.status = parse_status(word)
        except ValueError:
            flt.tag = word
    items = find_items(ctx.session, flt, min_group(ctx.settings))
    if not items:
        ctx.reply(ctx._("There is no feedback to show yet."))
        return
    ctx.reply(ctx._("Here is the latest feedback, newest first. Use the buttons to answer it. "
                    "Add a tag with /feedback_tag."))
    for item in items:
        ctx.reply(item_text(ctx, item), item_buttons(ctx, item.id))


def _item_or_say(ctx: Context, raw: str) -> FeedbackItem | None:
    try:
        number = parse_id(raw, max_digits=18)  # feedback ids are random BIGINTs
        if number is None:
            raise ValueError("not an id")
        return get_item(ctx.session, number, min_group(ctx.settings))
    except (ValueError, LookupError):
        ctx.reply(ctx._("I can't find feedback {id}.").format(id=raw[:20]))
        return None


def _done(ctx: Context, item: FeedbackItem, told: bool) -> None:
    status = ctx._(STATUS_LABELS.get(item.status, item.status))
    lines = [ctx._("Saved. Feedback {id} is now: {status}.").format(id=item.id, status=status)]
    if told:
        lines.append(ctx._("The person who gave it will get a message."))
    elif item.anonymous and (item.status in ("did", "couldnt") or item.public_response):
        lines.append(ctx._("It will be in the next \"you said, we did\" update."))
    ctx.reply("\n".join(lines))


def _answer(ctx: Context, item: FeedbackItem, **changes: str | None) -> None:
    try:
        told = answer_item(ctx.session, item, ctx.member.id, utcnow(), ctx.i18n,
                           source_event_id=ctx.event_id, **changes)
    except ValueError:
        ctx.reply(ctx._("Please keep it short: up to 500 characters. For \"We couldn't\", "
                        "say why."))
        return
    ctx.state.clear()
    _done(ctx, item, told)


@router.button("fbs:", roles=STAFF)
def staff_button(event: Event, ctx: Context) -> None:
    verb, _, raw = (event.action or "").removeprefix("fbs:").partition(":")
    item = _item_or_say(ctx, raw)
    if item is None:
        return
    who = ctx._("The person who gave it will see this.") if not item.anonymous else ctx._(
        "Everyone may see this in the next \"you said, we did\" update.")
    if verb == "seen":
        _answer(ctx, item, status="seen")
    elif verb == "skip" and ctx.state.flow == FLOW and ctx.state.data.get("item") == item.id:
        _answer(ctx, item, status="did")
    elif verb == "did":
        ctx.state.go(FLOW, "did", item=item.id)
        ctx.reply(ctx._("What did you do? Type a short reply, or tap Skip.") + "\n" + who,
                  [[Button(ctx._("Skip"), f"fbs:skip:{item.id}")]])
    elif verb == "cant":
        ctx.state.go(FLOW, "couldnt", item=item.id)
        ctx.reply(ctx._("Why couldn't it be done? Type the reason in a few words.") + "\n" + who)
    elif verb == "reply":
        ctx.state.go(FLOW, "reply", item=item.id)
        ctx.reply(ctx._("Type a short reply.") + "\n" + who)
    else:
        ctx.reply(ctx._("Sorry, that button has expired. Send /help to start again."))


@router.flow(FLOW)
def staff_words(event: Event, ctx: Context) -> None:
    if not ctx.has_role(*STAFF):
        ctx.state.clear()
        ctx.reply(ctx._("Sorry, that is only for the team."))
        return
    item = _item_or_say(ctx, str(ctx.state.data.get("item", "")))
    if item is None:
        ctx.state.clear()
        return
    step = ctx.state.step
    if step == "did":
        _answer(ctx, item, status="did", response=event.text)
    elif step == "couldnt":
        _answer(ctx, item, status="couldnt", reason=event.text)
    else:
        _answer(ctx, item, response=event.text)


@router.command("feedback_tag", roles=STAFF, description=N_("Tag feedback: /feedback_tag ID tag"))
def tag_command(event: Event, ctx: Context) -> None:
    _tag(event, ctx, remove=False)


@router.command("feedback_untag", roles=STAFF)
def untag_command(event: Event, ctx: Context) -> None:
    _tag(event, ctx, remove=True)


def _tag(event: Event, ctx: Context, remove: bool) -> None:
    words = clean_input(event.args).split()
    if len(words) < 2:
        ctx.reply(ctx._("Please write it like this: /feedback_tag 123 housing"))
        return
    item = _item_or_say(ctx, words[0])
    if item is None:
        return
    try:
        tags = tag_item(ctx.session, item, words[1:], remove=remove)
    except ValueError:
        ctx.reply(ctx._("Please use words made of letters or numbers for tags."))
        return
    ctx.reply(ctx._("Feedback {id} tags: {tags}").format(id=item.id, tags=", ".join(tags) or "-"))


@router.command("feedback_status", roles=STAFF,
                description=N_("Set feedback status: new, seen, did, couldnt"))
def status_command(event: Event, ctx: Context) -> None:
    words = clean_input(event.args).split(maxsplit=2)
    try:
        status = parse_status(words[1]) if len(words) >= 2 else ""
    except ValueError:
        status = ""
    if not status:
        ctx.reply(ctx._("Please write it like this: /feedback_status 123 did. Or: "
                        "/feedback_status 123 couldnt because there is no money left"))
        return
    item = _item_or_say(ctx, words[0])
    if item is not None:
        _answer(ctx, item, status=status, reason=words[2] if len(words) > 2 else None)


@router.command("feedback_respond", roles=STAFF,
                description=N_("Reply to feedback: /feedback_respond ID words"))
def respond_command(event: Event, ctx: Context) -> None:
    words = clean_input(event.args).split(maxsplit=1)
    if len(words) < 2:
        ctx.reply(ctx._("Please write it like this: /feedback_respond 123 We have fixed it."))
        return
    item = _item_or_say(ctx, words[0])
    if item is not None:
        _answer(ctx, item, response=words[1])


@router.command("feedback_results", roles=STAFF,
                description=N_("See the results of a question: /feedback_results ID"))
def results_command(event: Event, ctx: Context) -> None:
    number = parse_id(event.args)
    request = ctx.session.get(FeedbackRequest, number) if number is not None else None
    if request is None:
        ctx.reply(ctx._("Please write it like this: /feedback_results 3"))
        return
    group = min_group(ctx.settings)
    ctx.reply(results_text(ctx.t, request_results(ctx.session, request, group), group))
