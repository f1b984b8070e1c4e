"""The update file: a good file parses; every mistake gets a message saying what to fix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.broadcasts import BroadcastError, parse_toml, read_toml

GOOD = '''
kind = "you_said_we_did"
audience = ["group:Riverside", "role:staff", "language:cy"]
send_at = 2099-12-01T10:00:00

[text.en]
title = "You said, we did"
body = """
You said the room was cold.
We got a heater.
"""

[text.cy]
title = "Dywedoch chi, gwnaethon ni"
body = "Cawsom wresogydd."
'''


def parse(source: str):  # type: ignore[no-untyped-def]
    return parse_toml(source, languages=["en", "cy"], default_language="en",
                      timezone="Europe/London")


def test_a_good_file() -> None:
    spec = parse(GOOD)
    assert spec.kind == "you_said_we_did"
    assert spec.audience == ["group:Riverside", "role:staff", "language:cy"]
    assert spec.texts["en"]["body"] == "You said the room was cold.\nWe got a heater."
    assert spec.send_at == datetime(2099, 12, 1, 10, 0, tzinfo=UTC)  # GMT in December
    assert spec.default_language == "en"


def test_everyone_wins_over_narrower_audiences_and_send_at_may_be_a_string() -> None:
    spec = parse(GOOD.replace('["group:Riverside", "role:staff", "language:cy"]',
                              '["language:cy", "everyone"]')
                 .replace("2099-12-01T10:00:00", '"2099-06-01 10:00+02:00"'))
    assert spec.audience == ["everyone"]
    assert spec.send_at == datetime(2099, 6, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("change", "message"), [
    (('title = "Dywedoch chi, gwnaethon ni"\n', ""), "[text.cy]: title is missing"),
    (('kind = "you_said_we_did"', 'kind = "news"'), "kind 'news' is not known; use one of: "
     "learning, you_said_we_did, session_news, urgent"),
    (("[text.cy]", "[text.xx]"), "language 'xx' is not one of this bot's languages (en, cy)"),
    (('"role:staff"', '"role:boss"'), "role 'boss' is not known"),
    (('"group:Riverside"', '"team:Riverside"'),
     "audience 'team:Riverside' is not understood; use everyone, group:NAME, role:ROLE or "
     "language:CODE"),
    (('"language:cy"]', '"language:fr"]'), "language 'fr' is not one of this bot's languages"),
    (("2099-12-01T10:00:00", '"next tuesday"'), "send_at 'next tuesday' is not a date and "
     "time; write it like"),
    (("2099-12-01T10:00:00", "2099-12-01"), "send_at 2099-12-01 has no time"),
    (("2099-12-01T10:00:00", "2001-12-01T10:00:00"), "is in the past"),
    (('kind = "you_said_we_did"', 'kind = "learning"\ncolour = "red"'), "unknown key 'colour'"),
    (('kind = "you_said_we_did"', ""), "kind is missing"),
    (('body = "Cawsom wresogydd."', 'body = "  "'), "[text.cy]: body is empty"),
    (('audience = ["group:Riverside", "role:staff", "language:cy"]', ""), "audience is missing"),
    (("[text.en]", "[text.en"), "this is not valid TOML"),
])
def test_mistakes_are_explained(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(BroadcastError) as info:
        parse(GOOD.replace(old, new))
    assert message in str(info.value)
    assert str(info.value).startswith("update.toml: ")


def test_no_text_at_all() -> None:
    with pytest.raises(BroadcastError, match="there is no text"):
        parse('kind = "learning"\naudience = "everyone"\n')


def test_a_long_title_is_refused() -> None:
    with pytest.raises(BroadcastError, match="title is 201 characters; the most is 200"):
        parse(GOOD.replace("You said, we did", "x" * 201))


def test_reading_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(BroadcastError, match="cannot read"):
        read_toml(tmp_path / "nope.toml", languages=["en"], default_language="en",
                  timezone="UTC")
