"""The handler context: everything a handler may touch, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from bot.config import Settings
from bot.core.events import Button, OutgoingMessage
from bot.core.reach import pick_identity
from bot.core.router import CommandSpec
from bot.core.state import StateView
from bot.i18n import I18n, Translator
from bot.storage.models import Identity, Member, OutboxMessage, utcnow


@dataclass
class Context:
    """Database session, member, translator, conversation state and `reply()`."""

    session: Session
    member: Member
    identity: Identity
    t: Translator
    state: StateView
    settings: Settings
    i18n: I18n
    roles: frozenset[str]
    event_id: int | None = None
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    # Where this event happened (a group, or their private chat); replies go there.
    reply_chat_id: str | None = None
    sent: list[OutboxMessage] = field(default_factory=list)

    def _(self, message: str) -> str:
        """Translate into the member's language."""
        return self.t.gettext(message)

    def n_(self, singular: str, plural: str, n: int) -> str:
        return self.t.ngettext(singular, plural, n)

    def has_role(self, *roles: str) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)

    def set_language(self, lang: str) -> None:
        """Switch language now, so the rest of this reply is already in it."""
        self.member.language = lang
        self.session.add(self.member)
        self.t = self.i18n.translator(lang, self.member.timezone, easy=self.t.easy)

    def reply(
        self, text: str, buttons: list[list[Button]] | None = None, *, sensitive: bool = False
    ) -> None:
        """Queue a message to the chat this event came from.

        `sensitive` marks a secret such as a login link: the stored copy is
        blanked as soon as it has been sent.
        """
        message = OutgoingMessage(text=text, buttons=buttons or [], sensitive=sensitive)
        self.send(self.identity, message, chat_id=self.reply_chat_id)

    def reply_document(self, text: str, name: str, content: str) -> None:
        """Files are personal (e.g. /mydata): always to their private chat."""
        self.send(
            self.identity, OutgoingMessage(text=text, document_name=name, document_text=content)
        )

    def send(
        self, identity: Identity, message: OutgoingMessage, *, chat_id: str | None = None
    ) -> None:
        """Write an outbox row in this transaction; delivery happens after commit."""
        row = OutboxMessage(
            member_id=identity.member_id,
            platform=identity.platform,
            chat_id=chat_id or identity.chat_id,
            payload=message.to_dict(),
            source_event_id=self.event_id,
            not_before=utcnow(),
        )
        self.session.add(row)
        self.sent.append(row)

    def send_to_member(self, member_id: int, message: OutgoingMessage) -> bool:
        """Message another member once, on their preferred reachable platform."""
        identity = pick_identity(self.session, member_id)
        if identity is None:
            return False
        self.send(identity, message)
        return True
