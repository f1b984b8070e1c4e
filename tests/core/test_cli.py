"""The admin CLI: migrations, roles and exports."""

from __future__ import annotations

import csv
import io
import json

import pytest


def test_db_upgrade_then_grant_and_list_roles(run_cli) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("db", "upgrade")[0] == 0
    code, out, _ = run_cli("roles", "grant", "telegram:12345", "coordinator")
    assert code == 0 and "granted" in out
    code, out, _ = run_cli("roles", "grant", "telegram:12345", "coordinator")
    assert "No change" in out
    code, out, _ = run_cli("roles", "list")
    assert "telegram:12345" in out and "coordinator" in out
    code, out, _ = run_cli("roles", "revoke", "telegram:12345", "coordinator")
    assert "revoked" in out


def test_bad_role_target_is_a_clear_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    run_cli("db", "upgrade")
    code, _, err = run_cli("roles", "grant", "12345", "staff")
    assert code == 2 and "PLATFORM:USER_ID" in err
    with pytest.raises(SystemExit):
        run_cli("roles", "grant", "telegram:1", "emperor")


def test_export_members_csv_and_json(run_cli) -> None:  # type: ignore[no-untyped-def]
    run_cli("db", "upgrade")
    run_cli("roles", "grant", "telegram:777", "staff")
    code, out, _ = run_cli("export", "members", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert rows[0]["roles"] == "staff" and rows[0]["platforms"] == "telegram"
    assert "language" in rows[0]
    code, out, _ = run_cli("export", "members", "--format", "json")
    assert json.loads(out)[0]["roles"] == "staff"


@pytest.mark.parametrize("what", ["feedback", "payments", "checkins"])
def test_exports_without_records_have_headers(run_cli, what: str) -> None:  # type: ignore[no-untyped-def]
    run_cli("db", "upgrade")
    code, out, _ = run_cli("export", what, "--format", "csv")
    assert code == 0 and out.strip() and len(out.strip().splitlines()) == 1


def test_csv_cells_cannot_become_formulas() -> None:
    from bot.export import write

    out = io.StringIO()
    write(["name"], [{"name": "=HYPERLINK(\"x\")"}], "csv", out)
    assert "'=HYPERLINK" in out.getvalue()
