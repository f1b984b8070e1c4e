"""When a non-urgent message may reach a member: outside quiet hours and pauses.

Quiet hours are wall-clock times in the member's own time zone, so they follow
the UK clock changes (and any other zone's) without drifting.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.storage.models import Member


def parse_hhmm(value: str | None) -> time | None:
    """'21:30' -> time(21, 30); None or malformed -> None (no quiet hours)."""
    if not value:
        return None
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Europe/London")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # crosses midnight, e.g. 21:00-08:00


def end_of_quiet(member: Member, when: datetime) -> datetime:
    """`when` if it is outside quiet hours, else the (UTC) moment they end."""
    start, end = parse_hhmm(member.quiet_start), parse_hhmm(member.quiet_end)
    tz = zone(member.timezone)
    local = when.astimezone(tz)
    if end is None or not in_quiet_hours(local.timetz().replace(tzinfo=None), start, end):
        return when
    candidate = datetime.combine(local.date(), end, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=tz)
    return candidate.astimezone(UTC)


def next_allowed(member: Member, when: datetime, *, urgent: bool = False) -> datetime | None:
    """The first moment from `when` a message may go; None if it must not go at all.

    STOP (status stopped/left/erased) blocks everything, urgent included. A
    pause defers non-urgent messages until it ends, and blocks urgent ones too.
    """
    if member.status != "active":
        return None
    paused_until = member.paused_until
    if paused_until is not None:
        if paused_until.tzinfo is None:
            paused_until = paused_until.replace(tzinfo=UTC)
        if paused_until > when:
            return None if urgent else next_allowed(member, paused_until)
    return when if urgent else end_of_quiet(member, when)
