"""Platform-neutral events and outgoing messages.

Adapters translate to and from these; handlers see nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EventKind = Literal["message", "command", "button", "unsupported", "blocked", "unblocked"]

# Telegram limits callback_data to 64 bytes; Discord custom_id to 100 characters.
MAX_ACTION_BYTES = 64


@dataclass(frozen=True)
class Event:
    """Something a person did, in neutral form.

    `kind` is message (free text), command (`/name args`), button (an opaque
    action id) or unsupported (a sticker, photo, edit...). `blocked`/`unblocked`
    report that the person blocked or unblocked the bot.
    """

    platform: str
    user_id: str
    chat_id: str
    kind: EventKind
    text: str = ""
    command: str | None = None
    args: str = ""
    action: str | None = None
    display_name: str | None = None
    language_hint: str | None = None
    attachment: str | None = None  # e.g. "voice", "photo", "sticker", "edit"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Button:
    """A button: a label in words and an opaque action id checked on the server."""

    label: str
    action: str

    def __post_init__(self) -> None:
        if not self.action or len(self.action.encode("utf-8")) > MAX_ACTION_BYTES:
            raise ValueError("button action must be 1..64 bytes")


@dataclass(frozen=True)
class OutgoingMessage:
    """Text plus rows of buttons. Text is plain: adapters escape it for their markup."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    document_name: str | None = None
    document_text: str | None = None
    # A secret (e.g. a login link): the stored copy is blanked once it is sent.
    sensitive: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [[asdict(b) for b in row] for row in self.buttons],
            "document_name": self.document_name,
            "document_text": self.document_text,
            "sensitive": self.sensitive,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutgoingMessage:
        rows = [[Button(**b) for b in row] for row in data.get("buttons") or []]
        return cls(
            text=data.get("text", ""),
            buttons=rows,
            document_name=data.get("document_name"),
            document_text=data.get("document_text"),
            sensitive=bool(data.get("sensitive", False)),
        )

    def actions(self) -> list[str]:
        return [b.action for row in self.buttons for b in row]


def parse_command(text: str) -> tuple[str, str] | None:
    """Split `/name@bot args` into (name, args); None when text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name or not all(c.isascii() and (c.isalnum() or c == "_") for c in name):
        return None
    return name, args.strip()


def text_event(platform: str, user_id: str, chat_id: str, text: str, **kw: Any) -> Event:
    """Build a message or command event from typed text."""
    cmd = parse_command(text.strip())
    if cmd:
        return Event(platform, user_id, chat_id, "command", text=text, command=cmd[0],
                     args=cmd[1], **kw)
    return Event(platform, user_id, chat_id, "message", text=text, **kw)
