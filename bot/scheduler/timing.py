"""Calendar arithmetic in people's own time zones.

Plans are wall-clock times ("Monday 09:00 in Karachi"), so each slot is
worked out from the local date and converted to UTC on its own. That is what
keeps a 09:00 check-in at 09:00 across the UK clock changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FREQUENCIES = ("never", "weekly", "fortnightly", "monthly")


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`at` on `day` in `tz`, as UTC.

    A time that does not exist (the spring gap) lands just after the gap; a
    time that happens twice (the autumn overlap) is the first one, so a
    slot never fires twice.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _first_weekday(year: int, month: int, weekday: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def next_slot(
    frequency: str,
    weekday: int | None,
    at: time | None,
    tz: ZoneInfo,
    after: datetime,
    anchor: date | None = None,
) -> datetime | None:
    """The first planned moment strictly after `after`, or None for `never`.

    weekly: every `weekday`; fortnightly: every other one, counted from
    `anchor`; monthly: the first `weekday` of each month.
    """
    if frequency not in FREQUENCIES or frequency == "never" or weekday is None or at is None:
        return None
    local = after.astimezone(tz).date()
    if frequency == "monthly":
        year, month = local.year, local.month
        for _ in range(14):
            slot = local_moment(_first_weekday(year, month, weekday), at, tz)
            if slot > after:
                return slot
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None
    day = local + timedelta(days=(weekday - local.weekday()) % 7)
    step = 7
    if frequency == "fortnightly":
        step = 14
        if anchor is not None and (day - anchor).days % 14:
            day += timedelta(days=7)
    while local_moment(day, at, tz) <= after:
        day += timedelta(days=step)
    return local_moment(day, at, tz)


def add_working_time(
    start: datetime,
    delta: timedelta,
    days: Iterable[int],
    opens: time,
    closes: time,
    tz: ZoneInfo,
) -> datetime:
    """`start` plus `delta` counted only inside working hours.

    Used for escalation: "4 hours" means 4 hours when someone is at work, so
    an alert on Friday at 4pm escalates on Monday at noon, not at 8pm Friday.
    With no working days configured it is plain clock time.
    """
    working = set(days)
    if not working or opens >= closes or delta <= timedelta(0):
        return start + delta
    remaining = delta
    cursor = start.astimezone(UTC)
    day = cursor.astimezone(tz).date()
    for _ in range(800):  # enough for any delay shorter than two years
        if day.weekday() in working:
            begin = max(cursor, local_moment(day, opens, tz))
            end = local_moment(day, closes, tz)
            if begin < end:
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        day += timedelta(days=1)
        cursor = max(cursor, local_moment(day, time(0), tz))
    return start + delta
