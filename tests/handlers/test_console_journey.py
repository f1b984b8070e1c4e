"""The whole journey through the console adapter: numbers press buttons, files are written."""

from __future__ import annotations

import asyncio
import io
import json
import re
from pathlib import Path

from bot.adapters.console_adapter import ConsoleAdapter, ConsoleSender
from bot.app import BotApp


def console(app: BotApp, files: Path, user: str = "ann") -> tuple[ConsoleAdapter, io.StringIO]:
    out = io.StringIO()
    adapter = ConsoleAdapter(app, user=user, out=out)
    sender = adapter.worker.senders["console"]
    assert isinstance(sender, ConsoleSender)
    sender.files_dir = str(files)
    return adapter, out


def type_lines(adapter: ConsoleAdapter, *lines: str) -> None:
    async def run() -> None:
        for line in lines:
            await adapter.handle_line(line)

    asyncio.run(run())


def test_console_journey_from_start_to_mydata(app: BotApp, tmp_path: Path) -> None:
    adapter, out = console(app, tmp_path)
    type_lines(
        adapter,
        "/start", "1",            # English
        "1",                      # Yes, save my details
        "Ann",                    # name
        "3",                      # they/them
        "2",                      # as a co-producer
        "1",                      # UK
        "1",                      # 21:00 to 08:00
        "1",                      # every week
        "2", "7",                 # Easy Read, Done
        "1", "8",                 # telling my story, Done
        "2",                      # no languages to help translate, Done
        "6",                      # not sure yet
        "10",                     # All done (after the 8 Change buttons and Back)
        "/mydata",
    )
    text = out.getvalue()
    assert "not for emergencies" in text and "Can I save your details?" in text
    assert "Nice to meet you, Ann." in text
    assert "Here's what I've saved:" in text and "Check-ins: Every week" in text
    assert "Thank you, Ann. You are all set." in text
    path = Path(re.findall(r"\((/[^)]*my-data\.json)\)", text)[-1])
    assert path.parent == tmp_path
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["tables"]["member"][0]["display_name"] == "Ann"
    assert data["tables"]["profile"][0]["needs"] == ["easy_read"]


def test_console_skip_everything(app: BotApp, tmp_path: Path) -> None:
    adapter, out = console(app, tmp_path, user="bea")
    # Skip is the last button of each question after consent.
    type_lines(adapter, "/start", "1", "1")
    # name, pronouns, intro, time zone, quiet hours, check-ins, needs, ways, translate, payment
    for skip in (2, 5, 6, 8, 6, 6, 9, 10, 4, 8):
        type_lines(adapter, str(skip))
    type_lines(adapter, "10")  # All done
    assert "Thank you. You are all set." in out.getvalue()
