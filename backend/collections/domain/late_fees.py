"""Late fees from a lease's clause, accrued day by day from a watermark so that no day is charged twice.

A bill accrues a fee for each day of delay after its grace days: the rate times what was still open at the
end of that day (a payment received on a day stops that day's fee). The exact amount is kept; what is
posted is the exact total rounded to the cent less what was posted before, so the posted total is the same
whether the days were accrued in one run or in a hundred. Days under an open dispute accrue nothing, and a
cap (a share of the bill) bounds the total.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from backend.core.domain.errors import N_, ValidationFailed

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Exact accruals keep this many places: a per-month rate divided by 30 does not end.
EXACT = Decimal("0.0000000001")
DAYS_PER_MONTH = 30
MAX_DAILY_RATE = Decimal("0.01")  # 1 % a day (365 % a year) is beyond any lawful clause


class RateBasis(enum.StrEnum):
    """What the clause's rate is per: a day of delay, or a month of delay (counted as 30 days)."""

    PER_DAY = "per_day"
    PER_MONTH = "per_month"


@dataclass(frozen=True)
class LateFeeClause:
    """A lease's late-fee clause: rate and basis, grace days, cap (a share of the bill), article."""

    rate: Decimal
    basis: RateBasis = RateBasis.PER_DAY
    grace_days: int = 0
    cap_rate: Decimal | None = None
    article: str | None = None

    def __post_init__(self) -> None:
        problems: dict[str, list[str]] = {}
        if not self.rate.is_finite() or self.rate <= 0:
            problems["late_fee_rate"] = [
                N_("Must be a rate greater than zero, e.g. 0.0005 for 0.05 % a day.")
            ]
        elif self.daily_rate > MAX_DAILY_RATE:
            problems["late_fee_rate"] = [N_("Must be at most 1 % a day (30 % a month).")]
        if not 0 <= self.grace_days <= 90:
            problems["late_fee_grace_days"] = [N_("Must be between 0 and 90 days.")]
        if self.cap_rate is not None and (not self.cap_rate.is_finite() or not 0 < self.cap_rate <= 1):
            problems["late_fee_cap_rate"] = [N_("Must be a share of the bill above 0 and at most 1 (100 %).")]
        if problems:
            raise ValidationFailed(problems)

    @property
    def daily_rate(self) -> Decimal:
        """The rate per day of delay."""
        if self.basis is RateBasis.PER_MONTH:
            return (self.rate / DAYS_PER_MONTH).quantize(EXACT)
        return self.rate

    def first_fee_day(self, due_date: date) -> date:
        """The first day that accrues a fee: the day after the due date and the grace days."""
        return due_date + timedelta(days=self.grace_days + 1)

    def cap(self, amount: Decimal) -> Decimal | None:
        """The most a bill of this amount can accrue, if the clause caps it."""
        return None if self.cap_rate is None else (amount * self.cap_rate).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Settlement:
    """Part of a bill settled on a day (a payment received, a credit note issued)."""

    on: date
    amount: Decimal


@dataclass(frozen=True)
class Accrued:
    """Where a bill's late fee stands: the exact total, what is posted, and the last day accrued."""

    exact: Decimal = Decimal(0)
    posted: Decimal = ZERO
    through: date | None = None


@dataclass(frozen=True)
class Accrual:
    """One run's accrual for a bill: the days it covered and the cents to post now."""

    start: date
    end: date
    days: int
    amount: Decimal
    state: Accrued


def open_on(amount: Decimal, settlements: Sequence[Settlement], day: date) -> Decimal:
    """What was still open of a bill at the end of a day."""
    return max(amount - sum((s.amount for s in settlements if s.on <= day), ZERO), ZERO)


def accrue(
    clause: LateFeeClause,
    due_date: date,
    amount: Decimal,
    settlements: Sequence[Settlement],
    before: Accrued,
    through: date,
    paused: Iterable[tuple[date, date | None]] = (),
) -> Accrual | None:
    """The fee for the days after the watermark up to `through`; None when no day is left to accrue.

    `paused`: spans (first day, last day or None while open) of disputes on the bill, which accrue nothing
    but still move the watermark.
    """
    start = clause.first_fee_day(due_date)
    if before.through is not None:
        start = max(start, before.through + timedelta(days=1))
    if start > through:
        return None
    rate = clause.daily_rate
    exact = before.exact
    # What is open changes only on a settlement's day and accrual only at a pause's edges: the days in
    # between are summed as one stretch (the same amount as day by day, without a year of iterations).
    edges = {start, through + timedelta(days=1)}
    edges.update(s.on for s in settlements if start < s.on <= through)
    spans = [(first, last or through) for first, last in paused]
    for first, last in spans:
        edges.update(day for day in (first, last + timedelta(days=1)) if start < day <= through)
    cuts = sorted(edges)
    for begin, end in pairwise(cuts):
        if any(first <= begin <= last for first, last in spans):
            continue
        exact += open_on(amount, settlements, begin) * rate * (end - begin).days
    cap = clause.cap(amount)
    if cap is not None:
        exact = min(exact, cap)
    posted = exact.quantize(CENT, ROUND_HALF_UP)
    return Accrual(
        start=start,
        end=through,
        days=(through - start).days + 1,
        amount=posted - before.posted,
        state=Accrued(exact=exact, posted=posted, through=through),
    )
