"""Telegram updates to neutral events: the only place that reads PTB update objects.

Only platform ids, the text and what kind of thing arrived are kept. Names
and usernames are dropped here: nothing personal is stored before consent.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from telegram import Message, Update, User, Voice
from telegram.constants import ChatMemberStatus, ChatType, MessageAttachmentType, MessageEntityType

from bot.core.events import Event, EventKind, text_event

PLATFORM = "telegram"
# Everything we turn into events; anything else Telegram need not send at all.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is on Telegram, to tell which group messages are meant for it."""

    id: int
    username: str

    @classmethod
    def of(cls, user: User) -> BotIdentity:
        return cls(user.id, user.username or "")


def update_to_event(update: Update, me: BotIdentity) -> Event | None:
    """The neutral event for an update, or None when there is nothing to handle."""
    if update.message is not None:
        return _message_event(update.message, me, edited=False)
    if update.edited_message is not None:
        return _message_event(update.edited_message, me, edited=True)
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        chat_id = str(message.chat.id) if message is not None else str(query.from_user.id)
        extra: dict[str, Any] = {
            "chat_type": message.chat.type if message is not None else ChatType.PRIVATE,
            "callback_query_id": query.id,
        }
        if message is not None:
            extra["message_id"] = message.message_id
        return Event(PLATFORM, str(query.from_user.id), chat_id, "button",
                     action=query.data or "", language_hint=query.from_user.language_code,
                     extra=extra)
    if update.my_chat_member is not None:
        change = update.my_chat_member
        if change.chat.type != ChatType.PRIVATE:
            return None  # the bot added to or removed from a group says nothing about a member
        status = change.new_chat_member.status
        kind: EventKind
        if status == ChatMemberStatus.BANNED:
            kind = "blocked"
        elif status == ChatMemberStatus.MEMBER:
            kind = "unblocked"
        else:
            return None
        return Event(PLATFORM, str(change.from_user.id), str(change.chat.id), kind,
                     extra={"chat_type": ChatType.PRIVATE})
    return None


def _message_event(message: Message, me: BotIdentity, *, edited: bool) -> Event | None:
    user = message.from_user
    chat = message.chat
    if user is None or user.is_bot or chat.type == ChatType.CHANNEL:
        return None
    private = chat.type == ChatType.PRIVATE
    if not private and not addressed_to_bot(message, me):
        return None
    ids = (PLATFORM, str(user.id), str(chat.id))
    extra: dict[str, Any] = {"chat_type": chat.type, "message_id": message.message_id}
    if not private:
        extra["private_chat_id"] = str(user.id)  # on Telegram a user's DM chat has their id
    hint = user.language_code
    if edited:
        return Event(*ids, "unsupported", attachment="edit", language_hint=hint, extra=extra)
    attachment = attachment_kind(message)
    if attachment is not None:
        if attachment == MessageAttachmentType.VOICE and message.voice is not None:
            voice = message.voice
            # Kept so a later feature can fetch and transcribe the voice note.
            extra.update(file_id=voice.file_id, file_unique_id=voice.file_unique_id,
                         duration=voice_seconds(voice), mime_type=voice.mime_type)
        return Event(*ids, "unsupported", attachment=attachment, language_hint=hint, extra=extra)
    if message.text is None:
        return None  # service messages: members joining, pins, title changes...
    text = message.text if private else strip_mention(message.text, me)
    return text_event(*ids, text, language_hint=hint, extra=extra)


def attachment_kind(message: Message) -> str | None:
    """The name of what was sent instead of text (photo, sticker, voice...), if anything."""
    for kind in MessageAttachmentType:
        if kind == MessageAttachmentType.SUCCESSFUL_PAYMENT:
            continue
        if getattr(message, kind.value, None):
            return kind.value
    return None


def addressed_to_bot(message: Message, me: BotIdentity) -> bool:
    """In a group, only a mention, a `/cmd@bot` or a reply to the bot is for us."""
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == me.id:
        return True
    handle = f"@{me.username}".lower()
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    for entity, content in entities.items():
        if entity.type == MessageEntityType.MENTION and content.lower() == handle:
            return True
        if entity.type == MessageEntityType.BOT_COMMAND and content.lower().endswith(handle):
            return True
        if entity.type == MessageEntityType.TEXT_MENTION and entity.user is not None \
                and entity.user.id == me.id:
            return True
    return False


def strip_mention(text: str, me: BotIdentity) -> str:
    """`@bot STOP` should read as `STOP`; `/cmd@bot` is left for the command parser."""
    if not me.username:
        return text
    pattern = re.compile(rf"(?<![\w/@])@{re.escape(me.username)}\b", re.IGNORECASE)
    return pattern.sub("", text).strip()


def voice_seconds(voice: Voice) -> int | None:
    """The duration in whole seconds, read without PTB's int-or-timedelta warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return int(period_seconds(voice.duration))


def period_seconds(value: object) -> float:
    """PTB 22 gives time periods as int or timedelta, depending on PTB_TIMEDELTA."""
    total = getattr(value, "total_seconds", None)
    if callable(total):
        return float(total())
    return float(value) if isinstance(value, int | float) else 0.0
