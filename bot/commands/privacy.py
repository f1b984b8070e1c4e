"""CLI for onboarding and privacy: `copro-bot retention run` and `copro-bot invite ROLE`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.config import Settings
from bot.linking import INVITABLE_ROLES, invite_from_cli
from bot.retention import run_from_settings


def register(sub: Any) -> None:
    retention = sub.add_parser("retention", help="delete or anonymise data past its period")
    rsub = retention.add_subparsers(dest="retention_command", required=True)
    rsub.add_parser("run", help="one pass (the scheduler also runs it daily)").set_defaults(
        func=run_retention)
    invite = sub.add_parser("invite", help="print a one-time code that grants a team role")
    invite.add_argument("role", choices=INVITABLE_ROLES)
    invite.add_argument("--hours", type=int, default=None, help="how long it works (default 48)")
    invite.set_defaults(func=make_invite)


def run_retention(settings: Settings, args: argparse.Namespace) -> int:
    print(json.dumps(run_from_settings(settings), sort_keys=True))
    return 0


def make_invite(settings: Settings, args: argparse.Namespace) -> int:
    print(invite_from_cli(settings, args.role, args.hours))
    return 0
