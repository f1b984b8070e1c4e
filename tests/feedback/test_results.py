"""Results show only for groups of 5 or more answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import BotApp
from tests.feedback.conftest import add_member
from tests.harness import ChatHarness


def answer_all(chat: ChatHarness, labels: list[str]) -> None:
    for n, label in enumerate(labels):
        chat.press_label(label, user=f"m{n}")


@pytest.mark.parametrize("anonymous", [True, False])
def test_four_answers_show_fewer_than_5(app: BotApp, chat: ChatHarness,
                                        ask: Callable[..., int], anonymous: bool) -> None:
    add_member(app, "boss", roles=("staff",))
    for n in range(4):
        add_member(app, f"m{n}")
    request_id = ask("choice", ["Yes", "No"], anonymous=anonymous, audience="role:member")
    answer_all(chat, ["Yes", "Yes", "No", "Yes"])
    text = chat.say(f"/feedback_results {request_id}", user="boss")[0].text
    assert "fewer than 5 answers" in text
    assert "Yes:" not in text and "3" not in text.replace(str(request_id), "")


def test_five_answers_show_the_counts(app: BotApp, chat: ChatHarness,
                                      ask: Callable[..., int]) -> None:
    add_member(app, "boss", roles=("coordinator",))
    for n in range(5):
        add_member(app, f"m{n}")
    request_id = ask("choice", ["Yes", "No"], anonymous=True)
    answer_all(chat, ["Yes", "No", "Yes", "Yes", "Yes"])
    text = chat.say(f"/feedback_results {request_id}", user="boss")[0].text
    assert "fewer than" not in text
    assert "5 people answered." in text and "• Yes: 4" in text and "• No: 1" in text


def test_ratings_show_counts_and_average(app: BotApp, chat: ChatHarness,
                                         ask: Callable[..., int]) -> None:
    add_member(app, "boss", roles=("admin",))
    for n in range(5):
        add_member(app, f"m{n}")
    request_id = ask("rating", anonymous=True, audience="role:member")
    answer_all(chat, ["5 Very good", "4 Good", "4 Good", "3 OK", "5 Very good"])
    text = chat.say(f"/feedback_results {request_id}", user="boss")[0].text
    assert "• 4: 2" in text and "• 1: 0" in text and "4.2 out of 5" in text


def test_anonymous_words_stay_out_of_the_log_until_there_are_5(
        app: BotApp, chat: ChatHarness, ask: Callable[..., int]) -> None:
    add_member(app, "boss", roles=("staff",))
    for n in range(5):
        add_member(app, f"m{n}")
    ask("text", anonymous=True, audience="role:member")
    for n in range(5):
        chat.press_label("Answer", user=f"m{n}")
        chat.say(f"idea number {n}", user=f"m{n}")
        log = "\n".join(m.text for m in chat.say("/feedback_log", user="boss"))
        assert ("idea number" in log) is (n == 4), "words show only once 5 have answered"
