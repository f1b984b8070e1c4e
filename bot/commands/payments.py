"""`copro-bot payments ...`: record, approve, mark paid, list, report, export.

The CLI is for staff at the server. It goes through the same service code as
the chat, so the ledger rules (append-only, once only, roles when `--by` names
a person) are the same whichever way a payment is recorded.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from bot.commands import row_id
from bot.config import Settings
from bot.core.members import find_identity, roles_of
from bot.i18n import I18n, Translator
from bot.payments.calc import (
    METHODS,
    parse_amount,
    parse_choice,
    parse_date,
    parse_expense,
    parse_hours,
)
from bot.payments.export import export_ledger, export_payments
from bot.payments.ledger import Actor
from bot.payments.messages import status_line
from bot.payments.notify import after_paid, after_recorded
from bot.payments.preference import preferred_method
from bot.payments.privacy import purge_old_finance_records
from bot.payments.ratecard import ACTIVITIES, rate_card_for
from bot.payments.report import load_all, summarise, summary_lines
from bot.payments.service import (
    Outcome,
    PaymentDraft,
    approve_payment,
    correct_payment,
    mark_paid,
    record_payment,
    reverse_payment,
)
from bot.storage import load_all_models
from bot.storage.db import make_engine
from bot.storage.models import utcnow

REFUSALS = {
    "not_found": "No payment with that number.",
    "not_allowed": "That person does not have the finance role.",
    "same_person": "Two people are needed: someone else must do this step.",
    "wrong_state": "That payment is not at this step",
    "duplicate": "Already done; nothing changed.",
}


def register(sub: Any) -> None:
    payments = sub.add_parser("payments", help="record and pay co-producers")
    cmds = payments.add_subparsers(dest="payments_command", required=True)
    rec = cmds.add_parser("record", help="record a payment (once per identical command)")
    rec.add_argument("--member", required=True, help="PLATFORM:USER_ID")
    rec.add_argument("--activity", required=True, choices=ACTIVITIES)
    rec.add_argument("--date", required=True, help="activity date, YYYY-MM-DD")
    rec.add_argument("--hours")
    rec.add_argument("--fixed-fee", help="a set fee instead of hours x rate")
    rec.add_argument("--expense", action="append", default=[],
                     help="CATEGORY:AMOUNT[:receipt], e.g. travel:12.50:receipt (repeatable)")
    rec.add_argument("--method", choices=METHODS)
    rec.add_argument("--expected", help="expected payment date, YYYY-MM-DD")
    rec.add_argument("--reference")
    rec.add_argument("--choice", default="accept",
                     help="accept | accept_part:AMOUNT | charity | decline")
    rec.add_argument("--organisation")
    rec.add_argument("--key", help="idempotency key (default: derived from the arguments)")
    rec.set_defaults(func=cmd_record)
    for name, func in (("approve", cmd_approve), ("paid", cmd_paid), ("reverse", cmd_reverse),
                       ("correct", cmd_correct)):
        cmd = cmds.add_parser(name)
        cmd.add_argument("payment_id", type=row_id)
        cmd.set_defaults(func=func)
        if name == "paid":
            cmd.add_argument("--reference", required=True)
            cmd.add_argument("--date", required=True, help="date paid, YYYY-MM-DD")
            cmd.add_argument("--expected", help="expected arrival, YYYY-MM-DD")
        if name in ("reverse", "correct"):
            cmd.add_argument("--reason", required=True)
        if name == "correct":
            cmd.add_argument("--fee")
            cmd.add_argument("--expenses")
    for cmd in cmds.choices.values():
        cmd.add_argument("--by", help="PLATFORM:USER_ID of the person doing this (audited)")
    lst = cmds.add_parser("list", help="payments and their status")
    lst.add_argument("--status")
    lst.set_defaults(func=cmd_list)
    rep = cmds.add_parser("report", help="waiting counts and days to paid")
    rep.add_argument("--from", dest="date_from")
    rep.add_argument("--to", dest="date_to")
    rep.set_defaults(func=cmd_report)
    exp = cmds.add_parser("export", help="the payments (or --ledger) as CSV or JSON")
    exp.add_argument("--format", choices=["csv", "json"], default="csv")
    exp.add_argument("--ledger", action="store_true", help="every event, not one row each")
    exp.add_argument("--with-names", action="store_true", help="admins only, with --by")
    exp.add_argument("--by", help="PLATFORM:USER_ID of the admin asking for names")
    exp.add_argument("--output", "-o", default="-")
    for name in ("from", "to"):
        exp.add_argument(f"--{name}", dest=f"date_{name}")
    exp.add_argument("--status")
    exp.set_defaults(func=cmd_export)
    old = cmds.add_parser("purge-old", help="delete finance records past retention")
    old.add_argument("--years", type=int)
    old.set_defaults(func=cmd_purge)


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    load_all_models()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _member_id(session: Session, who: str) -> int:
    platform, sep, user_id = who.partition(":")
    identity = find_identity(session, platform, user_id) if sep else None
    if identity is None:
        raise LookupError(f"no member with the account {who!r} (use PLATFORM:USER_ID)")
    return identity.member_id


def _actor(session: Session, by: str | None) -> Actor:
    if not by:
        return Actor.cli()
    member_id = _member_id(session, by)
    return Actor(member_id=member_id, roles=roles_of(session, member_id))


def _i18n(settings: Settings) -> I18n:
    return I18n(settings.locales_dir, settings.languages, settings.default_language)


def _english(settings: Settings) -> Translator:
    return _i18n(settings).translator("en")


def _key(args: argparse.Namespace) -> str:
    """Same command, same key: running it twice records one payment."""
    parts = [args.member, args.activity, args.date, args.hours, args.fixed_fee,
             *args.expense, args.method, args.expected, args.reference, args.choice,
             args.organisation]
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"cli:{digest[:40]}"


def cmd_record(settings: Settings, args: argparse.Namespace) -> int:
    choice, part = parse_choice(args.choice)
    with _session(settings) as session:
        member_id = _member_id(session, args.member)
        method = args.method or preferred_method(session, member_id)
        if method is None and choice != "charity":
            raise ValueError("give --method: this member has no payment preference saved")
        draft = PaymentDraft(
            member_id=member_id, activity=args.activity, activity_date=parse_date(args.date),
            hours=parse_hours(args.hours) if args.hours else None,
            fixed_fee=parse_amount(args.fixed_fee) if args.fixed_fee else None,
            expenses=[parse_expense(e) for e in args.expense], choice=choice, part=part,
            method=method or "to_charity",
            expected_date=parse_date(args.expected) if args.expected else None,
            reference=args.reference)
        actor = _actor(session, args.by)
        now = utcnow()
        card = rate_card_for(settings, args.organisation)
        state, created = record_payment(session, draft, card, actor, args.key or _key(args), now)
        if created:
            after_recorded(session, _i18n(settings), state, now, recorder_id=actor.member_id)
        session.commit()
        if not created:
            print(f"Already recorded as payment {state.id}; nothing changed.")
            return 0
        print(f"Recorded payment {state.id}: total {state.total_owed} {state.payment.currency} "
              f"(fee {state.fee_owed}, expenses {state.expenses_owed}, "
              f"rate card {state.payment.rate_card_version}).")
    return 0


def _finish(session: Session, outcome: Outcome, done: str) -> int:
    if outcome.ok:
        session.commit()
        print(done)
        return 0
    message = REFUSALS.get(outcome.reason, outcome.reason)
    if outcome.reason == "wrong_state" and outcome.state is not None:
        message += f" (it is {outcome.state.status})."
    print(message, file=sys.stderr)
    return 0 if outcome.reason == "duplicate" else 1


def _two_people(settings: Settings) -> bool:
    return settings.payments_two_person_approval


def cmd_approve(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as session:
        outcome = approve_payment(session, args.payment_id, _actor(session, args.by), utcnow(),
                                  two_people=_two_people(settings))
        return _finish(session, outcome, f"Approved payment {args.payment_id}.")


def cmd_paid(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as session:
        now = utcnow()
        outcome = mark_paid(
            session, args.payment_id, _actor(session, args.by), now, reference=args.reference,
            paid_on=parse_date(args.date),
            expected=parse_date(args.expected) if args.expected else None,
            arrival_days=settings.payments_arrival_days,
            two_people=_two_people(settings))
        if outcome.ok and outcome.state is not None:
            after_paid(session, _i18n(settings), settings, outcome.state, now)
        return _finish(session, outcome, f"Marked payment {args.payment_id} as paid. "
                                         "The member will be asked to confirm.")


def cmd_reverse(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as session:
        outcome = reverse_payment(session, args.payment_id, _actor(session, args.by),
                                  args.reason, utcnow())
        return _finish(session, outcome, f"Reversed payment {args.payment_id}.")


def cmd_correct(settings: Settings, args: argparse.Namespace) -> int:
    with _session(settings) as session:
        outcome = correct_payment(
            session, args.payment_id, _actor(session, args.by), utcnow(),
            fee=parse_amount(args.fee) if args.fee else None,
            expenses=parse_amount(args.expenses) if args.expenses else None, reason=args.reason)
        return _finish(session, outcome, f"Corrected payment {args.payment_id}.")


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    t = _english(settings)
    with _session(settings) as session:
        for state in load_all(session):
            if not args.status or state.status == args.status:
                print(status_line(t, state))
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    start = parse_date(args.date_from) if args.date_from else None
    end = parse_date(args.date_to) if args.date_to else None
    with _session(settings) as session:
        summary = summarise(load_all(session, start, end), settings.default_timezone)
    print("\n".join(summary_lines(_english(settings), summary)))
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.export import write

    if args.with_names:
        with _session(settings) as session:
            if not _actor(session, args.by).has_role("admin") or not args.by:
                raise ValueError("--with-names needs --by PLATFORM:USER_ID of an admin")
    exporter = export_ledger if args.ledger else export_payments
    with _session(settings) as session:
        columns, rows = exporter(session, args)
        if args.output == "-":
            write(columns, rows, args.format, sys.stdout)
        else:
            with open(args.output, "w", encoding="utf-8", newline="") as fh:
                write(columns, rows, args.format, fh)
    return 0


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    years = args.years or settings.retention_finance_years
    with _session(settings) as session:
        count = purge_old_finance_records(session, utcnow(), years)
        session.commit()
    print(f"Deleted {count} payment records older than {years} years.")
    return 0


def _exporter(session: Session, filters: argparse.Namespace) -> Any:
    """`copro-bot export payments`: pseudonymised; names only via `payments export`."""
    safe = argparse.Namespace(**{**vars(filters), "with_names": False})
    return export_payments(session, safe)


EXPORTS = {"payments": _exporter, "payment_ledger": lambda s, f: export_ledger(
    s, argparse.Namespace(**{**vars(f), "with_names": False}))}
