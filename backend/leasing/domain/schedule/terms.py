"""The vocabulary of a rent schedule: codes, billing terms, charge lines, concessions, periods and items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from backend.core.domain.errors import N_, ValidationFailed


class ScheduleError(ValidationFailed):
    """Schedule input that cannot produce a schedule; `fields` names each offending input."""

    def __init__(self, fields: Mapping[str, Sequence[str]]) -> None:
        super().__init__(fields, N_("The schedule cannot be generated from these terms."))


class Frequency(StrEnum):
    """How often a charge is billed."""

    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"
    ONE_OFF = "one_off"

    @property
    def months(self) -> int | None:
        """Months in one billing period; None for a one-off charge."""
        return _FREQUENCY_MONTHS[self]


_FREQUENCY_MONTHS: dict[Frequency, int | None] = {
    Frequency.MONTHLY: 1,
    Frequency.BIMONTHLY: 2,
    Frequency.QUARTERLY: 3,
    Frequency.SEMIANNUAL: 6,
    Frequency.ANNUAL: 12,
    Frequency.ONE_OFF: None,
}


class Timing(StrEnum):
    """Whether a period is paid at its start or after its end."""

    PREPAID = "prepaid"
    ARREARS = "arrears"


class BusinessDayRule(StrEnum):
    """How a due date on a non-working day moves."""

    NONE = "none"
    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"


class ChargeType(StrEnum):
    """What a charge line bills for."""

    RENT = "rent"
    SERVICE_FEE = "service_fee"
    PARKING = "parking"
    OTHER = "other"


class RoundingMode(StrEnum):
    """How amounts are rounded to the precision of the terms."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"


class PeriodAnchor(StrEnum):
    """Where billing periods start: stepping from the lease start, or on calendar boundaries."""

    LEASE_START = "lease_start"
    CALENDAR = "calendar"


@dataclass(frozen=True)
class DueRule:
    """When a period falls due.

    The reference date is the period start when prepaid and the day after the period end in arrears. With
    `day_of_month` the due date is that day of the reference date's month (clamped to its last day), otherwise
    the reference date plus `offset_days` (negative = before). In arrears, a day of the month that would come
    before the reference date (a stub ending mid-month) moves to the next month: rent in arrears never falls
    due before its period is over. The business-day rule then shifts it.
    """

    day_of_month: int | None = None
    offset_days: int = 0


@dataclass(frozen=True)
class BillingTerms:
    """How a lease bills: frequency, timing, due dates, period anchoring, proration and rounding."""

    frequency: Frequency
    timing: Timing
    due_rule: DueRule
    business_day_rule: BusinessDayRule = BusinessDayRule.NONE
    anchor: PeriodAnchor = PeriodAnchor.LEASE_START
    prorate: bool = True
    precision: Decimal = Decimal("0.01")
    rounding: RoundingMode = RoundingMode.HALF_UP


@dataclass(frozen=True)
class ChargeLine:
    """One dated version of a charge; a change ends one version and opens the next.

    `frequency` overrides the lease's; for ONE_OFF, `monthly_amount` is the whole amount, billed once for the
    line's dates.
    """

    key: str
    charge_type: ChargeType
    monthly_amount: Decimal
    starts: date
    ends: date
    frequency: Frequency | None = None


@dataclass(frozen=True)
class Concession:
    """A dated reduction (free rent is 100 %) of the matching charge, billed as separate negative items."""

    key: str
    starts: date
    ends: date
    percent: Decimal = Decimal(100)
    charge_type: ChargeType = ChargeType.RENT


@dataclass(frozen=True)
class Period:
    """A billing period (ends inclusive) and its prorated month count."""

    start: date
    end: date
    months: Decimal


@dataclass(frozen=True)
class ScheduleItem:
    """One receivable: a charge (or a concession against it) for the dates it covers, due on `due_date`.

    `months` is shown to six places; `amount` is rounded per the terms from the exact value, which
    `exact_amount` keeps (absent on items read back from storage; never compared).
    """

    line_key: str
    charge_type: ChargeType
    period_start: date
    period_end: date
    due_date: date
    months: Decimal
    amount: Decimal
    is_concession: bool
    exact_amount: Fraction | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ScheduleTotals:
    """Totals: gross charges, concessions (a positive amount waived), adjustments settling billed periods
    and write-offs (negative: credited), net = gross − concessions + adjustments."""

    gross: Decimal
    concessions: Decimal
    net: Decimal
    adjustments: Decimal = Decimal("0.00")
