"""Calendars past the published years: the estimates are provisional, an entered year replaces them."""

from __future__ import annotations

from datetime import date

from backend.leasing.domain.schedule import WEEKENDS_ONLY, BusinessDayRule, shift
from backend.leasing.domain.schedule.calendars import CalendarYear, holiday_calendar, is_provisional

# TEST DATA, not the State Council's: a made-up but plausible 2027 arrangement (the real one is not out yet).
# Weekdays off; weekend days off are implied. National Day runs 1–7 October, worked back on 25 September
# and 9 October.
INVENTED_2027 = CalendarYear(
    2027,
    frozenset(
        date.fromisoformat(d)
        for d in (
            "2027-01-01",
            "2027-02-05",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10",
            "2027-02-11",
            "2027-04-05",
            "2027-05-03",
            "2027-05-04",
            "2027-05-05",
            "2027-06-09",
            "2027-09-15",
            "2027-10-01",
            "2027-10-04",
            "2027-10-05",
            "2027-10-06",
            "2027-10-07",
        )
    ),
    frozenset(
        date.fromisoformat(d) for d in ("2027-02-20", "2027-04-25", "2027-05-08", "2027-09-25", "2027-10-09")
    ),
)
FOLLOWING = BusinessDayRule.FOLLOWING


def test_the_package_ships_china_up_to_2026_and_only_estimates_2027() -> None:
    cn = holiday_calendar("CN")
    assert cn.official_until == 2026
    assert not cn.is_provisional(date(2026, 12, 31))
    assert cn.is_provisional(date(2027, 1, 4))
    assert cn.is_provisional(date(2029, 10, 8))


def test_the_estimate_puts_national_day_2027_on_1_to_5_october_without_make_up_days() -> None:
    cn = holiday_calendar("CN")
    assert [cn.is_working_day(date(2027, 10, day)) for day in range(1, 9)] == [
        False,  # Fri 1
        False,
        False,
        False,  # Mon 4, "observed"
        False,  # Tue 5, "observed"
        True,  # Wed 6
        True,
        True,
    ]
    assert not cn.is_working_day(date(2027, 9, 25))  # a Saturday, no make-up day in the estimate


def test_an_entered_year_replaces_the_estimate_and_is_official() -> None:
    cn = holiday_calendar("CN", [INVENTED_2027])
    assert not cn.is_working_day(date(2027, 10, 6))
    assert not cn.is_working_day(date(2027, 10, 7))
    assert cn.is_working_day(date(2027, 10, 8))
    assert cn.is_working_day(date(2027, 9, 25))  # the Saturday worked instead
    assert cn.is_working_day(date(2027, 10, 9))
    assert not cn.is_provisional(date(2027, 10, 6))
    assert cn.is_provisional(date(2028, 10, 6))
    # Years the package ships are untouched by an entered year.
    assert not cn.is_working_day(date(2026, 10, 6))


def test_a_due_date_on_6_october_2027_moves_to_the_8th_once_the_year_is_entered() -> None:
    assert shift(date(2027, 10, 6), FOLLOWING, holiday_calendar("CN")) == date(2027, 10, 6)
    assert shift(date(2027, 10, 6), FOLLOWING, holiday_calendar("CN", [INVENTED_2027])) == date(2027, 10, 8)


def test_countries_whose_holidays_follow_fixed_rules_are_never_provisional() -> None:
    assert holiday_calendar("DE").official_until is None
    assert not is_provisional(holiday_calendar("DE"), date(2029, 5, 1))
    assert not is_provisional(WEEKENDS_ONLY, date(2029, 5, 1))


def test_an_entered_year_names_its_own_mistakes() -> None:
    wrong = CalendarYear(
        2027,
        frozenset({date(2028, 1, 3), date(2027, 10, 9)}),
        frozenset({date(2027, 10, 8), date(2027, 10, 9)}),
    )
    assert wrong.problems() == {
        "holidays": ["Every date must lie in the year entered."],
        "working_days": [
            "Only a Saturday or a Sunday can be a make-up working day.",
            "A day cannot be both a holiday and a make-up working day.",
        ],
    }
    assert INVENTED_2027.problems() == {}
