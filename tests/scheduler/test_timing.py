"""Calendar arithmetic: plan slots across clock changes, and working-hours delays."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from bot.scheduler.timing import add_working_time, next_slot
from tests.scheduler.helpers import utc

LONDON = ZoneInfo("Europe/London")
KARACHI = ZoneInfo("Asia/Karachi")


def test_weekly_monday_nine_in_karachi_is_four_utc() -> None:
    # Wednesday 2 June 2027; the next Monday is 7 June, 09:00 PKT = 04:00 UTC.
    assert next_slot("weekly", 0, time(9), KARACHI, utc(2027, 6, 2, 12)) == utc(2027, 6, 7, 4)


def test_weekly_slot_keeps_wall_clock_over_march_change() -> None:
    # UK clocks go forward on Sunday 28 March 2027.
    before = next_slot("weekly", 0, time(9), LONDON, utc(2027, 3, 20))
    after = next_slot("weekly", 0, time(9), LONDON, before)  # type: ignore[arg-type]
    assert before == utc(2027, 3, 22, 9)  # 09:00 GMT
    assert after == utc(2027, 3, 29, 8)  # 09:00 BST


def test_weekly_slot_keeps_wall_clock_over_october_change() -> None:
    # UK clocks go back on Sunday 31 October 2027.
    before = next_slot("weekly", 0, time(9), LONDON, utc(2027, 10, 20))
    after = next_slot("weekly", 0, time(9), LONDON, before)  # type: ignore[arg-type]
    assert before == utc(2027, 10, 25, 8)  # 09:00 BST
    assert after == utc(2027, 11, 1, 9)  # 09:00 GMT


def test_times_in_the_gap_and_the_overlap_happen_once() -> None:
    # 01:30 on 28 March 2027 does not exist in London: it lands after the gap.
    spring = next_slot("weekly", 6, time(1, 30), LONDON, utc(2027, 3, 27))
    assert spring == utc(2027, 3, 28, 1, 30)  # 02:30 BST
    # 01:30 on 31 October 2027 happens twice: only the first counts.
    autumn = next_slot("weekly", 6, time(1, 30), LONDON, utc(2027, 10, 30))
    assert autumn == utc(2027, 10, 31, 0, 30)  # the BST one
    assert next_slot("weekly", 6, time(1, 30), LONDON, autumn) == utc(2027, 11, 7, 1, 30)  # type: ignore[arg-type]


def test_fortnightly_keeps_to_its_weeks() -> None:
    anchor = date(2027, 1, 4)  # a Monday
    first = next_slot("fortnightly", 0, time(10), LONDON, utc(2027, 1, 5), anchor)
    assert first == utc(2027, 1, 18, 10)  # not the 11th: that is an off week


def test_monthly_is_the_first_chosen_weekday() -> None:
    assert next_slot("monthly", 4, time(10), LONDON, utc(2027, 1, 10)) == utc(2027, 2, 5, 10)
    assert next_slot("monthly", 4, time(10), LONDON, utc(2027, 11, 30)) == utc(2027, 12, 3, 10)


def test_never_has_no_slot() -> None:
    assert next_slot("never", 0, time(9), LONDON, utc(2027, 1, 1)) is None


def test_working_hours_delay() -> None:
    days, nine, five = [0, 1, 2, 3, 4], time(9), time(17)
    four = timedelta(hours=4)
    # Tuesday 10:00 GMT -> 14:00 the same day.
    assert add_working_time(utc(2027, 1, 12, 10), four, days, nine, five, LONDON) == utc(
        2027, 1, 12, 14)
    # Friday 16:00 -> one hour on Friday, three on Monday: Monday 12:00.
    assert add_working_time(utc(2027, 1, 15, 16), four, days, nine, five, LONDON) == utc(
        2027, 1, 18, 12)
    # Saturday night -> Monday 13:00.
    assert add_working_time(utc(2027, 1, 16, 23), four, days, nine, five, LONDON) == utc(
        2027, 1, 18, 13)
    # In summer time, 09:00-17:00 London is 08:00-16:00 UTC.
    assert add_working_time(utc(2027, 6, 4, 15), four, days, nine, five, LONDON) == utc(
        2027, 6, 7, 11)


def test_no_working_days_means_clock_time() -> None:
    start = utc(2027, 1, 16, 23)
    assert add_working_time(start, timedelta(hours=4), [], time(9), time(17), LONDON) == (
        start + timedelta(hours=4))
