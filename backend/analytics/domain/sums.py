"""What the database sums for the KPIs, and how those sums become the figures, per project and tier.

The rows behind the KPIs come in three families: lettable assets (measured on the window's day), charges
(billed in the month, or open on the day) and signed leases. Each row carries its contribution to a fixed
set of columns; a KPI is a sum of columns over a sum of columns (`DEFINITIONS`). The finest grain summed is
one project and one customer tier (a vacant asset has no tenant: tier `none`); every grouping of the
dashboard, the exports and the reports is a roll-up of those cells, so all of them add up the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from backend.analytics.domain.kpi import Kpi, KpiValue, figure
from backend.core.domain.errors import N_, Message, ValidationFailed

ZERO = Decimal(0)
TIER_NONE = "none"
Cell = tuple[int, str]  # (project id, customer tier)
Sums = dict[str, Decimal]


class Family(enum.StrEnum):
    """The kinds of rows a KPI is summed over."""

    ASSET = "asset"
    CHARGE = "charge"
    LEASE = "lease"


@dataclass(frozen=True)
class Policy:
    """The stated choices of the definitions (configurable per installation)."""

    unavailable_as: str = "vacant"  # units in maintenance or renovation: "vacant" or "excluded"
    stale_after_days: int = 30

    @property
    def key(self) -> str:
        """The choices as one text, stored with sums computed under them."""
        return f"{self.unavailable_as}:{self.stale_after_days}"

    def __post_init__(self) -> None:
        if self.unavailable_as not in ("vacant", "excluded"):
            raise ValueError("unavailable_as must be 'vacant' or 'excluded'")
        if self.stale_after_days < 1:
            raise ValueError("stale_after_days must be at least 1")


# Overdue open amounts by days past due, aligned with the dunning tiers: column -> (oldest, newest) days.
AGING_COLUMNS: dict[str, tuple[int | None, int]] = {
    "aging_1_15": (15, 1),
    "aging_16_30": (30, 16),
    "aging_31_60": (60, 31),
    "aging_61_90": (90, 61),
    "aging_90_plus": (None, 91),
}
AGING_BUCKETS = {"aging_1_15": "1-15", "aging_16_30": "16-30", "aging_31_60": "31-60"}
AGING_BUCKETS |= {"aging_61_90": "61-90", "aging_90_plus": "90+"}

COLUMNS: dict[Family, tuple[str, ...]] = {
    Family.ASSET: (
        "lettable_units",
        "lettable_area",
        "occupied_units",
        "occupied_area",
        "occupied_equipment_units",
        "vacant_area",
        "vacant_equipment_units",
        "days_unconfirmed",
        "stale_units",
    ),
    Family.CHARGE: (
        "billed",
        "collected_30",
        "rent_billed",
        "rent_billed_space",
        "open",
        "overdue",
        "billed_90",
        *AGING_COLUMNS,
    ),
    Family.LEASE: (
        "leases_in_force",
        "delinquent_leases",
        "leases_ending",
        "leases_renewed",
        "expiring_30",
        "expiring_60",
        "expiring_90",
    ),
}
FAMILY_OF = {column: family for family, columns in COLUMNS.items() for column in columns}
VACANCY_LOSS = "vacancy_loss"  # derived per project from the asset and charge sums (`with_vacancy_loss`)

# Each KPI: the columns summed above the line, and below it (none: the KPI is a total).
DEFINITIONS: dict[Kpi, tuple[tuple[str, ...], tuple[str, ...] | None]] = {
    Kpi.OCCUPANCY_UNITS: (("occupied_units",), ("lettable_units",)),
    Kpi.OCCUPANCY_AREA: (("occupied_area",), ("lettable_area",)),
    Kpi.ECONOMIC_OCCUPANCY: (("rent_billed",), ("rent_billed", VACANCY_LOSS)),
    Kpi.ARPU: (("rent_billed",), ("occupied_units",)),
    Kpi.RENT_PER_M2: (("rent_billed_space",), ("occupied_area",)),
    Kpi.COLLECTION_RATE: (("collected_30",), ("billed",)),
    Kpi.DELINQUENCY_AMOUNT: (("overdue",), ("open",)),
    Kpi.DELINQUENCY_COUNT: (("delinquent_leases",), ("leases_in_force",)),
    Kpi.DSO: (("open",), ("billed_90",)),
    Kpi.RENEWAL_RATE: (("leases_renewed",), ("leases_ending",)),
    Kpi.VACANCY_LOSS: ((VACANCY_LOSS,), None),
    Kpi.EXPIRIES_30: (("expiring_30",), None),
    Kpi.EXPIRIES_60: (("expiring_60",), None),
    Kpi.EXPIRIES_90: (("expiring_90",), None),
    Kpi.STATUS_FRESHNESS: (("days_unconfirmed",), ("lettable_units",)),
    Kpi.STALE_SHARE: (("stale_units",), ("lettable_units",)),
}
AGING = "aging"  # the drill-down of the aging bars: overdue charges


def kpi_named(text: str) -> Kpi | str:
    """A KPI (or `aging`) by its key; a clear refusal otherwise."""
    if text == AGING:
        return AGING
    try:
        return Kpi(text)
    except ValueError:
        accepted = ", ".join([*(k.value for k in Kpi), AGING])
        raise ValidationFailed(
            {"kpi": [Message(N_("Unknown KPI; use one of: %(accepted)s."), accepted=accepted)]}
        ) from None


def columns_of(kpi: Kpi | str) -> tuple[str, ...]:
    """Every column a KPI reads (the aging drill-down reads the overdue amount)."""
    if kpi == AGING:
        return ("overdue",)
    numerator, denominator = DEFINITIONS[Kpi(kpi)]
    return tuple(dict.fromkeys([*numerator, *(denominator or ())]))


def families_of(kpi: Kpi | str) -> list[Family]:
    """The families whose rows a KPI's drill-down lists (the vacancy loss is the vacant assets')."""
    found: list[Family] = []
    for column in columns_of(kpi):
        family = FAMILY_OF.get(column, Family.ASSET)
        if family not in found:
            found.append(family)
    return found


@dataclass(frozen=True)
class ProjectRates:
    """What a vacant unit of a project would bring a month: the project's own billed rent per m² and unit."""

    per_m2: Decimal | None
    per_equipment_unit: Decimal | None

    def loss(self, vacant_area: Decimal, vacant_equipment_units: Decimal) -> Decimal:
        """The rent a project's vacant space and equipment did not bring in the month."""
        return vacant_area * (self.per_m2 or ZERO) + vacant_equipment_units * (
            self.per_equipment_unit or ZERO
        )


def rates(cells: Mapping[Cell, Sums]) -> dict[int, ProjectRates]:
    """Each project's rent per leased m² and per leased equipment unit in the month (all tiers together)."""
    totals: dict[int, Sums] = {}
    for (project_id, _tier), sums in cells.items():
        into = totals.setdefault(project_id, {})
        for column in ("rent_billed", "rent_billed_space", "occupied_area", "occupied_equipment_units"):
            into[column] = into.get(column, ZERO) + sums.get(column, ZERO)
    found = {}
    for project_id, t in totals.items():
        per_m2 = t["rent_billed_space"] / t["occupied_area"] if t["occupied_area"] else None
        equipment_rent = t["rent_billed"] - t["rent_billed_space"]
        per_unit = equipment_rent / t["occupied_equipment_units"] if t["occupied_equipment_units"] else None
        found[project_id] = ProjectRates(per_m2, per_unit)
    return found


def with_vacancy_loss(cells: Mapping[Cell, Sums]) -> dict[Cell, Sums]:
    """The cells with their vacancy loss added (from their project's rates)."""
    project_rates = rates(cells)
    done: dict[Cell, Sums] = {}
    for cell, sums in cells.items():
        loss = project_rates[cell[0]].loss(
            sums.get("vacant_area", ZERO), sums.get("vacant_equipment_units", ZERO)
        )
        done[cell] = {**sums, VACANCY_LOSS: loss}
    return done


def merge(*families: Mapping[Cell, Sums]) -> dict[Cell, Sums]:
    """The families' sums side by side per cell (a cell missing from a family sums to zero there)."""
    cells: dict[Cell, Sums] = {}
    for sums_by_cell in families:
        for cell, sums in sums_by_cell.items():
            cells.setdefault(cell, {}).update(sums)
    return cells


def roll_up(cells: Mapping[Cell, Sums], key: Callable[[Cell], str | None]) -> dict[str | None, Sums]:
    """The cells summed per group (the key of each cell's group)."""
    groups: dict[str | None, Sums] = {}
    for cell, sums in cells.items():
        into = groups.setdefault(key(cell), {})
        for column, value in sums.items():
            into[column] = into.get(column, ZERO) + value
    return groups


def total(cells: Iterable[Sums]) -> Sums:
    """All cells summed."""
    into: Sums = {}
    for sums in cells:
        for column, value in sums.items():
            into[column] = into.get(column, ZERO) + value
    return into


def kpis(sums: Mapping[str, Decimal]) -> dict[Kpi, KpiValue]:
    """Every KPI of one group from its sums."""
    found = {}
    for kpi, (numerator, denominator) in DEFINITIONS.items():
        top = sum((sums.get(c, ZERO) for c in numerator), ZERO)
        bottom = None if denominator is None else sum((sums.get(c, ZERO) for c in denominator), ZERO)
        found[kpi] = figure(kpi, top, bottom)
    return found


def contribution(kpi: Kpi | str, row: Mapping[str, object]) -> tuple[Decimal, Decimal | None]:
    """What one drill-down row adds above and below the KPI's line (its columns; absent ones are zero)."""

    def value(column: str) -> Decimal:
        raw = row.get(column)
        return Decimal(str(raw)) if raw is not None else ZERO

    if kpi == AGING:
        return value("overdue"), None
    numerator, denominator = DEFINITIONS[Kpi(kpi)]
    top = sum((value(c) for c in numerator), ZERO)
    bottom = None if denominator is None else sum((value(c) for c in denominator), ZERO)
    return top, bottom


def aging(sums: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The overdue buckets of a group, with what is open but not yet due as `current`."""
    buckets = {"current": sums.get("open", ZERO) - sums.get("overdue", ZERO)}
    buckets |= {bucket: sums.get(column, ZERO) for column, bucket in AGING_BUCKETS.items()}
    return buckets
