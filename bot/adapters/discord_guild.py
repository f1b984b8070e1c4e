"""The server side of Discord: welcoming people who join, and mapping server roles.

Joining starts onboarding with a synthetic `/start` in the inbox, so the
welcome is the same conversation as on Telegram, sent as a DM through the
outbox. If the DM bounces with 50007 (the person does not allow DMs from
server members), one short, translated note goes to the configured welcome
channel saying how to start.

Server roles can map to bot roles (`DISCORD_ROLE_MAP`, a JSON object of
Discord role id to bot role, or list of bot roles). Bot roles named in the
map follow the server: given when the Discord role is given, taken away when
it is removed or the person leaves. Roles not named in the map are untouched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.adapters.discord_inbound import PLATFORM
from bot.app import BotApp
from bot.core.events import OutgoingMessage
from bot.core.members import find_identity, grant_role, resolve_member, revoke_role
from bot.i18n import N_
from bot.storage.models import ROLES, Identity, InboxEvent, OutboxMessage, utcnow

log = logging.getLogger(__name__)

DMS_CLOSED_NOTE = N_("Welcome, {mention}! I could not send you a private message. To start, "
                     "open this server's Privacy Settings and turn on Direct Messages. "
                     "Then type /start.")
JOIN_FALLBACK_WINDOW = timedelta(days=1)


def setting_id(settings: object, name: str) -> int | None:
    """An optional Discord id setting (int or digit string); None when unset."""
    value = getattr(settings, name, None)
    if value in (None, "", 0):
        return None
    try:
        return int(str(value))
    except ValueError:
        log.error("%s is not a Discord id", name.upper())
        return None


def role_map(settings: object) -> dict[str, frozenset[str]]:
    """`discord_role_map` as {discord role id: bot roles}, unknown roles dropped."""
    raw: Any = getattr(settings, "discord_role_map", None) or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            log.error("DISCORD_ROLE_MAP is not valid JSON; no roles are mapped")
            return {}
    if not isinstance(raw, Mapping):
        log.error("DISCORD_ROLE_MAP must be a JSON object; no roles are mapped")
        return {}
    mapping: dict[str, frozenset[str]] = {}
    for discord_role, bot_roles in raw.items():
        names = [bot_roles] if isinstance(bot_roles, str) else list(bot_roles or [])
        known = frozenset(r for r in names if r in ROLES and r != "member")
        if len(known) != len(names):
            log.error("DISCORD_ROLE_MAP names an unknown bot role; choose from %s",
                      ", ".join(ROLES[1:]))
        if known:
            mapping[str(discord_role)] = known
    return mapping


def wanted_roles(mapping: Mapping[str, frozenset[str]], discord_roles: Iterable[int]) -> set[str]:
    return {role for rid in discord_roles for role in mapping.get(str(rid), frozenset())}


def sync_roles(app: BotApp, mapping: Mapping[str, frozenset[str]], user_id: str,
               discord_roles: Iterable[int], chat_id: str | None) -> tuple[set[str], set[str]]:
    """Make the mapped bot roles match the server roles; returns (granted, revoked).

    Someone with a mapped role who never wrote to the bot gets a member record
    (platform ids only) when `chat_id` is known, so the role is ready for them.
    """
    wanted = wanted_roles(mapping, discord_roles)
    managed = set().union(*mapping.values()) if mapping else set()
    for attempt in range(2):  # the dispatcher may create the same identity at once
        try:
            with Session(app.engine) as session:
                identity = find_identity(session, PLATFORM, user_id)
                if identity is None:
                    if not wanted or chat_id is None:
                        return set(), set()
                    _, identity = resolve_member(
                        session, PLATFORM, user_id, chat_id,
                        default_language=app.settings.default_language,
                        default_timezone=app.settings.default_timezone)
                member_id = identity.member_id
                granted = {r for r in sorted(wanted) if grant_role(session, member_id, r)}
                revoked = {r for r in sorted(managed - wanted)
                           if revoke_role(session, member_id, r)}
                session.commit()
        except IntegrityError:
            if attempt:
                raise
            continue
        if granted or revoked:
            log.info("discord roles for member %s: +%s -%s", member_id,
                     ",".join(sorted(granted)) or "none", ",".join(sorted(revoked)) or "none")
        return granted, revoked
    return set(), set()  # pragma: no cover - the loop returns or raises


def queue_dms_closed_note(app: BotApp, chat_id: str, channel_id: int) -> bool:
    """After a 50007 on someone's welcome DM, queue the note in the welcome channel.

    Only for people who joined within the last day, and once per join.
    """
    with Session(app.engine) as session:
        identity = session.exec(
            select(Identity).where(Identity.platform == PLATFORM, Identity.chat_id == chat_id)
        ).first()
        if identity is None:
            return False
        joined = session.exec(
            select(InboxEvent)
            .where(InboxEvent.platform == PLATFORM,
                   col(InboxEvent.external_id).like(f"join-%-{identity.user_id}-%"),
                   col(InboxEvent.received_at) >= utcnow() - JOIN_FALLBACK_WINDOW)
            .order_by(col(InboxEvent.id).desc())
        ).first()
        if joined is None:
            return False
        already = session.exec(
            select(OutboxMessage.id).where(
                OutboxMessage.platform == PLATFORM, OutboxMessage.chat_id == str(channel_id),
                OutboxMessage.member_id == identity.member_id,
                col(OutboxMessage.created_at) >= joined.received_at)
        ).first()
        if already is not None:
            return False
        translator = app.i18n.translator(app.settings.default_language)
        text = translator.gettext(DMS_CLOSED_NOTE).format(mention=f"<@{identity.user_id}>")
        session.add(OutboxMessage(member_id=identity.member_id, platform=PLATFORM,
                                  chat_id=str(channel_id),
                                  payload=OutgoingMessage(text=text).to_dict()))
        session.commit()
        log.info("discord: welcome DM bounced; note queued for member %s", identity.member_id)
        return True
