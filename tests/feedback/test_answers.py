"""Answering requests: one tap, a rating, words, a rating plus words, and /feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from bot.app import BotApp
from bot.feedback.answers import record_answer
from bot.feedback.requests import close_request, create_request
from bot.storage.db import transaction
from bot.storage.feedback_models import FeedbackRequest
from bot.storage.models import utcnow
from tests.feedback.conftest import add_member, items
from tests.harness import ChatHarness


def labels(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.label for row in message.buttons for b in row]


def test_one_tap_question_saves_the_choice(app: BotApp, chat: ChatHarness,
                                           ask: Callable[..., int]) -> None:
    member_id = add_member(app, "u1")
    request_id = ask("choice", ["Yes", "A bit", "No"])
    question = chat.sender.sent[-1][1]
    assert "How was the session?" in question.text
    assert labels(question) == ["Yes", "A bit", "No", "Not now"]
    assert "Staff will see your answer and your name." in question.text
    reply = chat.press_label("A bit")
    assert reply[0].text == "Thank you. Your answer is saved."
    [item] = items(app)
    assert (item.request_id, item.member_id, item.choice, item.kind) == (
        request_id, member_id, 1, "choice")
    assert item.created_at is not None


@pytest.mark.parametrize("options", [["Only one"], [str(n) for n in range(7)], ["Same", "same"],
                                     ["x" * 41, "ok"], ["", "ok"]])
def test_one_tap_needs_2_to_6_different_short_options(app: BotApp, options: list[str]) -> None:
    with Session(app.engine) as session, pytest.raises(ValueError):
        create_request(session, "choice", "Pick one", options)


def test_two_and_six_options_are_fine_and_other_kinds_take_none(app: BotApp) -> None:
    with Session(app.engine) as session:
        create_request(session, "choice", "Pick", ["a", "b"])
        create_request(session, "choice", "Pick", list("abcdef"))
        with pytest.raises(ValueError):
            create_request(session, "rating", "Rate it", ["a", "b"])
        with pytest.raises(ValueError):
            create_request(session, "poll", "What?")
        with pytest.raises(ValueError):
            create_request(session, "rating", "Rate it", auto_send=True)


def test_rating_with_words_on_the_buttons(app: BotApp, chat: ChatHarness,
                                          ask: Callable[..., int]) -> None:
    add_member(app, "u1")
    ask("rating")
    assert labels(chat.sender.sent[-1][1]) == ["1 Very bad", "2 Bad", "3 OK", "4 Good",
                                               "5 Very good", "Not now"]
    chat.press_label("4 Good")
    [item] = items(app)
    assert item.rating == 4 and item.text is None


def test_text_question_then_words(app: BotApp, chat: ChatHarness,
                                  ask: Callable[..., int]) -> None:
    add_member(app, "u1")
    ask("text", question="What should we change?")
    prompt = chat.press_label("Answer")
    assert "type your answer" in prompt[0].text
    assert chat.say("More breaks, please")[0].text == "Thank you. Your answer is saved."
    [item] = items(app)
    assert item.text == "More breaks, please" and item.kind == "text"
    assert "Thank you for your message" in chat.say("hello again")[0].text  # flow is over


def test_rating_plus_optional_comment(app: BotApp, chat: ChatHarness,
                                      ask: Callable[..., int]) -> None:
    add_member(app, "u1")
    add_member(app, "u2")
    ask("rating_comment")
    reply = chat.press_label("5 Very good", user="u1")
    assert "add a few words" in reply[0].text and labels(reply[0]) == ["No thanks"]
    chat.say("Loved the lunch", user="u1")
    chat.press_label("2 Bad", user="u2")
    assert chat.press_label("No thanks", user="u2")[0].text == "Thank you. Your answer is saved."
    found = sorted((i.rating, i.text) for i in items(app))
    assert found == [(2, None), (5, "Loved the lunch")]


def test_not_now_saves_nothing(app: BotApp, chat: ChatHarness, ask: Callable[..., int]) -> None:
    add_member(app, "u1")
    ask("rating")
    assert chat.press_label("Not now")[0].text == "That's fine. Thank you."
    assert items(app) == []


@pytest.mark.parametrize("anonymous", [False, True])
def test_double_tap_counts_once(app: BotApp, chat: ChatHarness, ask: Callable[..., int],
                                anonymous: bool) -> None:
    add_member(app, "u1")
    request_id = ask("choice", ["Yes", "No"], anonymous=anonymous)
    chat.press(f"fb:c:{request_id}:0")
    again = chat.press(f"fb:c:{request_id}:1")
    assert again[0].text == "You have already answered this one. Thank you!"
    [item] = items(app)
    assert item.choice == 0 and item.anonymous is anonymous


@pytest.mark.parametrize("anonymous", [False, True])
def test_text_answer_twice_counts_once(app: BotApp, chat: ChatHarness, ask: Callable[..., int],
                                       anonymous: bool) -> None:
    add_member(app, "u1")
    ask("text", anonymous=anonymous)
    chat.press_label("Answer")
    chat.say("First words")
    assert "already answered" in chat.press_label("Answer")[0].text
    assert [i.text for i in items(app)] == ["First words"]


def test_closed_request_is_refused_kindly(app: BotApp, chat: ChatHarness,
                                          ask: Callable[..., int]) -> None:
    add_member(app, "u1")
    request_id = ask("choice", ["Yes", "No"])
    with transaction(app.engine) as session:
        request = session.get(FeedbackRequest, request_id)
        assert request is not None
        close_request(session, request)
    reply = chat.press_label("Yes")
    assert reply[0].text.startswith("Sorry, this question is closed now.")
    assert items(app) == []


def test_forged_buttons_change_nothing(app: BotApp, chat: ChatHarness,
                                       ask: Callable[..., int]) -> None:
    add_member(app, "u1")
    add_member(app, "u2")
    first = ask("choice", ["Yes", "No"], audience="everyone")
    other = ask("choice", ["Red", "Blue"], audience="language:cy")  # sent to nobody
    for action in (f"fb:c:{first}:2", f"fb:c:{first}:-1", f"fb:c:{other}:0",
                   f"fb:c:{first}:0:0", "fb:c:x:y", f"fb:r:{first}:3", f"fb:t:{first}",
                   "fb:c:99999999999999999999:0"):
        reply = chat.press(action)
        assert reply[0].text == "Sorry, that button has expired. Send /help to start again."
    assert items(app) == []


def test_server_checks_hold_even_for_an_offered_forgery(app: BotApp) -> None:
    """If a forged action got past the 'was it offered' check, the answer is still refused."""
    member_id = add_member(app, "u1")
    now = utcnow()
    with transaction(app.engine) as session:
        choice = create_request(session, "choice", "Pick", ["a", "b"])
        rating = create_request(session, "rating", "Rate")
        choice.status = rating.status = "open"
        wrong_for_choice: list[dict[str, Any]] = [
            {"choice": 2}, {"choice": -1}, {"rating": 3}, {"text": "hi"}]
        for bad in wrong_for_choice:
            assert record_answer(session, choice, member_id, now, **bad) == "invalid"
        wrong_for_rating: list[dict[str, Any]] = [{"rating": 0}, {"rating": 6}, {"choice": 0}]
        for bad in wrong_for_rating:
            assert record_answer(session, rating, member_id, now, **bad) == "invalid"
        assert record_answer(session, None, member_id, now, choice=0) == "invalid"
        choice.status = "draft"
        assert record_answer(session, choice, member_id, now, choice=0) == "closed"
    assert items(app) == []
