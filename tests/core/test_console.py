"""The console adapter as people use it: piped input, restarts and SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WELCOME = "It is run by"


def bot_env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env.update(DATABASE_URL=db_url, PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING", **extra)
    env.pop("COPRO_CRASH_AT", None)
    env.update(extra)
    return env


def run_console(db_url: str, stdin: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", *args], input=stdin, text=True,
        capture_output=True, env=bot_env(db_url, **env), cwd=ROOT, timeout=60,
    )


def test_piped_start_then_welsh(db_url: str) -> None:
    result = run_console(db_url, "/start\n2\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert WELCOME in out and "not for emergencies" in out
    assert "1. English" in out and "2. Cymraeg" in out
    assert "Diolch" in out, "the reply after choosing Welsh is in Welsh"
    assert "Traceback" not in result.stderr


def test_as_lets_one_person_play_two_members(db_url: str) -> None:
    run_console(db_url, "/start\n2\n", "--as", "alice")
    bob = run_console(db_url, "/help\n", "--as", "bob").stdout
    alice = run_console(db_url, "/help\n", "--as", "alice").stdout
    assert "Here is what I can do" in bob
    assert "Dyma" in alice


def test_sigkill_mid_conversation_continues_without_repeats(db_url: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, env=bot_env(db_url), cwd=ROOT,
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write("/start\n")
    proc.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 30
    while "2. Cymraeg" not in seen and time.monotonic() < deadline:
        seen += proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert seen.count(WELCOME) == 1
    after = run_console(db_url, "2\n").stdout
    assert "Diolch" in after, "the same step continues after the restart"
    assert WELCOME not in after, "nothing is sent twice"


@pytest.mark.parametrize("point", ["inbox.stored", "dispatch.before_commit"])
def test_crash_before_handling_is_handled_once_after_restart(db_url: str, point: str) -> None:
    crashed = run_console(db_url, "/start\n", COPRO_CRASH_AT=point)
    assert crashed.returncode == -signal.SIGKILL
    assert WELCOME not in crashed.stdout
    restarted = run_console(db_url, "")
    assert restarted.stdout.count(WELCOME) == 1
    again = run_console(db_url, "")
    assert WELCOME not in again.stdout


def test_crash_after_a_send_never_repeats_it(db_url: str) -> None:
    crashed = run_console(db_url, "/start\n", COPRO_CRASH_AT="delivery.after_send")
    assert crashed.returncode == -signal.SIGKILL
    assert crashed.stdout.count(WELCOME) == 1
    restarted = run_console(db_url, "")
    assert WELCOME not in restarted.stdout, "the in-flight message is marked unknown, not resent"
    assert "Which language" in restarted.stdout, "the rest of the reply is not lost"


def test_staff_role_flag_is_granted(db_url: str) -> None:
    result = run_console(db_url, "/help\n", "--role", "coordinator")
    assert result.returncode == 0, result.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "bot.cli", "roles", "list"], capture_output=True, text=True,
        env=bot_env(db_url), cwd=ROOT, timeout=60,
    )
    assert "console:you" in listing.stdout and "coordinator" in listing.stdout
