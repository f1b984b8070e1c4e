"""What the feedback log's free-text search means, the same on SQLite and PostgreSQL.

The rule: an item matches when the search text, as typed (spaces, punctuation,
`%` and `_` included), is a case-blind substring of the item's text. So "late"
finds "late", "lat" finds "late" and "chocolate" too, and "bus was late" finds
only those words in that order with single spaces. PostgreSQL narrows the rows
with a trigram index built on the text with spaces joined (migration
0012_feedback_search); these tests pin that the narrowing never changes the
answer, including text that contains the joining character itself.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, text
from starlette.testclient import TestClient

from bot.app import BotApp
from bot.storage.feedback_models import SEARCH_SEPARATOR
from tests.web.helpers import add_feedback

ITEM = re.compile(r'id="item-(\d+)"')


def found(web: TestClient, q: str) -> set[int]:
    page = web.get("/feedback", params={"q": q})
    assert page.status_code == 200
    return {int(n) for n in ITEM.findall(page.text)}


@pytest.fixture
def items(app: BotApp) -> dict[str, int]:
    texts = {
        "bus": "The bus was late again.",
        "minibus": "Our minibus was late, again",
        "order": "Late was the bus",
        "double": "The bus  was late",
        "newline": "The bus\nwas late",
        "joined": f"bus{SEARCH_SEPARATOR}was{SEARCH_SEPARATOR}late",
        "chocolate": "Chocolate biscuits please",
        "percent": "We want 50% more breaks",
        "five": "We want 500 more chairs",
        "snake": "snake_case is odd",
        "snakex": "snakeXcase is odd",
        "welsh": "Roedd y bws yn hwyr. Dŵr oer yn yr ystafell",
        "arabic": "كانت الحافلة متأخرة اليوم",
        "polish": "ZAŻÓŁĆ gęślą jaźń",
        "ten": "Meet at 10 am please",
        "thousand": "Meet at 1000am please",
    }
    return {key: add_feedback(app, None, value) for key, value in texts.items()}


def test_a_phrase_matches_those_words_in_that_order(items: dict[str, int], as_role,  # type: ignore[no-untyped-def]
                                                     web: TestClient) -> None:
    as_role("staff")
    assert found(web, "bus was late") == {items["bus"], items["minibus"]}
    assert found(web, "BUS WAS LATE") == {items["bus"], items["minibus"]}
    assert found(web, "  bus was late  ") == {items["bus"], items["minibus"]}  # trimmed
    assert found(web, "was the bus") == {items["order"]}
    assert found(web, "bus  was") == {items["double"]}


def test_part_of_a_word_is_enough(items: dict[str, int], as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("staff")
    late = found(web, "late")
    assert {items["bus"], items["minibus"], items["order"], items["chocolate"]} <= late
    assert items["chocolate"] in found(web, "lat")
    assert found(web, "bus was lat") == {items["bus"], items["minibus"]}
    assert found(web, "us was late") == {items["bus"], items["minibus"]}


def test_punctuation_counts_as_typed(items: dict[str, int], as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("staff")
    assert found(web, "late, again") == {items["minibus"]}
    assert found(web, "late again") == {items["bus"]}  # not "late, again"
    assert found(web, "again.") == {items["bus"]}
    assert found(web, "bus\nwas") == {items["newline"]}  # a newline only matches a newline


def test_the_joining_character_is_not_a_space(items: dict[str, int], as_role,  # type: ignore[no-untyped-def]
                                              web: TestClient) -> None:
    as_role("staff")
    assert items["joined"] not in found(web, "bus was late")
    assert found(web, f"bus{SEARCH_SEPARATOR}was") == {items["joined"]}
    assert found(web, "10 am") == {items["ten"]}
    assert found(web, "1000am") == {items["thousand"]}


def test_wildcards_are_plain_text(items: dict[str, int], as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("staff")
    assert found(web, "50%") == {items["percent"]}
    assert found(web, "5_0") == set()
    assert found(web, "snake_case") == {items["snake"]}
    assert found(web, "%") == {items["percent"]}
    assert found(web, "_") == {items["snake"]}
    assert found(web, "/%") == set()


def test_welsh_arabic_and_polish_text(items: dict[str, int], as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    as_role("staff")
    assert found(web, "bws yn hwyr") == {items["welsh"]}
    assert found(web, "Dŵr oer") == {items["welsh"]}
    assert found(web, "dŵr oer") == {items["welsh"]}
    assert found(web, "Dwr oer") == set()  # no folding of accents: ŵ is not w
    assert found(web, "الحافلة متأخرة") == {items["arabic"]}
    assert found(web, "متأخرة الحافلة") == set()
    assert found(web, "gęślą jaźń") == {items["polish"]}


def test_a_search_finds_items_beyond_the_first_page(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                    web: TestClient) -> None:
    for n in range(70):
        add_feedback(app, None, f"Filler {n} the room was cold")
    wanted = add_feedback(app, None, "The lift was broken")
    as_role("staff")
    assert found(web, "lift was broken") == {wanted}
    assert len(found(web, "room was cold")) == 50  # one page; more on page 2


def test_postgresql_uses_the_phrase_index(app: BotApp) -> None:
    """The index the search relies on exists and the planner can use it."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("expression indexes are PostgreSQL-only")
    with app.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(r[0] for r in conn.execute(text(
            "EXPLAIN SELECT id FROM feedbackitem WHERE translate(lower(text), ' ', :sep) "
            "LIKE translate(lower('%bus was late%'), ' ', :sep)"), {"sep": SEARCH_SEPARATOR}))
    assert "ix_feedbackitem_text_words_trgm" in plan


def test_postgresql_plans_each_search_for_its_own_words(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                        web: TestClient) -> None:
    """A generic plan cannot use the pattern and scans every row (about 1 s at a
    million rows), so the page and the export ask for a custom plan each time."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("plan caching is PostgreSQL's")
    add_feedback(app, None, "The bus was late")
    seen: list[str] = []

    def check(conn, cursor, statement, params, context, many) -> None:  # type: ignore[no-untyped-def]
        if "strpos" in statement:
            seen.append(conn.exec_driver_sql("SHOW plan_cache_mode").scalar())

    event.listen(app.engine, "after_cursor_execute", check)
    try:
        as_role("staff")
        for _ in range(3):
            assert len(found(web, "bus was late")) == 1
        assert "bus was late" in web.get("/feedback.csv", params={"q": "bus was late"}).text
    finally:
        event.remove(app.engine, "after_cursor_execute", check)
    assert seen == ["force_custom_plan"] * 4
    with app.engine.connect() as conn:  # only for that transaction, not the pooled connection
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"


def test_a_nul_character_in_the_search_is_dropped(items: dict[str, int], as_role,  # type: ignore[no-untyped-def]
                                                  web: TestClient) -> None:
    """PostgreSQL text cannot hold NUL: the page and the CSV used to fail (500, or a
    download cut off after its first line)."""
    as_role("staff")
    assert found(web, "choco\x00late") == {items["chocolate"]}
    assert found(web, "\x00") >= set(items.values())  # nothing left: no filter
    csv = web.get("/feedback.csv", params={"q": "choco\x00late"})
    assert csv.status_code == 200
    assert "Chocolate biscuits please" in csv.text
