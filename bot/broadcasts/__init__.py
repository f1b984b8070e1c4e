"""Learning updates: compose, choose an audience, preview, fan out, report.

A broadcast is written once (in the chat flow or a TOML file), previewed per
language, and confirmed. Confirming writes one outbox row per recipient, in
their language, on one platform, timed for their quiet hours and pauses. The
delivery worker sends the rows; the report reads what it did.
"""

from __future__ import annotations

from bot.broadcasts.fanout import FanOutResult, fan_out, fan_out_in
from bot.broadcasts.preview import Preview, build_preview
from bot.broadcasts.render import NO_TRANSLATION, render
from bot.broadcasts.report import DeliveryReport, build_report
from bot.broadcasts.service import cancel, create_draft, get_broadcast
from bot.broadcasts.spec import KINDS, BroadcastError, BroadcastSpec
from bot.broadcasts.tomlfile import parse_toml, read_toml

__all__ = [
    "KINDS",
    "NO_TRANSLATION",
    "BroadcastError",
    "BroadcastSpec",
    "DeliveryReport",
    "FanOutResult",
    "Preview",
    "build_preview",
    "build_report",
    "cancel",
    "create_draft",
    "fan_out",
    "fan_out_in",
    "get_broadcast",
    "parse_toml",
    "read_toml",
    "render",
]
