"""`copro-bot payments ...` and `copro-bot export payments`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.storage.db import make_engine
from bot.storage.models import OutboxMessage
from bot.storage.payment_models import Payment, PaymentEvent

RunCli = Callable[..., tuple[int, str, str]]
RECORD = ("payments", "record", "--member", "test:m1", "--activity", "meeting",
          "--date", "2026-11-20", "--hours", "2.5", "--expense", "travel:12.50:receipt",
          "--method", "bank_transfer", "--expected", "2026-11-27")


@pytest.fixture
def run_cli(run_cli: RunCli) -> RunCli:
    """The shared `run_cli`, with a member, a finance person and an admin."""
    run_cli("db", "upgrade")
    for who, role in (("test:m1", "member"), ("test:fin", "finance"), ("test:boss", "admin")):
        run_cli("roles", "grant", who, role)
    return run_cli


def rows(db_url: str, model: type) -> list[Any]:
    engine = make_engine(db_url)
    with Session(engine) as s:
        found: list[Any] = list(s.exec(select(model)))
    engine.dispose()
    return found


def test_record_twice_is_one_payment(run_cli: RunCli, db_url: str) -> None:
    code, out, _ = run_cli(*RECORD)
    assert code == 0 and "Recorded payment 1: total 81.25 GBP" in out
    code, out, _ = run_cli(*RECORD)
    assert code == 0 and "Already recorded as payment 1" in out
    assert len(rows(db_url, Payment)) == 1


def test_record_needs_a_method_without_a_preference(run_cli: RunCli) -> None:
    args = [a for a in RECORD if a not in ("--method", "bank_transfer")]
    code, _, err = run_cli(*args)
    assert code == 2 and "--method" in err
    code, out, _ = run_cli(*args, "--choice", "charity")
    assert code == 0 and "Recorded" in out


def test_approve_and_paid_with_roles_and_once_only(run_cli: RunCli, db_url: str) -> None:
    run_cli(*RECORD, "--choice", "accept_part:20.00")
    code, _, err = run_cli("payments", "approve", "1", "--by", "test:m1")
    assert code == 1 and "finance role" in err
    code, _, err = run_cli("payments", "paid", "1", "--reference", "R", "--date", "2026-11-24")
    assert code == 1 and "not at this step" in err
    assert run_cli("payments", "approve", "1", "--by", "test:fin")[0] == 0
    code, _, err = run_cli("payments", "approve", "1")
    assert code == 0 and "Already done" in err
    paid = ("payments", "paid", "1", "--reference", "BACS-9", "--date", "2026-11-24")
    code, out, _ = run_cli(*paid)
    assert code == 0 and "Marked payment 1 as paid" in out
    assert run_cli(*paid)[0] == 0
    events = rows(db_url, PaymentEvent)
    assert [e.kind for e in events] == ["recorded", "approved", "paid"]
    assert events[1].actor_kind == "member" and events[2].actor_kind == "cli"
    texts = [r.payload["text"] for r in rows(db_url, OutboxMessage)]
    confirmation = [t for t in texts if "Has it arrived?" in t]
    assert len(confirmation) == 1 and "You chose to take £20.00 of it." in confirmation[0]
    code, out, _ = run_cli("payments", "list")
    assert "#1 · Meeting on" in out and "£32.50" in out


def test_report_days_to_paid(run_cli: RunCli) -> None:
    run_cli(*RECORD)
    run_cli("payments", "approve", "1")
    run_cli("payments", "paid", "1", "--reference", "R", "--date", "2026-11-24")
    run_cli(*RECORD[:7], "2026-11-21", *RECORD[8:])
    code, out, _ = run_cli("payments", "report")
    assert code == 0
    assert "Waiting for approval: 1" in out
    assert "Waiting for the member to say it arrived: 1" in out
    assert "Days from activity to payment: median 4, 90th percentile 4 (1 payments)" in out
    assert "money received: median -, 90th percentile - (0 payments)" in out


def test_exports_are_pseudonymised_unless_an_admin_asks(run_cli: RunCli) -> None:
    run_cli(*RECORD)
    code, out, _ = run_cli("export", "payments", "--format", "csv")
    found = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(found) == 1
    row = found[0]
    assert row["total"] == "81.25" and row["fee"] == "68.75" and row["expenses"] == "12.50"
    assert row["member"].startswith("M-") and row["rate_card_version"] == "default-1"
    code, out, _ = run_cli("export", "payment_ledger", "--format", "json")
    ledger = json.loads(out)
    assert [e["kind"] for e in ledger] == ["recorded"] and ledger[0]["member"].startswith("M-")
    code, _, err = run_cli("payments", "export", "--with-names", "--by", "test:fin")
    assert code == 2 and "admin" in err
    code, out, _ = run_cli("payments", "export", "--with-names", "--by", "test:boss",
                           "--format", "json")
    assert json.loads(out)[0]["member"].split()[0].isdigit()


def test_correct_reverse_and_purge(run_cli: RunCli, db_url: str) -> None:
    run_cli(*RECORD)
    code, out, _ = run_cli("payments", "correct", "1", "--fee", "55.00", "--reason", "hours")
    assert code == 0 and "Corrected" in out
    assert run_cli("payments", "reverse", "1", "--reason", "duplicate")[0] == 0
    assert sum(e.fee_delta + e.expenses_delta for e in rows(db_url, PaymentEvent)) == 0
    code, out, _ = run_cli("payments", "purge-old")
    assert code == 0 and "Deleted 0 payment records" in out
