"""Neutral buttons as Discord persistent views, within Discord's layout limits.

Discord allows 5 buttons in a row and 5 rows (25 buttons) on a message. Longer
rows are wrapped; more than 5 rows are split into pages, with a row of
"Previous page" / "Next page" buttons whose custom ids (`~page:<n>`) no
handler can claim. A page turn is pure presentation: the adapter re-renders
the page from the outbox row it sent, and nothing reaches the inbox.

Every button is a `DynamicItem` whose custom id is the neutral action id, and
its view has no timeout, so buttons keep working after a restart without any
per-message state in memory.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any, Protocol

import discord
from discord import ui

from bot.adapters.discord_text import button_label
from bot.core.events import Button, OutgoingMessage
from bot.i18n import N_

log = logging.getLogger(__name__)

MAX_PER_ROW = 5
MAX_ROWS = 5
MAX_CUSTOM_ID = 100
PAGE_PREFIX = "~page:"
PAGE_ID = re.compile(r"~page:(\d{1,3})")
NEXT_PAGE = N_("Next page")
PREVIOUS_PAGE = N_("Previous page")

Page = list[list[Button]]


class ButtonHandler(Protocol):
    """What the client must offer so a pressed button reaches the adapter."""

    async def on_action_button(self, interaction: discord.Interaction[Any], action: str) -> None:
        ...


class ActionButton(ui.DynamicItem[ui.Button[Any]], template=r"(?s)(?P<action>.{1,100})"):
    """Any of our buttons: the custom id is the neutral action id, nothing else.

    discord.py only calls back when the pressed custom id is on the message
    the interaction came from, so ids that were never shown go nowhere.
    """

    def __init__(self, action: str, label: str = "•", *, row: int | None = None,
                 style: discord.ButtonStyle = discord.ButtonStyle.primary) -> None:
        super().__init__(ui.Button(label=button_label(label), custom_id=action, style=style),
                         row=row)
        self.action = action

    @classmethod
    async def from_custom_id(  # type: ignore[override]
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> ActionButton:
        return cls(match["action"], getattr(item, "label", None) or "•")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler = getattr(interaction.client, "on_action_button", None)
        if handler is not None:
            await handler(interaction, self.action)


def wrap_rows(rows: Iterable[Iterable[Button]]) -> Page:
    """Rows of at most 5 buttons, keeping the handler's order and grouping."""
    wrapped: Page = []
    for row in rows:
        items = list(row)
        wrapped += [items[i : i + MAX_PER_ROW] for i in range(0, len(items), MAX_PER_ROW)]
    return [row for row in wrapped if row]


def paginate(rows: Iterable[Iterable[Button]]) -> list[Page]:
    """Pages of at most 5 rows; with several pages, 4 rows each plus the page row."""
    wrapped = wrap_rows(rows)
    if len(wrapped) <= MAX_ROWS:
        return [wrapped]
    per_page = MAX_ROWS - 1
    return [wrapped[i : i + per_page] for i in range(0, len(wrapped), per_page)]


def page_action(page: int) -> str:
    return f"{PAGE_PREFIX}{page}"


def parse_page(custom_id: str) -> int | None:
    """The page a page button asks for; None for anything that is not one."""
    match = PAGE_ID.fullmatch(custom_id)
    return int(match.group(1)) if match else None


def build_view(message: OutgoingMessage, page: int = 0,
               labels: tuple[str, str] = (PREVIOUS_PAGE, NEXT_PAGE)) -> ui.View | None:
    """The view for one page of a message's buttons; None when it has none.

    `labels` are the translated "Previous page" and "Next page".
    """
    pages = paginate(message.buttons)
    if not pages[0]:
        return None
    page = min(max(page, 0), len(pages) - 1)
    view = ui.View(timeout=None)
    seen: set[str] = set()
    for index, row in enumerate(pages[page]):
        for button in row:
            if button.action in seen or len(button.action) > MAX_CUSTOM_ID:
                log.warning("dropped a repeated or over-long button action")
                continue
            seen.add(button.action)
            view.add_item(ActionButton(button.action, button.label, row=index))
    if len(pages) > 1:
        nav_row = len(pages[page])
        if page > 0:
            view.add_item(ActionButton(page_action(page - 1), labels[0], row=nav_row,
                                       style=discord.ButtonStyle.secondary))
        if page < len(pages) - 1:
            view.add_item(ActionButton(page_action(page + 1), labels[1], row=nav_row,
                                       style=discord.ButtonStyle.secondary))
    return view


def page_count(message: OutgoingMessage) -> int:
    return len(paginate(message.buttons)) if message.buttons else 0
