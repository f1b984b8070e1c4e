"""`copro-bot translations ...`: status, checks, review and reviewers' contributions.

    copro-bot translations status [--markdown]
    copro-bot translations check [--list]
    copro-bot translations plain
    copro-bot translations review LANG --as PLATFORM:USER_ID [--only unreviewed] [--limit N]
    copro-bot translations contributions [--from YYYY-MM-DD] [--to YYYY-MM-DD]
    copro-bot translations mark-reviewed LANG --reviewer NAME [--not]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.config import Settings


def exporter(session: Session, filters: argparse.Namespace | None
             ) -> tuple[list[str], Iterable[dict[str, Any]]]:
    """`copro-bot export translation_contributions`: review work per reviewer."""
    from bot.translations.contributions import exporter as build

    return build(session, filters)


EXPORTS = {"translation_contributions": exporter}


def register(subparsers: Any) -> None:
    tr = subparsers.add_parser("translations", help="translation status, checks and review")
    sub = tr.add_subparsers(dest="translations_command", required=True)
    status = sub.add_parser("status", help="reviewed or not, and how much is translated")
    status.add_argument("--markdown", action="store_true", help="the README table")
    check = sub.add_parser("check", help="catalog errors (exit 1) and untranslated counts")
    check.add_argument("--list", action="store_true", help="also list untranslated strings")
    sub.add_parser("plain", help="plain English: grades, long words and jargon")
    review = sub.add_parser("review", help="step through strings: approve or correct")
    review.add_argument("lang")
    review.add_argument("--as", dest="reviewer", required=True,
                        help="who is reviewing, as PLATFORM:USER_ID, e.g. telegram:12345")
    review.add_argument("--only", choices=["unreviewed", "untranslated", "all"],
                        default="unreviewed")
    review.add_argument("--limit", type=int, help="stop after this many strings")
    contrib = sub.add_parser("contributions", help="review work per reviewer, for payment")
    contrib.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD")
    contrib.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD")
    mark = sub.add_parser("mark-reviewed", help="record that a fluent speaker reviewed a catalog")
    mark.add_argument("lang")
    mark.add_argument("--reviewer", default="",
                      help="a name the reviewer agreed to publish (never a platform id)")
    mark.add_argument("--not", dest="undo", action="store_true", help="mark as needing review")
    tr.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    command = args.translations_command
    handler = {"status": _status, "check": _check, "plain": _plain, "review": _review,
               "contributions": _contributions, "mark-reviewed": _mark}[command]
    return handler(settings, args)


def _status(settings: Settings, args: argparse.Namespace) -> int:
    from bot.translations.status import markdown_table, translation_status

    rows = translation_status(settings.locales_dir, settings.languages)
    if args.markdown:
        print(markdown_table(rows))
        return 0
    for row in rows:
        print(f"{row.code:<4} {row.name:<12} {row.label:<13} {row.translated}/{row.total}")
    return 0


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.i18n_check import report

    result = report(settings.locales_dir)
    for problem in result.errors:
        print(f"ERROR {problem.lang}: {problem.what}: {problem.msgid}")
    for lang, msgids in sorted(result.untranslated.items()):
        print(f"{lang}: {len(msgids)} of {result.total} strings not translated yet "
              "(shown in English)")
        if args.list:
            for msgid in msgids:
                print(f"    {msgid}")
    print(f"{len(result.errors)} errors." if result.errors else "No errors.")
    return 1 if result.errors else 0


def _plain(settings: Settings, args: argparse.Namespace) -> int:
    from bot.i18n_check import source_msgids, template_msgids
    from bot.textstyle import load_exceptions, plain_english

    try:
        import textstat  # noqa: F401
    except ImportError:
        print("copro-bot: the plain English check needs textstat: pip install 'textstat==0.7.8'",
              file=sys.stderr)
        return 2

    exceptions = load_exceptions(settings.locales_dir / "plain_english.toml")
    result = plain_english(source_msgids() | template_msgids(settings.locales_dir), exceptions)
    for v in result.violations:
        print(f"{v.why}: {v.msgid}")
    print(result.summary())
    return 1 if result.violations else 0


def _review(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage import load_all_models
    from bot.storage.db import make_engine
    from bot.translations.review import ReviewSession

    load_all_models()
    engine = make_engine(settings.database_url)
    try:
        ReviewSession(engine, settings.locales_dir, args.lang, args.reviewer, sys.stdin,
                      sys.stdout, only=args.only, limit=args.limit).run()
    finally:
        engine.dispose()
    return 0


def _contributions(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage import load_all_models
    from bot.storage.db import make_engine, transaction
    from bot.translations.contributions import contributions

    load_all_models()
    engine = make_engine(settings.database_url)
    with transaction(engine) as session:
        found = contributions(session, args.date_from, args.date_to)
    engine.dispose()
    if not found:
        print("No review work recorded.")
    for c in found:
        member = f"member {c.member_id}" if c.member_id is not None else "not a member"
        row = c.row()
        print(f"{c.reviewer} ({member}): {c.reviewed} reviewed ({c.corrected} corrected, "
              f"{c.approved} approved); languages {row['languages']}; sittings "
              f"{row['sittings']}; {row['first_day']} to {row['last_day']}")
    return 0


def _mark(settings: Settings, args: argparse.Namespace) -> int:
    from bot.translations.catalogs import po_path
    from bot.translations.status import mark_reviewed

    if not po_path(settings.locales_dir, args.lang).is_file():
        raise LookupError(f"there is no catalog for {args.lang!r}")
    if ":" in args.reviewer:
        raise ValueError("--reviewer is published in the repository: use a name, "
                         "not a platform id")
    record = mark_reviewed(settings.locales_dir, args.lang, args.reviewer, date.today(),
                           reviewed=not args.undo)
    print(f"{args.lang}: " + ("reviewed" if record.reviewed else "needs review") + ".")
    return 0
