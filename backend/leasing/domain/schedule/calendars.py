"""Working-day calendars and the business-day shift of due dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


@dataclass(frozen=True)
class CalendarYear:
    """One year's official arrangement entered as data: its days off and its make-up working days (调休).

    Weekdays not listed are working days and weekend days not listed are days off, as in every year.
    """

    year: int
    holidays: frozenset[date]
    working_days: frozenset[date]

    def is_working_day(self, d: date) -> bool:
        """True for a listed make-up day, or a weekday that is not a listed holiday."""
        return d in self.working_days or (d.weekday() < 5 and d not in self.holidays)

    def problems(self) -> dict[str, list[str]]:
        """Messages by field: dates outside the year, weekdays listed as make-up days, a day listed twice."""
        found: dict[str, list[str]] = {}
        for name, days in (("holidays", self.holidays), ("working_days", self.working_days)):
            if any(d.year != self.year for d in days):
                found.setdefault(name, []).append(N_("Every date must lie in the year entered."))
        if any(d.weekday() < 5 for d in self.working_days):
            found.setdefault("working_days", []).append(
                N_("Only a Saturday or a Sunday can be a make-up working day.")
            )
        if self.holidays & self.working_days:
            found.setdefault("working_days", []).append(
                N_("A day cannot be both a holiday and a make-up working day.")
            )
        return found


class HolidayCalendar:
    """A country's public holidays from the `holidays` package, years loaded as they are asked for.

    Weekend days the country declares working (China's make-up days, 调休) count as working days. Years
    entered as data replace the package's for that year. A year the package only estimates (after the last
    year whose official arrangement it ships) and that was not entered is provisional: its dates may move
    once the arrangement is published.
    """

    def __init__(
        self, country: holidays.HolidayBase, official_until: int | None, entered: Mapping[int, CalendarYear]
    ) -> None:
        self._country = country
        self._official_until = official_until
        self._entered = dict(entered)
        # The package's own check costs microseconds; schedules ask about the same days again and again.
        self._known: dict[date, bool] = {}

    def is_working_day(self, d: date) -> bool:
        """True unless `d` is a weekend day or a public holiday, make-up working days included."""
        known = self._known.get(d)
        if known is None:
            year = self._entered.get(d.year)
            working = year.is_working_day(d) if year else self._country.is_working_day(d)
            known = self._known[d] = bool(working)
        return known

    def is_provisional(self, d: date) -> bool:
        """True when `d`'s year has no official arrangement yet: not entered, not shipped by the package."""
        if d.year in self._entered:
            return False
        return self._official_until is not None and d.year > self._official_until

    @property
    def official_until(self) -> int | None:
        """The last year the package ships an official arrangement for (None: it does not say)."""
        return self._official_until


# Countries whose days off and make-up working days are announced each year (China: the State Council's
# arrangement, published around November for the next year). Elsewhere the package's rules are the law.
ANNOUNCED_YEARLY = frozenset({"CN"})


def official_until(code: str, country: holidays.HolidayBase) -> int | None:
    """The last year whose official arrangement the package ships, or None where every year follows rules.

    For a country that announces its calendar yearly the package carries a table of the announced days per
    year; later years are its estimate from the fixed rules (no make-up days, guessed observed days).
    """
    if code not in ANNOUNCED_YEARLY:
        return None
    announced = getattr(country, "special_public_holidays", None)
    return max(announced) if announced else None


def holiday_calendar(code: str, entered: Iterable[CalendarYear] = ()) -> HolidayCalendar:
    """The working calendar of a country by ISO code (e.g. "CN") with the years entered as data laid over
    the package's; a `ScheduleError` for an unknown code."""
    code = code.strip().upper()
    try:
        country = holidays.country_holidays(code)
    except NotImplementedError:
        raise ScheduleError(
            {"calendar": [N_("Unknown holiday calendar; use an ISO country code such as CN.")]}
        ) from None
    return HolidayCalendar(country, official_until(code, country), {year.year: year for year in entered})


def is_provisional(calendar: WorkingCalendar, d: date) -> bool:
    """Whether `d` rests on an estimated year of the calendar (fixed calendars never are)."""
    return isinstance(calendar, HolidayCalendar) and calendar.is_provisional(d)


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
