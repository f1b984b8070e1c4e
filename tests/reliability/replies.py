"""Checking that a queued reply is valid for the platform it will go out on.

The fuzz suite runs with no network, so it checks the outbox rows themselves:
each one is rendered exactly as the platform's sender would render it, and the
result is validated against the platform's rules (the Telegram fake's own
validator; Discord's documented limits).
"""

from __future__ import annotations

import json
from typing import Any

from bot.adapters import discord_text, telegram_text
from bot.adapters.telegram_sender import keyboard
from bot.adapters.utf16 import utf16_units
from bot.core.events import OutgoingMessage
from tests.fakes.telegram_validation import ApiError, check_reply_markup, check_text

DISCORD_MAX_CUSTOM_ID = 100


def problems(platform: str, payload: dict[str, Any]) -> list[str]:
    """Why this outbox payload could not be sent on `platform` (empty: it can)."""
    try:
        message = OutgoingMessage.from_dict(payload)
    except Exception as exc:  # a payload the sender could not even read
        return [f"unreadable payload: {type(exc).__name__}"]
    found: list[str] = []
    if not message.text.strip() and message.document_text is None:
        found.append("empty message")
    if platform == "telegram":
        found += _telegram(message)
    elif platform == "discord":
        found += _discord(message)
    return found


def _telegram(message: OutgoingMessage) -> list[str]:
    found = []
    for part in telegram_text.render_parts(message.text):
        try:
            check_text(part, "HTML")
        except ApiError as error:
            found.append(f"telegram text: {error.description}")
    try:
        markup = keyboard(message.buttons)
        if markup is not None:
            check_reply_markup(json.dumps(markup.to_dict()))
    except (ApiError, ValueError) as error:
        found.append(f"telegram keyboard: {error}")
    return found


def _discord(message: OutgoingMessage) -> list[str]:
    found = []
    for part in discord_text.render_parts(message.text):
        if utf16_units(part) > discord_text.MAX_CONTENT:
            found.append("discord text too long")
    for row in message.buttons:
        for button in row:
            if not 1 <= len(button.action) <= DISCORD_MAX_CUSTOM_ID:
                found.append("discord custom_id length")
            label = discord_text.button_label(button.label)
            if not label.strip() or len(label) > discord_text.MAX_LABEL:
                found.append("discord button label")
    return found
