"""`copro-bot export members`: language, needs, consent and pause; never erased people."""

from __future__ import annotations

import csv
import io
from argparse import Namespace

from bot.config import Settings
from bot.export import export, members
from tests.handlers.journey import start_and_consent
from tests.harness import ChatHarness


def exported(settings: Settings) -> list[dict[str, str]]:
    out = io.StringIO()
    export(settings, members, Namespace(format="csv"), out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_members_csv_lists_language_needs_consent_and_pause(
    chat: ChatHarness, settings: Settings
) -> None:
    chat.say("/start", user="ann")
    chat.press_label("Cymraeg", user="ann")
    start_and_consent(chat, "bob")
    chat.say("Bob", user="bob")
    for _ in range(5):
        chat.press_label("Skip", user="bob")
    chat.press_label("Easy Read", user="bob")
    chat.press_label("An interpreter", user="bob")
    chat.press_label("Done", user="bob")
    chat.say("/pause", user="bob")
    chat.press_label("1 month", user="bob")
    chat.say("/start", user="cat")
    chat.press_label("English", user="cat")
    chat.press_label("No, thank you", user="cat")
    start_and_consent(chat, "dan")
    chat.say("Dan", user="dan")
    chat.say("/forget", user="dan")
    chat.press_label("Yes, delete it all", user="dan")

    rows = exported(settings)
    by_name = {r["display_name"]: r for r in rows}
    assert len(rows) == 3, "the erased person is not listed"
    assert "Dan" not in by_name
    bob = by_name["Bob"]
    assert (bob["language"], bob["needs"], bob["consent"], bob["paused"]) == (
        "en", "easy_read interpreter", "given", "True")
    assert bob["paused_until"] and bob["quiet_hours"] == "21:00-08:00"
    others = sorted((r["language"], r["consent"], r["paused"]) for r in rows if r is not bob)
    assert others == [("cy", "not asked", "False"), ("en", "declined", "False")]


def test_formula_like_text_is_made_safe(chat: ChatHarness, settings: Settings) -> None:
    start_and_consent(chat)
    chat.say("=HYPERLINK(\"x\")")
    [row] = exported(settings)
    assert row["display_name"].startswith("'=")
