"""Working days on the China calendar of the holidays package, and the business-day shift of due dates."""

from __future__ import annotations

from datetime import date, timedelta

from backend.leasing.domain.schedule import (
    NO_HOLIDAYS,
    WEEKENDS_ONLY,
    BillingTerms,
    BusinessDayRule,
    DueRule,
    Frequency,
    Timing,
    due_date,
    holiday_calendar,
    shift,
)

CN = holiday_calendar("CN")
FOLLOWING = BusinessDayRule.FOLLOWING
MODIFIED = BusinessDayRule.MODIFIED_FOLLOWING


def test_the_2026_spring_festival_is_off_and_its_two_saturdays_are_working_days() -> None:
    festival = [date(2026, 2, 15) + timedelta(days=n) for n in range(9)]
    assert [CN.is_working_day(day) for day in festival] == [False] * 9
    assert CN.is_working_day(date(2026, 2, 14))
    assert CN.is_working_day(date(2026, 2, 28))
    assert CN.is_working_day(date(2026, 2, 24))


def test_the_calendar_code_is_read_case_blind_and_loads_any_year_it_is_asked() -> None:
    lower = holiday_calendar(" cn ")
    assert not lower.is_working_day(date(2030, 10, 1))
    assert lower.is_working_day(date(2030, 10, 10))


def test_following_skips_the_whole_spring_festival() -> None:
    assert shift(date(2026, 2, 15), FOLLOWING, CN) == date(2026, 2, 24)
    assert shift(date(2026, 2, 14), FOLLOWING, CN) == date(2026, 2, 14)


def test_a_make_up_saturday_is_a_valid_due_date() -> None:
    assert shift(date(2026, 2, 28), MODIFIED, CN) == date(2026, 2, 28)
    assert shift(date(2026, 2, 28), MODIFIED, WEEKENDS_ONLY) == date(2026, 2, 27)


def test_modified_following_steps_back_at_the_end_of_a_month() -> None:
    # Saturday 31 October 2026: following would be Monday 2 November.
    assert shift(date(2026, 10, 31), FOLLOWING, CN) == date(2026, 11, 2)
    assert shift(date(2026, 10, 31), MODIFIED, CN) == date(2026, 10, 30)


def test_national_day_week_moves_a_due_date_to_the_first_working_day() -> None:
    assert shift(date(2026, 10, 1), FOLLOWING, CN) == date(2026, 10, 8)
    assert shift(date(2026, 10, 1), MODIFIED, CN) == date(2026, 10, 8)


def test_no_rule_keeps_the_date_even_on_a_holiday() -> None:
    assert shift(date(2026, 10, 1), BusinessDayRule.NONE, CN) == date(2026, 10, 1)
    assert shift(date(2026, 10, 3), FOLLOWING, NO_HOLIDAYS) == date(2026, 10, 3)


def test_a_due_day_is_clamped_to_the_last_day_of_a_short_month() -> None:
    terms = BillingTerms(Frequency.MONTHLY, Timing.PREPAID, DueRule(day_of_month=31))
    assert due_date(date(2026, 2, 1), date(2026, 2, 28), terms, NO_HOLIDAYS) == date(2026, 2, 28)
    terms = BillingTerms(Frequency.MONTHLY, Timing.ARREARS, DueRule(day_of_month=31))
    assert due_date(date(2026, 1, 1), date(2026, 1, 31), terms, NO_HOLIDAYS) == date(2026, 2, 28)
