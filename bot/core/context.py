"""The handler context: everything a handler may touch, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.core import pacing
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
    _cursors: dict[tuple[str, str], pacing.Cursor] = field(default_factory=dict, repr=False)

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
        blanked as soon as it has been sent. A member who asked for more time
        between messages gets a long reply as short parts with reading pauses
        (buttons on the last part) in their own chat.
        """
        chat_id = self.reply_chat_id or self.identity.chat_id
        if chat_id != self.identity.chat_id:  # a group reads at the group's pace
            self.send(self.identity, OutgoingMessage(text, buttons or [], sensitive=sensitive),
                      chat_id=chat_id)
            return
        needs = self.needs()
        chunks = pacing.parts(text, needs)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            message = OutgoingMessage(text=chunk, buttons=(buttons or []) if last else [],
                                      sensitive=sensitive)
            at = self._cursor(self.identity.platform, chat_id).next_time(needs)
            self.send(self.identity, message, chat_id=chat_id, not_before=at)

    def needs(self) -> list[str]:
        """The member's communication needs (Easy Read, more time...), asked in onboarding."""
        from bot.storage.profile_models import Profile

        profile = self.session.get(Profile, self.member.id) if self.member.id else None
        return list(profile.needs or []) if profile is not None else []

    def _cursor(self, platform: str, chat_id: str) -> pacing.Cursor:
        """Where this event's next message to the chat may go, in time."""
        key = (platform, chat_id)
        if key not in self._cursors:
            self._cursors[key] = pacing.waiting_cursor(self.session, platform, chat_id, utcnow())
        return self._cursors[key]

    def reply_document(self, text: str, name: str, content: str) -> None:
        """Files are personal (e.g. /mydata): always to their private chat, in turn."""
        at = self._cursor(self.identity.platform, self.identity.chat_id).next_time(self.needs())
        self.send(
            self.identity, OutgoingMessage(text=text, document_name=name, document_text=content),
            not_before=at,
        )

    def send(
        self, identity: Identity, message: OutgoingMessage, *, chat_id: str | None = None,
        not_before: datetime | None = None,
    ) -> None:
        """Write an outbox row in this transaction; delivery happens after commit.

        The row never goes before a paced part still waiting for that chat (the
        worker sends due rows in id order, so equal times keep their order). A
        row held back is marked paced, so later messages wait behind it too.
        """
        chat = chat_id or identity.chat_id
        floor = self._cursor(identity.platform, chat).at  # looked up before `now`
        now = utcnow()
        at = max(not_before or now, floor, now)
        payload = message.to_dict()
        if at > now:
            payload[pacing.PACED] = True
        row = OutboxMessage(
            member_id=identity.member_id,
            platform=identity.platform,
            chat_id=chat,
            payload=payload,
            source_event_id=self.event_id,
            not_before=at,
        )
        self.session.add(row)
        self.sent.append(row)
        self._cursors[(identity.platform, chat)] = pacing.Cursor(at, message.text)

    def send_to_member(self, member_id: int, message: OutgoingMessage) -> bool:
        """Message another member once, on their preferred reachable platform."""
        identity = pick_identity(self.session, member_id)
        if identity is None:
            return False
        self.send(identity, message)
        return True
