"""`copro-bot broadcast`: create, preview, send, report on and cancel learning updates.

    copro-bot broadcast create --file update.toml   # a draft; prints its id
    copro-bot broadcast preview ID                  # text and head count per language
    copro-bot broadcast send ID                     # queue it, or schedule it (safe to repeat)
    copro-bot broadcast report ID                   # sent, waiting, failed... per language
    copro-bot broadcast status ID [--watch]         # the report, or a live progress bar
    copro-bot broadcast edit ID --file update.toml [--send-at TIME] [--yes]
    copro-bot broadcast cancel ID                   # hold back what has not gone yet
    copro-bot broadcast translate ID --into LANG    # ask bilingual members for a translation
    copro-bot broadcast translations ID             # the answers, to review
    copro-bot broadcast translation approve|reject REQUEST [--hours H]
    copro-bot broadcast list

The file format is described in `bot/broadcasts/tomlfile.py`. `send` only
writes outbox rows (or, for an update with a later `send_at`, marks it
scheduled: the running bot fans it out when it is due); the running bot's
delivery worker sends them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlmodel import Session, col, select

from bot.broadcasts import (
    build_preview,
    build_report,
    cancel,
    create_draft,
    get_broadcast,
    read_toml,
)
from bot.broadcasts.edit import apply_edit, changed, refusal, spec_of
from bot.broadcasts.fanout import batch_size_from
from bot.broadcasts.preview import Preview
from bot.broadcasts.progress import watch
from bot.broadcasts.report import CATEGORIES, DeliveryReport
from bot.broadcasts.schedule import confirm
from bot.broadcasts.service import recent
from bot.broadcasts.spec import check_send_at
from bot.commands import broadcast_translate, row_id
from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES, I18n
from bot.storage import load_all_models
from bot.storage.broadcast_models import Broadcast
from bot.storage.db import make_engine

HEADINGS = {"going_out": "going out", "not_sent": "not sent"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("broadcast", help="learning updates to members")
    sub = parser.add_subparsers(dest="broadcast_command", required=True)
    create = sub.add_parser("create", help="make a draft from a TOML file")
    create.add_argument("--file", "-f", required=True, help="the update, e.g. update.toml")
    create.set_defaults(func=cmd_create)
    for name, func, text in (
        ("preview", cmd_preview, "show each language's text and head count"),
        ("send", cmd_send, "queue it for delivery (safe to repeat)"),
        ("report", cmd_report, "delivery report per language and platform"),
        ("cancel", cmd_cancel, "hold back every message not sent yet"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("id", type=row_id, help="the broadcast number")
        cmd.set_defaults(func=func)
    status = sub.add_parser("status", help="the report; --watch shows a live progress bar")
    status.add_argument("id", type=row_id, help="the broadcast number")
    status.add_argument("--watch", action="store_true",
                        help="redraw a progress bar until nothing is going out (on a terminal)")
    status.add_argument("--interval", type=float, default=1.0, help="seconds between redraws")
    status.set_defaults(func=cmd_status)
    edit = sub.add_parser("edit", help="change a draft or scheduled update before it goes out")
    edit.add_argument("id", type=row_id, help="the broadcast number")
    edit.add_argument("--file", "-f", help="the whole update again, e.g. update.toml")
    edit.add_argument("--send-at", help="a new send time, e.g. '2026-12-01 10:00'")
    edit.add_argument("--yes", action="store_true",
                      help="save the change (without it, only show the new preview)")
    edit.set_defaults(func=cmd_edit)
    broadcast_translate.add_parsers(sub)
    sub.add_parser("list", help="recent broadcasts").set_defaults(func=cmd_list)


def _setup(settings: Settings) -> tuple[Any, I18n]:
    load_all_models()
    engine = make_engine(settings.database_url)
    return engine, I18n(settings.locales_dir, settings.languages, settings.default_language)


def language_name(code: str) -> str:
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def cmd_create(settings: Settings, args: argparse.Namespace) -> int:
    spec = read_toml(args.file, languages=settings.languages,
                     default_language=settings.default_language,
                     timezone=settings.default_timezone)
    engine, _ = _setup(settings)
    with Session(engine) as session:
        broadcast = create_draft(session, spec)
        session.commit()
        print(f"Draft broadcast {broadcast.id} saved ({spec.kind}, "
              f"{', '.join(spec.texts)}). Check it with: copro-bot broadcast preview "
              f"{broadcast.id}")
    return 0


def cmd_preview(settings: Settings, args: argparse.Namespace) -> int:
    engine, i18n = _setup(settings)
    with Session(engine) as session:
        broadcast = get_broadcast(session, args.id)
        preview = build_preview(session, broadcast, i18n)
    print_preview(broadcast, preview)
    return 0


def print_preview(broadcast: Broadcast, preview: Preview) -> None:
    when = broadcast.send_at.isoformat() if broadcast.send_at else "as soon as it is sent"
    print(f"Broadcast {broadcast.id}: {broadcast.kind}, status {broadcast.status}, goes {when}")
    print(f"Audience: {', '.join(broadcast.audience)}")
    for line in preview.languages:
        note = "" if line.translated else " (no translation: default text with a note)"
        print(f"\n=== {language_name(line.language)}: {people(line.people)}{note}"
              f", {line.later} later (quiet hours or a break), {line.not_reached} not reached")
        print(line.text)
    print(f"\nIn all: {people(preview.people)}; {preview.later} of them later; "
          f"{preview.not_reached} cannot be reached now"
          + (f" ({_reasons(preview.reasons)})" if preview.reasons else "") + ".")


def cmd_send(settings: Settings, args: argparse.Namespace) -> int:
    engine, i18n = _setup(settings)
    result = confirm(engine, args.id, i18n, batch_size=batch_size_from(settings))
    with Session(engine) as session:
        if result is None:
            broadcast = get_broadcast(session, args.id)
            assert broadcast.send_at is not None
            print(f"Broadcast {args.id} is scheduled for {broadcast.send_at:%Y-%m-%d %H:%M} "
                  "UTC. The running bot sends it then, to whoever is in the audience at "
                  f"that time. Until then you can change it (copro-bot broadcast edit "
                  f"{args.id}) or cancel it.")
            return 0
        report = build_report(session, args.id)
    print(f"Broadcast {args.id} is queued: {report.recipients} recipients "
          f"({result.recipients} added now). The bot sends them at the platform's pace.")
    print(format_report(report))
    return 0


def cmd_edit(settings: Settings, args: argparse.Namespace) -> int:
    """Show the edited update's preview; save it only with --yes."""
    if not args.file and not args.send_at:
        raise ValueError("give --file with the new update, or --send-at with a new time")
    engine, i18n = _setup(settings)
    with Session(engine) as session:
        broadcast = get_broadcast(session, args.id)
        spec = (read_toml(args.file, languages=settings.languages,
                          default_language=settings.default_language,
                          timezone=settings.default_timezone)
                if args.file else spec_of(broadcast))
        if args.send_at:
            spec.send_at = check_send_at(args.send_at, settings.default_timezone)
        elif args.file and spec.send_at is None:
            spec.send_at = broadcast.send_at  # a new text keeps the old time
        spec.created_by = broadcast.created_by
        if not args.yes:
            require_editable(broadcast)
            print_preview(changed(broadcast, spec), build_preview(session, changed(
                broadcast, spec), i18n))
            print("\nNothing is saved yet. To save this change, run the same command "
                  "with --yes.")
            return 0
        saved = apply_edit(session, args.id, spec)
        preview = build_preview(session, saved, i18n)
        session.commit()
        print_preview(saved, preview)
    print(f"\nBroadcast {args.id} is changed.")
    return 0


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    """A live bar on a terminal with --watch; otherwise the plain report, once."""
    engine, _ = _setup(settings)
    with Session(engine) as session:
        get_broadcast(session, args.id)
    if not (args.watch and stdout_is_tty()):
        return cmd_report(settings, args)

    def load() -> DeliveryReport:
        with Session(engine) as session:
            return build_report(session, args.id)

    last = watch(load, sys.stdout, interval=max(args.interval, 0.1))
    print(format_report(last))
    return 0


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    engine, _ = _setup(settings)
    with Session(engine) as session:
        print(format_report(build_report(session, args.id)))
    return 0


def cmd_cancel(settings: Settings, args: argparse.Namespace) -> int:
    engine, _ = _setup(settings)
    with Session(engine) as session:
        held = cancel(session, get_broadcast(session, args.id))
        session.commit()
    print(f"Broadcast {args.id} is cancelled; {held} messages were held back.")
    return 0


def require_editable(broadcast: Broadcast) -> None:
    if broadcast.status not in ("draft", "scheduled"):
        raise refusal(broadcast.id, broadcast.status)


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    engine, _ = _setup(settings)
    with Session(engine) as session:
        for b in recent(session):
            title = b.texts.get(b.default_language, {}).get("title", "")
            print(f"{b.id}\t{b.status}\t{b.kind}\t{b.created_at:%Y-%m-%d %H:%M}\t"
                  f"{','.join(b.texts)}\t{title[:40]}")
    return 0


def people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def _reasons(reasons: Any) -> str:
    return ", ".join(f"{reason}: {n}" for reason, n in sorted(reasons.items()))


def format_report(report: DeliveryReport) -> str:
    """A plain table: one line per language and platform, then the reasons."""
    cols = list(CATEGORIES)
    head = ["language", "platform"] + [HEADINGS.get(c, c) for c in cols]
    rows = [[language_name(line.language), line.platform]
            + [str(line.counts.get(c, 0)) for c in cols] for line in report.lines]
    for language, counts in report.by_language().items():
        if sum(1 for line in report.lines if line.language == language) > 1:
            rows.append([language_name(language), "all"] + [str(counts.get(c, 0)) for c in cols])
    totals = report.totals()
    rows.append(["all", "all"] + [str(totals.get(c, 0)) for c in cols])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    out = [f"Broadcast {report.broadcast_id} ({report.kind}, {report.status}): "
           f"{report.recipients} recipients"]
    out += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
            for r in [head, *rows]]
    if report.waiting_from is not None and report.waiting_until is not None:
        out.append(f"Waiting until {report.waiting_from:%Y-%m-%d %H:%M} UTC"
                   + ("" if report.waiting_until == report.waiting_from
                      else f" to {report.waiting_until:%Y-%m-%d %H:%M} UTC")
                   + " (quiet hours, a break, or the send time).")
    for (category, reason), n in sorted(report.reasons.items()):
        out.append(f"{HEADINGS.get(category, category)}: {reason}: {n}")
    return "\n".join(out)


def export_broadcasts(session: Session, filters: Any) -> tuple[list[str], Any]:
    """Reach by broadcast, language and platform: the numbers staff asked for."""
    columns = ["broadcast_id", "kind", "status", "created", "language", "platform",
               *CATEGORIES]

    def rows() -> Any:
        for b in session.exec(select(Broadcast).order_by(col(Broadcast.id))):
            assert b.id is not None
            report = build_report(session, b.id)
            for line in report.lines:
                yield {"broadcast_id": b.id, "kind": b.kind, "status": b.status,
                       "created": b.created_at.date().isoformat(), "language": line.language,
                       "platform": line.platform,
                       **{c: line.counts.get(c, 0) for c in CATEGORIES}}

    return columns, rows()


EXPORTS = {"broadcasts": export_broadcasts}
