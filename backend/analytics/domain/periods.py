"""Reporting periods: calendar months, the day they are measured on, and the months compared with them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from backend.core.domain.errors import N_, ValidationFailed

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Window:
    """A month and the day its point-in-time KPIs are measured on (its last day, or today while it runs)."""

    period: str
    start: date
    end: date
    as_of: date

    @property
    def closed(self) -> bool:
        """Whether the month is over (its figures can be snapshotted)."""
        return self.as_of == self.end


def month_of(day: date) -> str:
    """The period a day falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(text: str, field: str = "period") -> date:
    """The first day of a `YYYY-MM` period; a clear refusal otherwise."""
    match = _PERIOD.match(text or "")
    if match is None or not 1970 <= int(match.group(1)) <= 2099:
        raise ValidationFailed({field: [N_("Give a month as YYYY-MM, e.g. 2026-11.")]})
    return date(int(match.group(1)), int(match.group(2)), 1)


def window(period: str, today: date) -> Window:
    """The window of a month as seen on a day; a month that has not begun is refused."""
    start = parse_period(period)
    end = start + relativedelta(months=1) - timedelta(days=1)
    if start > today:
        raise ValidationFailed({"period": [N_("This month has not begun yet.")]})
    return Window(period, start, end, min(end, today))


def shifted(period: str, months: int, today: date) -> Window:
    """The window of the month `months` before or after a period."""
    start = parse_period(period) + relativedelta(months=months)
    return window(month_of(start), today)


def months_ending(period: str, count: int, today: date) -> list[Window]:
    """The `count` months ending with a period, oldest first."""
    return [shifted(period, -offset, today) for offset in range(count - 1, -1, -1)]
