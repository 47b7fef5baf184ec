"""The working calendars schedules use: the holidays package, with the official years entered as data.

Every process keeps the entered years in memory and builds each calendar once per set of years. A process
that enters a year installs it at once; the others read the table again at most `REFRESH_SECONDS` after
their last look, so a year entered through the API reaches the workers within a minute.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.schedule.calendars import CalendarYear, HolidayCalendar, holiday_calendar
from backend.leasing.domain.schedule.terms import BusinessDayRule

log = logging.getLogger(__name__)
REFRESH_SECONDS = 60.0
Entered = dict[str, tuple[CalendarYear, ...]]


def year_of(row: Any) -> CalendarYear:
    """The domain view of a stored year."""
    return CalendarYear(
        row.year,
        frozenset(date.fromisoformat(d) for d in row.holidays),
        frozenset(date.fromisoformat(d) for d in row.working_days),
    )


def snapshot(uow: UnitOfWork) -> Entered:
    """Every entered year, by calendar code."""
    found: dict[str, list[CalendarYear]] = {}
    for row in uow.calendar_years.all():
        found.setdefault(row.code, []).append(year_of(row))
    return {code: tuple(years) for code, years in found.items()}


class _Registry:
    """The entered years this process knows, and where to read them again."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entered: Entered = {}
        self.opener: Callable[[], AbstractContextManager[Any]] | None = None
        self.checked_at: float | None = None

    def years(self, code: str) -> tuple[CalendarYear, ...]:
        with self.lock:
            stale = self.opener is not None and (
                self.checked_at is None or time.monotonic() - self.checked_at > REFRESH_SECONDS
            )
            opener = self.opener
        if stale and opener is not None:
            self._reload(opener)
        with self.lock:
            return self.entered.get(code, ())

    def _reload(self, opener: Callable[[], AbstractContextManager[Any]]) -> None:
        try:
            with opener() as uow:
                entered = snapshot(uow)
        except Exception:  # an unreachable database must not stop schedules; the package still answers
            log.warning("could not read the entered holiday calendar years", exc_info=True)
            with self.lock:
                self.checked_at = time.monotonic()
            return
        install(entered)


_registry = _Registry()


def bind(opener: Callable[[], AbstractContextManager[Any]] | None) -> None:
    """Read the entered years through units of work from `opener` (the application's database), from now on.

    Forgets what was known: the next calendar asked for reads the table first.
    """
    with _registry.lock:
        _registry.opener = opener
        _registry.entered = {}
        _registry.checked_at = None
    _built.cache_clear()


def install(entered: Mapping[str, Iterable[CalendarYear]]) -> None:
    """Make these the entered years of this process (after a commit that changed them)."""
    with _registry.lock:
        _registry.entered = {code: tuple(years) for code, years in entered.items()}
        _registry.checked_at = time.monotonic()
    _built.cache_clear()


def calendar_of(code: str) -> HolidayCalendar:
    """The working calendar of a holiday-calendar code with its entered years, built once per set of them."""
    normalised = code.strip().upper()
    return _built(normalised, _registry.years(normalised))


@functools.lru_cache(maxsize=32)
def _built(code: str, entered: tuple[CalendarYear, ...]) -> HolidayCalendar:
    return holiday_calendar(code, entered)


def provisional_for(lease: Any) -> Callable[[date], bool]:
    """Whether a due date of the lease rests on an estimated year: its shift to a working day may move once
    the year's arrangement is published (dates not shifted to working days never are)."""
    if lease.business_day_rule is BusinessDayRule.NONE:
        return lambda _due: False
    calendar = calendar_of(lease.project.holiday_calendar)
    return calendar.is_provisional
