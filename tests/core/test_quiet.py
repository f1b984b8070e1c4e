"""Quiet hours and pauses, in the member's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.quiet import next_allowed
from bot.storage.models import Member


def member(**kw) -> Member:  # type: ignore[no-untyped-def]
    base = {"timezone": "Europe/London", "quiet_start": "21:00", "quiet_end": "08:00"}
    base.update(kw)
    return Member(**base)


def test_daytime_goes_now() -> None:
    when = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert next_allowed(member(), when) == when


def test_night_waits_for_morning_in_bst() -> None:
    when = datetime(2026, 6, 1, 22, 0, tzinfo=UTC)  # 23:00 BST
    assert next_allowed(member(), when) == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


def test_night_waits_for_morning_in_gmt() -> None:
    when = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    assert next_allowed(member(), when) == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_clock_change_night_in_march() -> None:
    # 29 March 2026: clocks go forward at 01:00 UTC. 00:30 UTC is quiet (00:30 GMT).
    when = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert next_allowed(member(), when) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_clock_change_night_in_october() -> None:
    # 25 October 2026: clocks go back at 01:00 UTC; 08:00 GMT is 08:00 UTC.
    when = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_allowed(member(), when) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


def test_karachi_member() -> None:
    m = member(timezone="Asia/Karachi", quiet_start="22:00", quiet_end="08:00")
    when = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)  # 23:00 in Karachi
    assert next_allowed(m, when) == datetime(2026, 6, 2, 3, 0, tzinfo=UTC)  # 08:00 PKT


def test_pause_defers_and_urgent_never_beats_a_pause_or_stop() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    paused = member(paused_until=now + timedelta(days=2))
    assert next_allowed(paused, now) == now + timedelta(days=2)
    assert next_allowed(paused, now, urgent=True) is None
    assert next_allowed(member(status="stopped"), now, urgent=True) is None


def test_urgent_skips_quiet_hours() -> None:
    when = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)
    assert next_allowed(member(), when, urgent=True) == when


def test_no_quiet_hours() -> None:
    when = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)
    assert next_allowed(member(quiet_start=None, quiet_end=None), when) == when
