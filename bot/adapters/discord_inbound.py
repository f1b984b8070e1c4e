"""Discord messages and interactions to neutral events: the only place that reads them.

Only platform ids, the text and the kind of thing that arrived are kept;
names and avatars are dropped, because nothing personal is stored before
consent. `chat_id` is always the member's DM channel with the bot, because
that is where every reply goes, even to a command typed in the server.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from bot.core.events import Event, text_event

PLATFORM = "discord"
MAX_CUSTOM_ID = 100


def message_event(message: discord.Message, me_id: int | None) -> Event | None:
    """A DM from a person as an event; None for anything we do not handle."""
    author = message.author
    if message.guild is not None or author.bot or author.id == me_id:
        return None  # server chatter is not for us; never answer a bot
    if message.type not in (discord.MessageType.default, discord.MessageType.reply):
        return None  # pins, calls and other system messages
    ids = (PLATFORM, str(author.id), str(message.channel.id))
    extra: dict[str, Any] = {"message_id": str(message.id)}
    attachment = attachment_kind(message)
    if attachment is not None and not message.content.strip():
        return Event(*ids, "unsupported", attachment=attachment, extra=extra)
    if not message.content.strip():
        return None  # an embed-only update or an empty system message
    return text_event(*ids, message.content, extra=extra)


def attachment_kind(message: discord.Message) -> str | None:
    """What was sent instead of text, named as the core expects (voice, photo...)."""
    if message.flags.voice:
        return "voice"
    if message.stickers:
        return "sticker"
    for item in message.attachments:
        kind = (item.content_type or "").split("/", 1)[0]
        return {"image": "photo", "video": "video", "audio": "audio"}.get(kind, "document")
    if message.poll is not None:
        return "poll"
    return None


def command_event(interaction: discord.Interaction[Any], chat_id: str, name: str,
                  text: str | None) -> Event:
    """`/name text` from a slash command, as if it had been typed."""
    args = " ".join((text or "").split())
    typed = f"/{name} {args}".strip()
    return Event(PLATFORM, str(interaction.user.id), chat_id, "command", text=typed,
                 command=name, args=args, language_hint=locale_hint(interaction),
                 extra=_interaction_extra(interaction))


def button_event(interaction: discord.Interaction[Any], chat_id: str, action: str) -> Event:
    """A button press: the action id is client input, checked by the dispatcher."""
    extra = _interaction_extra(interaction)
    if interaction.message is not None:
        extra["message_id"] = str(interaction.message.id)
    return Event(PLATFORM, str(interaction.user.id), chat_id, "button", action=action,
                 language_hint=locale_hint(interaction), extra=extra)


def valid_action(custom_id: object) -> bool:
    return isinstance(custom_id, str) and 1 <= len(custom_id) <= MAX_CUSTOM_ID


def join_event(member: discord.Member, chat_id: str) -> tuple[Event, str]:
    """The synthetic `/start` for someone who joined the server, and its inbox key.

    The key includes when they joined, so a gateway replay is a duplicate but
    someone who leaves and comes back is welcomed again.
    """
    joined = member.joined_at or datetime.fromtimestamp(0)
    event = Event(PLATFORM, str(member.id), chat_id, "command", text="/start", command="start",
                  extra={"guild_id": str(member.guild.id), "source": "join"})
    return event, join_key(member.guild.id, member.id, joined)


def join_key(guild_id: int, user_id: int, joined: datetime) -> str:
    return f"join-{guild_id}-{user_id}-{int(joined.timestamp())}"


def locale_hint(interaction: discord.Interaction[Any]) -> str | None:
    """The language of the person's Discord app, e.g. `pl` or `en-GB`."""
    locale = getattr(interaction, "locale", None)
    return str(locale.value) if locale is not None else None


def in_dm(interaction: discord.Interaction[Any]) -> bool:
    return interaction.guild_id is None and interaction.context.dm_channel


def _interaction_extra(interaction: discord.Interaction[Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {"interaction": True}
    if interaction.guild_id is not None:
        extra["guild_id"] = str(interaction.guild_id)
    return extra
