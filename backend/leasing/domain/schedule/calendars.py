"""Working-day calendars and the business-day shift of due dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import holidays

from backend.core.domain.errors import N_
from backend.leasing.domain.schedule.terms import BusinessDayRule, ScheduleError

# A year without one working day is a broken calendar, not a reason to loop forever.
_MAX_SHIFT_DAYS = 366
_ONE_DAY = timedelta(days=1)


class WorkingCalendar(Protocol):
    """Says whether a date is a working day."""

    def is_working_day(self, d: date) -> bool:
        """True when business is done on `d`."""
        ...


@dataclass(frozen=True)
class _WeekendsOnly:
    """Monday to Friday are working days; no holidays."""

    def is_working_day(self, d: date) -> bool:
        """True from Monday to Friday."""
        return d.weekday() < 5


@dataclass(frozen=True)
class _EveryDay:
    """Every day is a working day."""

    def is_working_day(self, d: date) -> bool:
        """Always true."""
        return True


WEEKENDS_ONLY: WorkingCalendar = _WeekendsOnly()
NO_HOLIDAYS: WorkingCalendar = _EveryDay()


class _HolidayCalendar:
    """A country's public holidays from the `holidays` package, years loaded as they are asked for.

    Weekend days the country declares working (China's make-up days, 调休) count as working days.
    """

    def __init__(self, country: holidays.HolidayBase) -> None:
        self._country = country
        # The package's own check costs microseconds; schedules ask about the same days again and again.
        self._known: dict[date, bool] = {}

    def is_working_day(self, d: date) -> bool:
        """True unless `d` is a weekend day or a public holiday, make-up working days included."""
        known = self._known.get(d)
        if known is None:
            known = self._known[d] = bool(self._country.is_working_day(d))
        return known


def holiday_calendar(code: str) -> WorkingCalendar:
    """The working calendar of a country by ISO code (e.g. "CN"); a `ScheduleError` for an unknown code."""
    try:
        country = holidays.country_holidays(code.strip().upper())
    except NotImplementedError:
        raise ScheduleError(
            {"calendar": [N_("Unknown holiday calendar; use an ISO country code such as CN.")]}
        ) from None
    return _HolidayCalendar(country)


def shift(d: date, rule: BusinessDayRule, calendar: WorkingCalendar) -> date:
    """`d` moved to a working day per `rule`; modified following never leaves `d`'s month."""
    if rule is BusinessDayRule.NONE or calendar.is_working_day(d):
        return d
    following = _step(d, _ONE_DAY, calendar)
    if rule is BusinessDayRule.MODIFIED_FOLLOWING and following.month != d.month:
        return _step(d, -_ONE_DAY, calendar)
    return following


def _step(d: date, step: timedelta, calendar: WorkingCalendar) -> date:
    candidate = d
    for _ in range(_MAX_SHIFT_DAYS):
        candidate += step
        if calendar.is_working_day(candidate):
            return candidate
    raise ScheduleError({"calendar": [N_("The calendar has no working day within a year of a due date.")]})
