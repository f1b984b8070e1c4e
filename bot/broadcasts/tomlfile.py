"""Reading an update from a TOML file, for `copro-bot broadcast create --file`.

The format (every key is checked; a typo is an error, not silently ignored):

    kind = "learning"        # learning | you_said_we_did | session_news | urgent
    audience = "everyone"    # or "group:NAME", "role:ROLE", "language:CODE",
                             # or a list of them: people in any of them get it
    send_at = 2026-12-01T10:00:00Z   # optional; a TOML date-time or a string.
                                     # Without a zone it is DEFAULT_TIMEZONE.

    [text.en]                # one table per language code in LANGUAGES
    title = "What happened next"
    body = '''
    You told us the room was too cold.
    We got a new heater.
    '''

    [text.cy]
    title = "Beth ddigwyddodd nesaf"
    body = "..."

People whose language has no text get the DEFAULT_LANGUAGE text (or, if that
is missing too, the first language in the file) with a one-line note in
their own language saying there is no translation yet.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bot.broadcasts.spec import (
    BroadcastError,
    BroadcastSpec,
    check_audience,
    check_kind,
    check_send_at,
    check_texts,
    choose_default,
)

TOP_LEVEL_KEYS = {"kind", "audience", "send_at", "text"}


def parse_toml(
    source: str,
    *,
    languages: list[str],
    default_language: str,
    timezone: str,
    name: str = "update.toml",
) -> BroadcastSpec:
    """Check a whole file; the error names the file and what to change."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise BroadcastError(f"{name}: this is not valid TOML ({exc})") from None
    try:
        return spec_from_dict(data, languages=languages, default_language=default_language,
                              timezone=timezone)
    except BroadcastError as exc:
        raise BroadcastError(f"{name}: {exc}") from None


def spec_from_dict(
    data: dict[str, Any], *, languages: list[str], default_language: str, timezone: str
) -> BroadcastSpec:
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise BroadcastError(f"unknown key {sorted(unknown)[0]!r}; the keys are "
                             "kind, audience, send_at and [text.CODE] tables")
    if "kind" not in data:
        raise BroadcastError("kind is missing; use one of: learning, you_said_we_did, "
                             "session_news, urgent")
    kind = check_kind(data["kind"])
    texts = check_texts(data.get("text"), languages)
    audience = check_audience(data.get("audience"), languages)
    send_at = check_send_at(data.get("send_at"), timezone)
    return BroadcastSpec(kind=kind, texts=texts, audience=audience, send_at=send_at,
                         default_language=choose_default(texts, default_language))


def read_toml(
    path: str | Path, *, languages: list[str], default_language: str, timezone: str
) -> BroadcastSpec:
    file = Path(path)
    try:
        source = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise BroadcastError(f"cannot read {file}: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise BroadcastError(f"{file}: save the file as UTF-8 text") from None
    return parse_toml(source, languages=languages, default_language=default_language,
                      timezone=timezone, name=file.name)
