"""Billing periods over a lease term, prorated month counts, and exact rounding of amounts."""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from backend.leasing.domain.schedule.terms import Frequency, Period, PeriodAnchor, RoundingMode

ONE_DAY = timedelta(days=1)
MONTHS_SHOWN = Decimal("0.000001")


def add_months(d: date, months: int) -> date:
    """`d` moved by whole months, the day clamped to the target month's end (31 Jan + 1 → 28/29 Feb)."""
    zero_based = d.month - 1 + months
    year, month = d.year + zero_based // 12, zero_based % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


class MonthGrid:
    """The month boundaries a term is counted in.

    From the lease start, boundary i is the start plus i months, always from the original start, so a
    31 January start gives 28/29 February, then 31 March. On the calendar, boundaries are the first of each
    month. A date's position is its boundary index plus the days past the boundary over the days to the next
    one, so the prorated months of [start, end] = position(end + 1 day) − position(start): whole months count
    exactly one, a stub counts its actual days over the days of the month-span it falls in, and counts add up
    across periods.
    """

    def __init__(self, term_start: date, anchor: PeriodAnchor) -> None:
        self.anchor = anchor
        self.origin = term_start if anchor is PeriodAnchor.LEASE_START else term_start.replace(day=1)
        self._boundaries: dict[int, date] = {}

    def boundary(self, index: int) -> date:
        """The start of month number `index` of the grid (remembered: a schedule asks for each many times)."""
        found = self._boundaries.get(index)
        if found is None:
            found = self._boundaries[index] = add_months(self.origin, index)
        return found

    def index(self, d: date) -> int:
        """The number of the grid month that contains `d`."""
        estimate = (d.year - self.origin.year) * 12 + d.month - self.origin.month
        return estimate if self.boundary(estimate) <= d else estimate - 1

    def position(self, d: date) -> Fraction:
        """`d` as a fractional month count from the origin."""
        index = self.index(d)
        start = self.boundary(index)
        if d == start:
            return Fraction(index)
        end = self.boundary(index + 1)
        return index + Fraction((d - start).days, (end - start).days)

    def months(self, start: date, end: date) -> Fraction:
        """The prorated month count of [start, end], both inclusive."""
        return self.position(end + ONE_DAY) - self.position(start)


@dataclass(frozen=True)
class Slot:
    """A billing period with its exact month count."""

    start: date
    end: date
    months: Fraction

    def as_period(self) -> Period:
        """The public form, months shown to six places."""
        return Period(self.start, self.end, shown_months(self.months))


def shown_months(months: Fraction) -> Decimal:
    """A month count to six places, for display and storage."""
    return round_exact(months, MONTHS_SHOWN, RoundingMode.HALF_EVEN)


def billing_slots(
    term_start: date, term_end: date, frequency: Frequency, grid: MonthGrid, prorate: bool
) -> list[Slot]:
    """The billing periods that tile [term_start, term_end] for `frequency` (one period for a one-off)."""
    step = frequency.months
    if step is None:
        return [Slot(term_start, term_end, Fraction(1))]
    index = 0
    if grid.anchor is PeriodAnchor.CALENDAR:
        index = -((term_start.month - 1) % step)
    slots = []
    whole = Fraction(step)
    while grid.boundary(index) <= term_end:
        start = max(grid.boundary(index), term_start)
        next_start = grid.boundary(index + step)
        end = min(next_start - ONE_DAY, term_end)
        # A whole period counts exactly `step` months; only stubs need the day count.
        stub = prorate and (start != grid.boundary(index) or end != next_start - ONE_DAY)
        months = grid.months(start, end) if stub else whole
        slots.append(Slot(start, end, months))
        index += step
    return slots


def round_exact(value: Fraction, precision: Decimal, mode: RoundingMode) -> Decimal:
    """`value` rounded to a multiple of `precision` by `mode`, decided on the exact value."""
    step = _fraction_of(precision)
    # value / step as a numerator over a positive denominator, in integers (no normalisation needed).
    numerator = value.numerator * step.denominator
    denominator = value.denominator * step.numerator
    whole, remainder = divmod(abs(numerator), denominator)
    if mode is RoundingMode.UP:
        whole += remainder > 0
    elif mode is RoundingMode.HALF_UP:
        whole += 2 * remainder >= denominator
    elif mode is RoundingMode.HALF_EVEN:
        twice = 2 * remainder
        whole += twice > denominator or (twice == denominator and whole % 2 == 1)
    signed = -whole if numerator < 0 else whole
    return (Decimal(signed) * precision).quantize(precision)


@functools.lru_cache(maxsize=64)
def _fraction_of(precision: Decimal) -> Fraction:
    return Fraction(precision)
