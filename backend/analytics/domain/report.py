"""The monthly portfolio report's content: the whole portfolio, each region and its projects, the definitions.

The report is built once from the KPIs of its period and handed to the renderers (a workbook, a PDF), which
only lay it out: every figure, name and definition in it is final, already in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from backend.analytics.domain.kpi import Kpi, KpiValue

KpiSet = dict[str, KpiValue]


@dataclass(frozen=True)
class RegionSection:
    """One region: its total, each of its projects, its aging at as_of and its last twelve months."""

    region_id: int
    region_name: str
    total: KpiSet
    projects: list[tuple[str, KpiSet]]  # (project label, its KPIs)
    aging: dict[str, Decimal]  # aging bucket (AgingBucket's value) -> overdue open amount
    trend: list[tuple[str, Decimal | None, Decimal | None]]  # (period, occupancy_units, collection_rate)


@dataclass(frozen=True)
class PortfolioReport:
    """The report of one month over the portfolio its reader may see, in the reader's language."""

    period: str  # YYYY-MM
    start: date
    end: date
    as_of: date
    currency: str
    locale: str  # "zh_CN" or "en"
    generated_at: datetime
    total: KpiSet
    regions: list[RegionSection]
    definitions: list[tuple[str, str, str]]  # (kpi key, localised name, localised definition)

    def name_of(self, key: str) -> str:
        """The KPI's name as the definitions give it (its key when they do not)."""
        for definition_key, name, _definition in self.definitions:
            if definition_key == key:
                return name
        return key


def kpi_keys(kpi_sets: Iterable[Mapping[str, KpiValue]]) -> list[str]:
    """The KPIs found in any of the sets, in the order of `Kpi` (any other key after them, as met)."""
    found: dict[str, None] = {}
    for kpis in kpi_sets:
        found.update(dict.fromkeys(kpis))
    known = [kpi.value for kpi in Kpi if kpi.value in found]
    return known + [key for key in found if key not in known]
