"""The feedback log's fast paths give the same answers as the plain ones, on both databases.

PostgreSQL filters tags with `@>` on JSONB and searches text through a
trigram index (migrations 0010 and 0012); SQLite uses text matches.
These tests pin what the filters mean, so an index-friendly rewrite cannot
quietly change the results. Speed is in benchmarks/dashboard_scale.py.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import inspect
from starlette.testclient import TestClient

from bot.app import BotApp
from tests.web.conftest import add_member
from tests.web.helpers import add_feedback


def shown(web: TestClient, **params: str) -> str:
    page = web.get("/feedback", params=params)
    assert page.status_code == 200
    return page.text


def test_tag_filter_matches_whole_tags_only(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    add_feedback(app, None, "About the room", tags=["room"])
    add_feedback(app, None, "About the rooms", tags=["rooms", "heating"])
    add_feedback(app, None, "About quotes", tags=['a"b'])
    as_role("staff")
    page = shown(web, tag="room")
    assert "About the room<" in page and "About the rooms" not in page
    assert "About the rooms" in shown(web, tag="#Heating")
    assert "About" not in shown(web, tag='"room"').split("<h1")[1].split("</h1>")[0]
    nothing = shown(web, tag="zzz")
    assert "No feedback matches these filters." in nothing


def test_word_search_is_case_blind_and_treats_wildcards_as_text(app: BotApp, as_role,  # type: ignore[no-untyped-def]
                                                                web: TestClient) -> None:
    add_feedback(app, None, "We want 50% more breaks")
    add_feedback(app, None, "We want 500 more chairs")
    add_feedback(app, None, "snake_case is odd")
    add_feedback(app, None, "snakeXcase is odd")
    add_feedback(app, None, "ZAŻÓŁĆ gęślą jaźń")
    as_role("staff")
    page = shown(web, q="50%")
    assert "50% more breaks" in page and "500 more chairs" not in page
    page = shown(web, q="snake_case")
    assert "snake_case" in page and "snakeXcase" not in page
    assert "more breaks" in shown(web, q="MORE BREAKS")
    assert "gęślą" in shown(web, q="gęślą")
    assert "No feedback matches" in shown(web, q="/%_")


def test_newest_first_and_every_filter_together(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    old = add_feedback(app, None, "Old cold room", day=today - timedelta(days=40),
                       tags=["room"])
    new = add_feedback(app, None, "New cold room", day=today, tags=["room"])
    add_feedback(app, None, "New warm room", day=today, tags=["room"])
    add_feedback(app, None, "New cold hall", day=today, tags=["hall"])
    as_role("staff")
    page = shown(web)
    assert page.index(f'id="item-{new}"') < page.index(f'id="item-{old}"')
    since = (today - timedelta(days=7)).isoformat()
    page = shown(web, tag="room", status="new", date_from=since, q="cold")
    assert "New cold room" in page
    assert "Old cold room" not in page and "warm" not in page and "hall" not in page


def test_the_csv_export_has_every_matching_row(app: BotApp, as_role, web: TestClient) -> None:  # type: ignore[no-untyped-def]
    author = add_member(app, "m1", name="Ana")
    for n in range(120):
        add_feedback(app, author if n % 2 else None, f"Item {n}", tags=["t"] if n % 3 else [])
    as_role("staff")
    got = web.get("/feedback.csv", params={"tag": "t"})
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == 80
    named = [r for r in rows if r["anonymous"] == "False"]
    assert named and all(r["member_id"] == str(author) for r in named)
    assert all(r["member_id"] == "" for r in rows if r["anonymous"] == "True")


def test_the_scale_indexes_exist(app: BotApp) -> None:
    names = {i["name"] for i in inspect(app.engine).get_indexes("feedbackitem")}
    assert "ix_feedbackitem_given_on_id" in names
    if app.engine.dialect.name == "postgresql":
        assert {"ix_feedbackitem_tags_gin", "ix_feedbackitem_text_words_trgm"} <= names
        assert "ix_feedbackitem_text_trgm" not in names  # replaced by 0012_feedback_search
