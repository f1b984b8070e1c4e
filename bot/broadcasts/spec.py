"""What a valid broadcast looks like: kinds, audiences, texts and send time.

The chat flow and the TOML file both build a `BroadcastSpec` through these
checks, so a coordinator gets the same rules (and the same clear errors)
whichever way they write an update.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.core.quiet import zone
from bot.storage.broadcast_models import Broadcast
from bot.storage.models import ROLES, utcnow

KINDS = ("learning", "you_said_we_did", "session_news", "urgent")
AUDIENCE_KINDS = ("everyone", "group", "role", "language")
TITLE_MAX = 200
# Telegram allows 4096 characters; leave room for the title and the note.
BODY_MAX = 3500


class BroadcastError(ValueError):
    """A broadcast that cannot be sent as written; the message says how to fix it."""


@dataclass
class BroadcastSpec:
    """A checked broadcast, not yet stored."""

    kind: str
    texts: dict[str, dict[str, str]]
    audience: list[str]
    default_language: str
    send_at: datetime | None = None
    created_by: int | None = None

    def to_model(self) -> Broadcast:
        return Broadcast(kind=self.kind, texts=self.texts, audience=self.audience,
                         default_language=self.default_language, send_at=self.send_at,
                         created_by=self.created_by, status="draft")


def check_kind(kind: object) -> str:
    if kind not in KINDS:
        raise BroadcastError(f"kind {kind!r} is not known; use one of: {', '.join(KINDS)}")
    return str(kind)


def check_audience(value: object, languages: list[str]) -> list[str]:
    """One audience or a list of them; people matching any of them get the update."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise BroadcastError("audience is missing; use everyone, group:NAME, role:ROLE "
                             "or language:CODE (or a list of them)")
    found: list[str] = []
    for item in items:
        spec = check_one_audience(item, languages)
        if spec not in found:
            found.append(spec)
    return ["everyone"] if "everyone" in found else found


def check_one_audience(item: object, languages: list[str]) -> str:
    text = item.strip() if isinstance(item, str) else ""
    kind, sep, value = text.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if text.lower() == "everyone":
        return "everyone"
    if not sep or kind not in AUDIENCE_KINDS[1:] or not value:
        raise BroadcastError(f"audience {item!r} is not understood; use everyone, "
                             "group:NAME, role:ROLE or language:CODE")
    if kind == "role" and value.lower() not in ROLES:
        raise BroadcastError(f"audience {item!r}: role {value!r} is not known; "
                             f"use one of: {', '.join(ROLES)}")
    if kind == "language" and value.lower() not in languages:
        raise BroadcastError(f"audience {item!r}: language {value!r} is not one of this "
                             f"bot's languages ({', '.join(languages)})")
    return f"{kind}:{value.lower() if kind != 'group' else value}"


def check_texts(raw: object, languages: list[str]) -> dict[str, dict[str, str]]:
    """{code: {title, body}}: every code one of ours, every title and body present."""
    if not isinstance(raw, Mapping) or not raw:
        raise BroadcastError("there is no text; add a title and body for at least one "
                             "language, for example under [text.en]")
    texts: dict[str, dict[str, str]] = {}
    for code, entry in raw.items():
        lang = str(code).strip().lower()
        where = f"[text.{code}]"
        if lang not in languages:
            raise BroadcastError(f"{where}: language {code!r} is not one of this bot's "
                                 f"languages ({', '.join(languages)})")
        if not isinstance(entry, Mapping):
            raise BroadcastError(f"{where}: give a title and a body")
        unknown = set(entry) - {"title", "body"}
        if unknown:
            raise BroadcastError(f"{where}: unknown key {sorted(unknown)[0]!r}; "
                                 "only title and body are allowed")
        title, body = entry.get("title"), entry.get("body")
        texts[lang] = {"title": check_part(title, "title", where, TITLE_MAX),
                       "body": check_part(body, "body", where, BODY_MAX)}
    return texts


def check_part(value: object, name: str, where: str, limit: int) -> str:
    if value is None:
        raise BroadcastError(f"{where}: {name} is missing")
    if not isinstance(value, str) or not value.strip():
        raise BroadcastError(f"{where}: {name} is empty")
    text = value.strip()
    if len(text) > limit:
        raise BroadcastError(f"{where}: {name} is {len(text)} characters; "
                             f"the most is {limit}")
    return text


def check_send_at(value: object, timezone: str, now: datetime | None = None) -> datetime | None:
    """An aware UTC time in the future. A time without a zone is read in `timezone`."""
    if value is None or value == "":
        return None
    example = "write it like 2026-12-01T10:00:00+00:00 or 2026-12-01 10:00"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise BroadcastError(f"send_at {value!r} is not a date and time; {example}") from None
    if not isinstance(value, datetime):
        if isinstance(value, date):
            raise BroadcastError(f"send_at {value.isoformat()} has no time; {example}")
        raise BroadcastError(f"send_at {value!r} is not a date and time; {example}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(timezone))
    when = value.astimezone(UTC)
    if when <= (now or utcnow()):
        raise BroadcastError(f"send_at {when.isoformat()} is in the past; "
                             "leave it out to send straight away")
    return when


def choose_default(texts: Mapping[str, object], default_language: str) -> str:
    """The fallback text: the deployment's default language if written, else the first."""
    return default_language if default_language in texts else next(iter(texts))
