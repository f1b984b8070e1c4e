"""Slash commands and button presses: acknowledge first, store, then close.

Discord fails an interaction that is not acknowledged within 3 seconds, and a
handler may be slow (a busy database, a long export). So the first thing we
do is defer; only then is the event stored in the inbox and handled like any
other. The reply itself is an ordinary DM through the outbox: durable, rate
limited, retried, and not bound to the 15-minute interaction token.

- A button press is deferred as an update (type 6): nothing to close.
- A slash command is deferred as "thinking" (type 5). Once its event is
  handled and its replies have left the outbox, we close it within the token
  window: in the DM we delete the thinking note (the reply is right below); in
  the server we edit it into a private "I have replied in a private message"
  (or, if the DM bounced, how to allow DMs). After 14 minutes we close anyway.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord
from sqlmodel import Session, col, select

from bot.adapters.discord_inbound import PLATFORM, in_dm
from bot.app import BotApp
from bot.core.events import OutgoingMessage
from bot.core.loops import pause
from bot.i18n import N_
from bot.storage.models import Identity, InboxEvent, Member, OutboxMessage

log = logging.getLogger(__name__)

TOKEN_WINDOW = 14 * 60.0  # Discord allows 15 minutes; keep a margin
IN_FLIGHT = ("pending", "claimed", "sending")
REPLIED_IN_DM = N_("I have replied in a private message.")
DM_FAILED = N_("I could not send you a private message. Please turn on Direct Messages "
               "in this server's Privacy Settings, then try again.")


async def acknowledge(interaction: discord.Interaction[Any], *, thinking: bool = False,
                      ephemeral: bool = False) -> bool:
    """Defer at once; False when Discord no longer accepts it (too late, or twice)."""
    try:
        await interaction.response.defer(thinking=thinking, ephemeral=ephemeral)
        return True
    except (discord.HTTPException, discord.InteractionResponded) as exc:
        log.info("could not acknowledge interaction %s: %s", interaction.id, type(exc).__name__)
        return False


async def dm_channel_id(interaction: discord.Interaction[Any]) -> str | None:
    """The person's DM channel with us, where replies go, wherever they pressed."""
    if in_dm(interaction) and interaction.channel_id is not None:
        return str(interaction.channel_id)
    user = interaction.user
    try:
        channel = user.dm_channel or await user.create_dm()
    except discord.HTTPException as exc:
        log.warning("could not open a DM channel: %s", type(exc).__name__)
        return None
    return str(channel.id)


def page_message(app: BotApp, chat_id: str, message_id: str) -> OutgoingMessage | None:
    """The outgoing message we sent as `message_id` to this DM channel, if any."""
    with Session(app.engine) as session:
        payload = session.exec(
            select(OutboxMessage.payload).where(
                OutboxMessage.platform == PLATFORM, OutboxMessage.chat_id == chat_id,
                OutboxMessage.platform_message_id == message_id)
        ).first()
    return OutgoingMessage.from_dict(payload) if payload is not None else None


@dataclass
class _Open:
    interaction: discord.Interaction[Any]
    inbox_id: int | None
    deadline: float
    in_guild: bool


class InteractionCloser:
    """Closes deferred slash commands once their replies are out (or time is up)."""

    def __init__(self, app: BotApp, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.clock = clock
        self._open: list[_Open] = []

    def track(self, interaction: discord.Interaction[Any], inbox_id: int | None) -> None:
        self._open.append(_Open(interaction, inbox_id, self.clock() + TOKEN_WINDOW,
                                not in_dm(interaction)))

    @property
    def pending(self) -> int:
        return len(self._open)

    async def close_ready(self) -> int:
        """Close every interaction that is ready; returns how many were closed."""
        if not self._open:
            return 0
        ids = [o.inbox_id for o in self._open if o.inbox_id is not None]
        users = [str(o.interaction.user.id) for o in self._open]
        status, languages = await asyncio.to_thread(self._status, ids, users)
        now = self.clock()
        ready: list[tuple[_Open, str | None]] = []
        still: list[tuple[_Open, str | None]] = []
        for item in self._open:
            outcome = status.get(item.inbox_id) if item.inbox_id is not None else "sent"
            (ready if outcome or now >= item.deadline else still).append((item, outcome))
        self._open = [item for item, _ in still]
        for item, outcome in ready:
            lang = languages.get(str(item.interaction.user.id))
            await self._close(item, outcome, lang)
        return len(ready)

    async def run_forever(self, stop: asyncio.Event, every: float = 0.5) -> None:
        while not stop.is_set():
            try:
                await self.close_ready()
            except Exception as exc:  # the database went away: try again next round
                log.warning("closing interactions failed: %s", type(exc).__name__)
            await pause(every, stop)

    def _status(self, ids: list[int], users: list[str]
                ) -> tuple[dict[int, str], dict[str, str]]:
        """For each handled event whose replies are out: "sent" or "unreachable"."""
        done: dict[int, str] = {}
        with Session(self.app.engine) as session:
            if ids:
                handled = session.exec(select(InboxEvent.id).where(
                    col(InboxEvent.id).in_(ids), InboxEvent.status != "pending")).all()
                rows = session.exec(select(OutboxMessage.source_event_id, OutboxMessage.status)
                                    .where(col(OutboxMessage.source_event_id).in_(ids))).all()
                for inbox_id in handled:
                    statuses = {s for source, s in rows if source == inbox_id}
                    if inbox_id is not None and not statuses & set(IN_FLIGHT):
                        done[inbox_id] = "unreachable" if "unreachable" in statuses else "sent"
            languages = dict(session.exec(
                select(Identity.user_id, Member.language)
                .join(Member, col(Member.id) == col(Identity.member_id))
                .where(Identity.platform == PLATFORM, col(Identity.user_id).in_(users))).all())
        return done, languages

    async def _close(self, item: _Open, outcome: str | None, lang: str | None) -> None:
        interaction = item.interaction
        try:
            if not item.in_guild:
                await interaction.delete_original_response()
                return
            t = self.app.i18n.translator(lang or self.app.settings.default_language)
            note = DM_FAILED if outcome == "unreachable" else REPLIED_IN_DM
            await interaction.edit_original_response(content=t.gettext(note))
        except discord.HTTPException as exc:  # token expired, or the note was dismissed
            log.info("could not close interaction %s: %s", interaction.id, type(exc).__name__)

