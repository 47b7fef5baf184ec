"""The portfolio KPIs, defined once (docs/kpi-definitions.md): each is a numerator over a denominator.

The database sums each KPI's numerator and denominator per group with the same predicates that list the rows
behind it, so a tile always equals the sum of its drill-down rows; this module only names the KPIs, their
units, and turns the two sums into the figure shown.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


class Unit(enum.StrEnum):
    """How a KPI's figure reads."""

    RATIO = "ratio"  # 0..1, shown as a percentage
    MONEY = "money"  # in the portfolio's currency
    DAYS = "days"
    COUNT = "count"


class Kpi(enum.StrEnum):
    """Every portfolio KPI, by its key in the API, the exports and the snapshots."""

    OCCUPANCY_UNITS = "occupancy_units"
    OCCUPANCY_AREA = "occupancy_area"
    ECONOMIC_OCCUPANCY = "economic_occupancy"
    ARPU = "arpu"
    RENT_PER_M2 = "rent_per_m2"
    COLLECTION_RATE = "collection_rate"
    DELINQUENCY_AMOUNT = "delinquency_amount"
    DELINQUENCY_COUNT = "delinquency_count"
    DSO = "dso"
    RENEWAL_RATE = "renewal_rate"
    VACANCY_LOSS = "vacancy_loss"
    EXPIRIES_30 = "expiries_30"
    EXPIRIES_60 = "expiries_60"
    EXPIRIES_90 = "expiries_90"
    STATUS_FRESHNESS = "status_freshness"
    STALE_SHARE = "stale_share"


UNITS: dict[Kpi, Unit] = {
    Kpi.OCCUPANCY_UNITS: Unit.RATIO,
    Kpi.OCCUPANCY_AREA: Unit.RATIO,
    Kpi.ECONOMIC_OCCUPANCY: Unit.RATIO,
    Kpi.ARPU: Unit.MONEY,
    Kpi.RENT_PER_M2: Unit.MONEY,
    Kpi.COLLECTION_RATE: Unit.RATIO,
    Kpi.DELINQUENCY_AMOUNT: Unit.RATIO,
    Kpi.DELINQUENCY_COUNT: Unit.RATIO,
    Kpi.DSO: Unit.DAYS,
    Kpi.RENEWAL_RATE: Unit.RATIO,
    Kpi.VACANCY_LOSS: Unit.MONEY,
    Kpi.EXPIRIES_30: Unit.COUNT,
    Kpi.EXPIRIES_60: Unit.COUNT,
    Kpi.EXPIRIES_90: Unit.COUNT,
    Kpi.STATUS_FRESHNESS: Unit.DAYS,
    Kpi.STALE_SHARE: Unit.RATIO,
}

_PLACES = {Unit.RATIO: Decimal("0.0001"), Unit.MONEY: Decimal("0.01"), Unit.DAYS: Decimal("0.1")}
# DSO is open receivables over the average day's billing of the last 90 days: open / billed_90 × 90.
_SCALE = {Kpi.DSO: Decimal(90)}


@dataclass(frozen=True)
class KpiValue:
    """One KPI for one group: the figure, and the sums it comes from (a total's denominator is none)."""

    value: Decimal | None
    numerator: Decimal
    denominator: Decimal | None
    unit: Unit


def figure(kpi: Kpi, numerator: Decimal, denominator: Decimal | None) -> KpiValue:
    """The KPI's figure from its sums, rounded for its unit; none when there is nothing to divide by.

    A KPI without a denominator is a total (vacancy loss, expiries): its figure is the numerator.
    """
    unit = UNITS[kpi]
    if denominator is None:
        value = numerator if unit is Unit.COUNT else numerator.quantize(_PLACES[unit], rounding=ROUND_HALF_UP)
        return KpiValue(value, numerator, None, unit)
    if not denominator:
        return KpiValue(None, numerator, denominator, unit)
    ratio = numerator / denominator * _SCALE.get(kpi, Decimal(1))
    return KpiValue(ratio.quantize(_PLACES[unit], rounding=ROUND_HALF_UP), numerator, denominator, unit)
