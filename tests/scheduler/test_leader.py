"""Two scheduler processes on PostgreSQL: exactly one fires; kill it and the other
takes over within 10 seconds, and every reminder is sent once across the handover."""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.storage.models import utcnow
from tests.scheduler.helpers import add_member
from tests.scheduler.processes import ROOT, command, env, reminders, session_with_hour_reminder

TITLES = [f"Session {n}" for n in range(1, 6)]


def wait_for(predicate, timeout: float) -> float:  # type: ignore[no-untyped-def]
    """Poll until `predicate()`; returns the time it took, or fails."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError("timed out")
        time.sleep(0.05)
    return time.monotonic() - start


@pytest.mark.slow
def test_one_leader_fires_and_the_standby_takes_over(
        app: BotApp, db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("leader election needs PostgreSQL; SQLite runs a single process")
    add_member(app, "u1", quiet=(None, None))
    sent_file = tmp_path / "sent.jsonl"
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b")}
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str) -> None:
        with logs[name].open("wb") as log:
            procs[name] = subprocess.Popen(
                command("--scan-seconds", "0.5", "--retry-seconds", "0.5"),
                env=env(db_url, sent_file), cwd=ROOT, stdout=log, stderr=log)

    def said(name: str, words: str) -> bool:
        return words in logs[name].read_text()

    try:
        start("a")
        wait_for(lambda: said("a", "scheduler leader"), 20)
        start("b")
        wait_for(lambda: said("b", "scheduler standing by"), 20)
        first_due = utcnow() + timedelta(seconds=1.5)
        for n, title in enumerate(TITLES):
            session_with_hour_reminder(app, "u1", title, first_due + timedelta(seconds=1.5 * n))
        wait_for(lambda: len(reminders(sent_file)) >= 2, 15)
        procs["a"].kill()
        killed_at = time.monotonic()
        procs["a"].wait(timeout=10)
        before = reminders(sent_file)
        wait_for(lambda: said("b", "scheduler leader"), 10)
        assert time.monotonic() - killed_at < 10, "the standby took over within 10 seconds"
        wait_for(lambda: len(reminders(sent_file)) >= len(TITLES), 15)
        time.sleep(1.0)  # anything sent twice would show up now
        got = reminders(sent_file)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
    texts = [line["text"] for line in got]
    assert sorted(t.split(" is on ")[0] for t in texts) == sorted(
        f"Reminder: {title}" for title in TITLES), "each reminder exactly once"
    a_pid, b_pid = procs["a"].pid, procs["b"].pid
    assert {line["pid"] for line in before} == {a_pid}, "only the leader sent before the kill"
    assert {line["pid"] for line in got[len(before):]} <= {b_pid}
    assert any(line["pid"] == b_pid for line in got), "the standby fired after the handover"
    assert procs["b"].returncode == 0, "the standby stopped cleanly on SIGTERM"
