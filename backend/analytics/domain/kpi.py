"""The portfolio KPIs, defined once (docs/kpi-definitions.md): each is a numerator over a denominator.

The database sums each KPI's numerator and denominator per group with the same predicates that list the rows
behind it, so a tile always equals the sum of its drill-down rows; this module only names the KPIs, their
units, and turns the two sums into the figure shown.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)


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


@dataclass(frozen=True)
class KpiValue:
    """One KPI for one group: the figure, and the two sums it comes from (a count's denominator is 1)."""

    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    unit: Unit


def figure(kpi: Kpi, numerator: Decimal, denominator: Decimal) -> KpiValue:
    """The KPI's figure from its sums: the ratio rounded for its unit, none when nothing is there to divide."""
    unit = UNITS[kpi]
    if unit is Unit.COUNT:
        return KpiValue(numerator, numerator, Decimal(1), unit)
    if kpi is Kpi.DSO:
        numerator = numerator * 90
    if not denominator:
        return KpiValue(None, numerator, denominator, unit)
    value = (numerator / denominator).quantize(_PLACES[unit], rounding=ROUND_HALF_UP)
    return KpiValue(value, numerator, denominator, unit)
