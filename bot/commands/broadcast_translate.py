"""`copro-bot broadcast translate|translations|translation`: co-produced translations.

    copro-bot broadcast translate ID --into pl           # ask bilingual members
    copro-bot broadcast translations ID                  # requests and answers, with text
    copro-bot broadcast translation approve REQ --hours 1  # use it; record the paid work
    copro-bot broadcast translation reject REQ

The operator at the server is trusted like the payments CLI (`Actor.cli()`);
in chat, only coordinators can approve, and never their own translation.
"""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from bot.broadcasts.translation_requests import (
    approve,
    reject,
    request_translation,
    requests_for,
)
from bot.commands import row_id
from bot.config import Settings
from bot.i18n import I18n
from bot.payments.ledger import Actor
from bot.storage import load_all_models
from bot.storage.db import make_engine
from bot.storage.models import utcnow

REFUSALS = {
    "not_found": "There is no translation request with that number.",
    "not_allowed": "Only a coordinator can do that, and not for their own translation.",
    "wrong_state": "That translation is not waiting for review",
    "too_late": "The update has started going out, so it cannot change: "
                "a correction is a new update.",
}


def add_parsers(sub: Any) -> None:
    ask = sub.add_parser("translate", help="ask bilingual members to translate an update")
    ask.add_argument("id", type=row_id, help="the broadcast number")
    ask.add_argument("--into", required=True, help="the language code, e.g. pl")
    ask.set_defaults(func=cmd_translate)
    show = sub.add_parser("translations", help="translation requests and answers to review")
    show.add_argument("id", type=row_id, help="the broadcast number")
    show.set_defaults(func=cmd_translations)
    one = sub.add_parser("translation", help="approve or reject one translation")
    verbs = one.add_subparsers(dest="translation_command", required=True)
    ok = verbs.add_parser("approve", help="use it in the update and record it as paid work")
    ok.add_argument("request", type=row_id, help="the request number (see translations ID)")
    ok.add_argument("--hours", required=True, help="paid time, e.g. 0.5 or 1")
    ok.set_defaults(func=cmd_approve)
    no = verbs.add_parser("reject", help="don't use it")
    no.add_argument("request", type=row_id)
    no.set_defaults(func=cmd_reject)


def _setup(settings: Settings) -> tuple[Any, I18n]:
    load_all_models()
    engine = make_engine(settings.database_url)
    return engine, I18n(settings.locales_dir, settings.languages, settings.default_language)


def cmd_translate(settings: Settings, args: argparse.Namespace) -> int:
    target = args.into.strip().lower()
    if target not in settings.languages:
        raise ValueError(f"{args.into!r} is not one of this bot's languages "
                         f"({', '.join(settings.languages)})")
    engine, i18n = _setup(settings)
    with Session(engine) as session:
        rows = request_translation(session, i18n, args.id, target, utcnow(), requested_by=None)
        session.commit()
    if not rows:
        print(f"Nobody new could be asked to translate broadcast {args.id} into {target}. "
              "Members offer to help in /profile.")
        return 0
    print(f"Asked {len(rows)} member(s) to translate broadcast {args.id} into {target}. "
          f"See their answers with: copro-bot broadcast translations {args.id}")
    return 0


def cmd_translations(settings: Settings, args: argparse.Namespace) -> int:
    engine, _ = _setup(settings)
    with Session(engine) as session:
        rows = requests_for(session, args.id)
    if not rows:
        print(f"No translations were asked for broadcast {args.id}.")
    for row in rows:
        print(f"Request {row.id}: {row.source_language} -> {row.target_language}, "
              f"member {row.member_id}, {row.status}"
              + (f", payment {row.payment_id}" if row.payment_id else ""))
        if row.status in ("submitted", "approved", "rejected") and row.title is not None:
            print(f"    {row.title}\n    " + (row.body or "").replace("\n", "\n    "))
    return 0


def _decided(settings: Settings, args: argparse.Namespace, hours: Decimal | None) -> int:
    engine, i18n = _setup(settings)
    with Session(engine, expire_on_commit=False) as session:
        now = utcnow()
        if hours is None:
            result = reject(session, i18n, args.request, Actor.cli(), now)
        else:
            result = approve(session, i18n, settings, args.request, Actor.cli(), hours, now)
        if not result.ok:
            raise ValueError(REFUSALS.get(result.reason, result.reason)
                             + (f" (it is {result.row.status})" if result.row
                                and result.reason == "wrong_state" else ""))
        session.commit()
        row = result.row
        assert row is not None
    if hours is None:
        print(f"Translation {args.request} is not used. The translator has been told.")
    else:
        print(f"Translation {args.request} is now the {row.target_language} text of broadcast "
              f"{row.broadcast_id}. The work is recorded as payment {row.payment_id} "
              "for finance to approve.")
    return 0


def cmd_approve(settings: Settings, args: argparse.Namespace) -> int:
    try:
        hours = Decimal(args.hours)
    except InvalidOperation:
        raise ValueError(f"--hours {args.hours!r} is not a number") from None
    return _decided(settings, args, hours)


def cmd_reject(settings: Settings, args: argparse.Namespace) -> int:
    return _decided(settings, args, None)
