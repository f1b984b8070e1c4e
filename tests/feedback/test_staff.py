"""Staff review in chat, closing the loop, the digest and the closure rate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from babel.dates import format_date
from sqlmodel import Session

from bot.app import BotApp
from bot.feedback.answers import give_feedback
from bot.feedback.loop import build_digest, closure_rate, digest_text
from bot.feedback.review import answer_item
from bot.storage.db import transaction
from bot.storage.feedback_models import FeedbackItem
from bot.storage.models import utcnow
from tests.feedback.conftest import add_member, items
from tests.harness import ChatHarness


def give(chat: ChatHarness, words: str, user: str, named: bool = True) -> None:
    chat.say("/feedback", user=user)
    chat.press_label("With my name" if named else "Without my name", user=user)
    chat.say(words, user=user)


def test_members_cannot_see_the_log(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    for command in ("/feedback_log", "/feedback_status 1 did", "/feedback_results 1"):
        reply = chat.say(command)[0].text
        assert reply == "Sorry, that command is only for the team. Send /help to see yours."
    assert "/feedback_log" not in "\n".join(m.text for m in chat.say("/help"))


def test_staff_see_latest_items_with_buttons(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1", name="Sam")
    add_member(app, "boss", roles=("staff",))
    give(chat, "The room was cold", "u1")
    give(chat, "Please send agendas earlier", "u1", named=False)
    replies = chat.say("/feedback_log", user="boss")
    assert "latest feedback" in replies[0].text
    shown = [m.text for m in replies[1:]]
    assert len(shown) == 2
    assert any("From: \u2068Sam\u2069" in t and "The room was cold" in t for t in shown)
    assert any("chose not to give their name" in t and "agendas" in t for t in shown)
    assert [b.label for row in replies[1].buttons for b in row] == [
        "Seen", "We did it", "We couldn't", "Reply"]


def test_tag_status_and_respond(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    add_member(app, "boss", roles=("coordinator",))
    give(chat, "More tea please", "u1")
    [item] = items(app)
    reply = chat.say(f"/feedback_tag {item.id} #Food Catering", user="boss")[0].text
    assert reply == f"Feedback {item.id} tags: catering, food"
    chat.say(f"/feedback_untag {item.id} food", user="boss")
    assert "Seen" in chat.say(f"/feedback_status {item.id} seen", user="boss")[0].text
    assert "say why" in chat.say(f"/feedback_status {item.id} couldnt", user="boss")[0].text
    chat.say(f"/feedback_status {item.id} couldnt the budget is spent", user="boss")
    chat.say(f"/feedback_respond {item.id} We will try again in April.", user="boss")
    [item] = items(app)
    assert item.tags == ["catering"] and item.status == "couldnt"
    assert item.status_reason == "the budget is spent"
    assert item.public_response == "We will try again in April."
    assert "can't find feedback 42" in chat.say("/feedback_tag 42 x", user="boss")[0].text


def test_closing_the_loop_tells_the_author_once_in_their_language(
        app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1", language="cy")
    add_member(app, "boss", roles=("staff",))
    chat.say("/feedback", user="u1")
    chat.press("fb:new:named", user="u1")  # the button is in Welsh for this member
    chat.say("Can we meet in the library?", user="u1")
    before = len(chat.texts("u1"))
    chat.say("/feedback_log", user="boss")
    chat.press_label("We did it", user="boss")
    chat.say("We booked the library from May.", user="boss")
    assert "will get a message" in chat.texts("boss")[-1]
    told = chat.texts("u1")[before:]
    assert len(told) == 1
    today = format_date(utcnow().date(), format="long", locale="cy")
    assert today in told[0], "the date is in Welsh"
    assert "We booked the library from May." in told[0] and "library?" in told[0]
    # Tapping again, or marking it seen, does not message them again.
    item_id = items(app)[0].id
    chat.press(f"fbs:did:{item_id}", user="boss")
    chat.press_label("Skip", user="boss")
    chat.press(f"fbs:skip:{item_id}", user="boss")  # a stale Skip
    chat.say(f"/feedback_status {item_id} seen", user="boss")
    assert len(chat.texts("u1")) == before + 1


def test_we_couldnt_asks_why_and_tells_the_author(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    add_member(app, "boss", roles=("staff",))
    give(chat, "Pay us in cash", "u1")
    chat.say("/feedback_log", user="boss")
    assert "Why couldn't" in chat.press_label("We couldn't", user="boss")[0].text
    chat.say("The bank rules do not allow it.", user="boss")
    assert "We couldn't do it, because: The bank rules do not allow it." in chat.texts("u1")[-1]


def test_anonymous_items_tell_no_one_but_reach_the_digest(app: BotApp, chat: ChatHarness) -> None:
    add_member(app, "u1")
    add_member(app, "boss", roles=("staff",))
    start = utcnow() - timedelta(seconds=1)
    give(chat, "Too many acronyms", "u1", named=False)
    sent_before = len(chat.sender.sent)
    chat.say("/feedback_log", user="boss")
    chat.press_label("Reply", user="boss")
    chat.say("We made a list of words and what they mean.", user="boss")
    assert "you said, we did" in chat.texts("boss")[-1]
    assert [c for c, _ in chat.sender.sent[sent_before:]] == ["boss"] * 4
    with Session(app.engine) as session:
        digest = build_digest(session, start)
    assert [(d.anonymous, d.response) for d in digest] == [
        (True, "We made a list of words and what they mean.")]
    text = digest_text(app.i18n.translator("en"), digest)
    assert "You said, we did" in text and "acronyms" not in text


def test_closure_rate_with_a_clock(app: BotApp) -> None:
    member_id = add_member(app, "u1")
    days = [datetime(2026, 3, d, 12, tzinfo=UTC) for d in (2, 3, 4, 5)]
    with transaction(app.engine) as session:
        made = [give_feedback(session, member_id, f"idea {n}", when, anonymous=n % 2 == 0)
                for n, when in enumerate(days)]
        found = [m for m in made if m is not None]
        answer_item(session, found[0], None, days[0], app.i18n, status="did")
        answer_item(session, found[1], None, days[1], app.i18n, status="couldnt", reason="no")
        answer_item(session, found[2], None, days[2], app.i18n, status="seen")
    with Session(app.engine) as session:
        assert closure_rate(session).rate == 0.5
        march_3_to_5 = closure_rate(session, date(2026, 3, 3), date(2026, 3, 5))
        assert (march_3_to_5.total, march_3_to_5.closed) == (3, 1)
        assert closure_rate(session, date(2027, 1, 1)).rate is None
        digest = build_digest(session, datetime(2026, 3, 3, tzinfo=UTC))
        assert [d.status for d in digest] == ["couldnt"]


def test_anonymous_item_keeps_no_trace_of_staff_timing_on_creation(app: BotApp) -> None:
    member_id = add_member(app, "u1")
    with transaction(app.engine) as session:
        item = give_feedback(session, member_id, "hi", utcnow(), anonymous=True)
        assert isinstance(item, FeedbackItem) and item.created_at is None
