"""The portfolio dashboard and its drill-downs, within the reader's scope.

Every figure is a roll-up of per-project, per-tier sums (`domain.sums`): live for the running month and for
any month without a snapshot, from the monthly snapshot otherwise (as first reported; later corrections show
as restatements). A drill-down lists the rows those sums are made of, as they stand now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from backend.analytics.domain import sums as rules
from backend.analytics.domain.kpi import Kpi, KpiValue
from backend.analytics.domain.periods import Window, month_of, months_ending, shifted, window
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.errors import N_, ValidationFailed
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

GROUPINGS = ("region", "city", "project", "category", "customer_tier")
# The worker refreshes the running month's sums every few minutes (`refresh_running_month`); the dashboard
# reads them while they are this fresh, and sums the rows itself otherwise.
REFRESHED_WITHIN = timedelta(minutes=10)
TREND_MONTHS = 12
# The trend draws occupancy and the collection rate: a month read live needs only these rows.
TREND_FAMILIES = (rules.Family.ASSET, rules.Family.CHARGE)
EXPIRY_MONTHS = 12
DRILLDOWN_LIMIT = 50_000


@dataclass(frozen=True)
class DashboardQuery:
    """What the reader asked for: a month, a grouping and filters over projects."""

    period: str
    group_by: str = "project"
    filters: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.group_by not in GROUPINGS:
            raise ValidationFailed(
                {"group_by": [N_("Group by region, city, project, category or customer_tier.")]}
            )


Cells = dict[rules.Cell, rules.Sums]


def live_cells(
    window_: Window,
    policy: rules.Policy,
    scope: Scope,
    filters: Mapping[str, Any],
    uow: UnitOfWork,
    families: Sequence[rules.Family] = tuple(rules.Family),
) -> Cells:
    """Every project and tier's sums for a month (of the families asked for), from the rows as they are."""
    sums = [
        uow.portfolio.sums(family, rules.COLUMNS[family], window_, policy, scope, filters)
        for family in families
    ]
    return rules.with_vacancy_loss(rules.merge(*sums))


def cells_of(
    window_: Window,
    policy: rules.Policy,
    scope: Scope,
    filters: Mapping[str, Any],
    uow: UnitOfWork,
    snapshots: Mapping[str, Cells],
    families: Sequence[rules.Family] = tuple(rules.Family),
) -> tuple[Cells, str]:
    """A month's cells: its snapshot as first reported when it is closed and has one, else live."""
    if window_.closed and window_.period in snapshots:
        return snapshots[window_.period], "snapshot"
    return live_cells(window_, policy, scope, filters, uow, families), "live"


class _Grouping:
    """How cells fall into the groups of one grouping, and the groups' labels."""

    def __init__(self, group_by: str, projects: list[dict[str, Any]]) -> None:
        self.group_by = group_by
        self.projects = {p["id"]: p for p in projects}

    def key(self, cell: rules.Cell) -> str | None:
        project_id, tier = cell
        project = self.projects.get(project_id)
        if project is None:
            return None
        if self.group_by == "customer_tier":
            return tier
        if self.group_by == "project":
            return str(project_id)
        field = {"region": "region_id", "city": "city", "category": "category"}[self.group_by]
        return str(project[field])

    def label(self, key: str) -> str:
        if self.group_by == "region":
            return next(str(p["region_name"]) for p in self.projects.values() if str(p["region_id"]) == key)
        if self.group_by == "project":
            return str(self.projects[int(key)]["name"])
        return key


def _in_scope(cells: Cells, projects: Mapping[int, Any]) -> Cells:
    return {cell: sums for cell, sums in cells.items() if cell[0] in projects}


def _kpi_json(values: Mapping[Kpi, KpiValue]) -> dict[str, dict[str, Any]]:
    return {
        kpi.value: {
            "value": v.value,
            "numerator": v.numerator,
            "denominator": v.denominator,
            "unit": v.unit.value,
        }
        for kpi, v in values.items()
    }


def _aging_json(sums: Mapping[str, Decimal]) -> dict[str, Any]:
    return {
        "buckets": rules.aging(sums),
        "overdue": sums.get("overdue", rules.ZERO),
        "open": sums.get("open", rules.ZERO),
    }


def refresh_running_month(uow: UnitOfWork, today: date, policy: rules.Policy, now: datetime) -> int:
    """The worker's refresh: the running month's sums of every project, kept for the dashboards to read."""
    current = window(month_of(today), today)
    cells = live_cells(current, policy, Scope(everything=True), {}, uow)
    uow.portfolio.replace_live_cells(current.period, current.as_of, policy.key, cells, now)
    uow.commit()
    return len(cells)


def _current_cells(
    current: Window,
    policy: rules.Policy,
    scope: Scope,
    filters: Mapping[str, Any],
    uow: UnitOfWork,
    now: datetime | None,
) -> tuple[Cells, datetime | None]:
    """The month shown: the worker's last refresh when recent (running month), else summed now."""
    if now is not None and not current.closed:
        found = uow.portfolio.live_cells(
            current.period, current.as_of, policy.key, now - REFRESHED_WITHIN, scope, filters
        )
        if found is not None:
            return found
    return live_cells(current, policy, scope, filters, uow), None


def dashboard(
    query: DashboardQuery,
    actor: Actor,
    uow: UnitOfWork,
    today: date,
    policy: rules.Policy,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The KPIs of a month for the reader's scope, per group, against the month before and a year before.

    With `now`, the running month comes from the worker's last refresh when it is at most ten minutes old
    (`computed_at` says when); without it, or when none is that recent, from the rows as they are.
    """
    scope = actor.require(P.PORTFOLIO_READ)
    current = window(query.period, today)
    previous = shifted(query.period, -1, today)
    year_ago = shifted(query.period, -12, today)
    trend = months_ending(query.period, TREND_MONTHS, today)
    projects = uow.portfolio.projects(scope, query.filters)
    grouping = _Grouping(query.group_by, projects)
    closed = sorted({w.period for w in [previous, year_ago, *trend] if w.closed})
    reported, restated = uow.portfolio.snapshot_versions(closed, scope, query.filters)

    summed, computed_at = _current_cells(current, policy, scope, query.filters, uow, now)
    cells = _in_scope(summed, grouping.projects)
    groups = rules.roll_up(cells, grouping.key)
    total = rules.total(cells.values())
    previous_cells, previous_source = cells_of(previous, policy, scope, query.filters, uow, reported)
    year_ago_cells, year_ago_source = cells_of(year_ago, policy, scope, query.filters, uow, reported)
    return {
        "period": current.period,
        "start": current.start,
        "end": current.end,
        "as_of": current.as_of,
        "currency": "CNY",
        "group_by": query.group_by,
        "computed_at": computed_at,
        "definitions": {"unavailable_as": policy.unavailable_as, "stale_after_days": policy.stale_after_days},
        "total": {"kpis": _kpi_json(rules.kpis(total)), "aging": _aging_json(total)},
        "previous": {
            "period": previous.period,
            "kpis": _kpi_json(rules.kpis(rules.total(previous_cells.values()))),
            "source": previous_source,
        },
        "year_ago": {
            "period": year_ago.period,
            "kpis": _kpi_json(rules.kpis(rules.total(year_ago_cells.values()))),
            "source": year_ago_source,
        },
        "groups": sorted(
            (
                {
                    "key": key,
                    "label": grouping.label(key),
                    "kpis": _kpi_json(rules.kpis(sums)),
                    "aging": _aging_json(sums),
                }
                for key, sums in groups.items()
                if key is not None
            ),
            key=lambda g: (g["label"], g["key"]),
        ),
        "trend": _trend(trend, current, cells, policy, scope, query.filters, uow, reported),
        "expiries_by_month": _expiries_by_month(current.as_of, scope, query.filters, uow),
        "restatements": _restatements(closed, reported, restated),
    }


def _trend(
    windows: list[Window],
    current: Window,
    current_cells: Cells,
    policy: rules.Policy,
    scope: Scope,
    filters: Mapping[str, Any],
    uow: UnitOfWork,
    reported: Mapping[str, Cells],
) -> list[dict[str, Any]]:
    points = []
    for month in windows:
        cells = (
            current_cells
            if month.period == current.period
            else cells_of(month, policy, scope, filters, uow, reported, TREND_FAMILIES)[0]
        )
        values = rules.kpis(rules.total(cells.values()))
        points.append(
            {
                "period": month.period,
                "occupancy_units": values[Kpi.OCCUPANCY_UNITS].value,
                "occupancy_area": values[Kpi.OCCUPANCY_AREA].value,
                "collection_rate": values[Kpi.COLLECTION_RATE].value,
            }
        )
    return points


def _expiries_by_month(
    as_of: date, scope: Scope, filters: Mapping[str, Any], uow: UnitOfWork
) -> list[dict[str, Any]]:
    first = as_of.replace(day=1)
    last = first + relativedelta(months=EXPIRY_MONTHS) - timedelta(days=1)
    months = {
        month_of(first + relativedelta(months=i)): {"count": 0, "units": 0} for i in range(EXPIRY_MONTHS)
    }
    for _lease_id, ends_on, units in uow.portfolio.expiries_by_month(first, last, scope, filters):
        entry = months[month_of(ends_on)]
        entry["count"] += 1
        entry["units"] += units
    return [{"month": month, **counts} for month, counts in months.items()]


def _restatements(
    periods: list[str], reported: Mapping[str, Cells], restated: Mapping[str, Cells]
) -> list[dict[str, Any]]:
    changes = []
    for period in periods:
        before_cells, after_cells = reported.get(period), restated.get(period)
        if before_cells is None or after_cells is None or before_cells == after_cells:
            continue
        before = rules.kpis(rules.total(before_cells.values()))
        after = rules.kpis(rules.total(after_cells.values()))
        for kpi in Kpi:
            if before[kpi].value != after[kpi].value:
                changes.append(
                    {
                        "period": period,
                        "kpi": kpi.value,
                        "reported": before[kpi].value,
                        "restated": after[kpi].value,
                    }
                )
    return changes


# --- drill-down ------------------------------------------------------------------------------------------


def _group_filters(query: DashboardQuery, group_key: str | None) -> tuple[dict[str, Any], str | None]:
    """The filters and tier narrowing the rows to one group of the table."""
    filters = dict(query.filters)
    if group_key is None:
        return filters, None
    if query.group_by == "customer_tier":
        return filters, group_key
    name = {"region": "region_id", "city": "city", "project": "project_id", "category": "category"}[
        query.group_by
    ]
    if name.endswith("_id"):
        try:
            filters[name] = int(group_key)
        except ValueError:
            raise ValidationFailed({"group_key": [N_("Give the id of a row of the table.")]}) from None
    else:
        filters[name] = group_key
    return filters, None


def drilldown(
    kpi_key: str,
    query: DashboardQuery,
    group_key: str | None,
    bucket: str | None,
    actor: Actor,
    uow: UnitOfWork,
    today: date,
    policy: rules.Policy,
) -> list[dict[str, Any]]:
    """The rows a tile or a table cell sums, each with what it adds above and below the KPI's line."""
    scope = actor.require(P.PORTFOLIO_READ)
    kpi = rules.kpi_named(kpi_key)
    current = window(query.period, today)
    filters, tier = _group_filters(query, group_key)
    columns = list(rules.columns_of(kpi))
    if bucket is not None:
        by_bucket = {b: c for c, b in rules.AGING_BUCKETS.items()}
        if kpi != rules.AGING or bucket not in by_bucket:
            raise ValidationFailed(
                {"bucket": [N_("A bucket narrows the aging drill-down: 1-15, 16-30, 31-60, 61-90 or 90+.")]}
            )
        columns = [by_bucket[bucket]]
    names = {p["id"]: p["name"] for p in uow.portfolio.projects(scope, filters)}
    loss_rates: dict[int, rules.ProjectRates] = {}
    if rules.VACANCY_LOSS in columns:
        loss_rates = rules.rates(live_cells(current, policy, scope, filters, uow))
    found: list[dict[str, Any]] = []
    for family in rules.families_of(kpi):
        wanted = [c for c in columns if rules.FAMILY_OF.get(c, rules.Family.ASSET) is family]
        if rules.VACANCY_LOSS in wanted:
            wanted = [c for c in wanted if c != rules.VACANCY_LOSS] + [
                "vacant_area",
                "vacant_equipment_units",
            ]
        for row in uow.portfolio.rows(family, wanted, current, policy, scope, filters, tier):
            if rules.VACANCY_LOSS in columns and family is rules.Family.ASSET:
                rates = loss_rates.get(row["project_id"], rules.ProjectRates(None, None))
                row[rules.VACANCY_LOSS] = rates.loss(
                    Decimal(str(row["vacant_area"])), Decimal(str(row["vacant_equipment_units"]))
                )
            numerator, denominator = (
                rules.contribution(kpi, row) if bucket is None else (Decimal(str(row[columns[0]])), None)
            )
            found.append(_row_json(row, names, numerator, denominator))
            if len(found) > DRILLDOWN_LIMIT:
                raise ValidationFailed(
                    {"kpi": [N_("More than 50,000 rows: narrow the drill-down to a group or a project.")]}
                )
    return found


_ROW_FIELDS = {
    rules.Family.ASSET: ("lettable_area", "last_confirmed_at", "days_unconfirmed"),
    rules.Family.CHARGE: ("due_date", "amount", "open", "overdue"),
    rules.Family.LEASE: ("ends_on", "units"),
}


def _row_json(
    row: Mapping[str, Any], names: Mapping[int, str], numerator: Decimal, denominator: Decimal | None
) -> dict[str, Any]:
    family = rules.Family(row["kind"])
    extra = {name: row.get(name) for name in _ROW_FIELDS[family]}
    return {
        "kind": family.value,
        "id": row["id"],
        "code": row["code"],
        "project_id": row["project_id"],
        "project_name": names.get(row["project_id"]),
        "customer_tier": row["tier"],
        "customer_name": row.get("customer_name"),
        "lease_id": row.get("lease_id"),
        "lease_number": row.get("lease_number"),
        "status": row.get("status"),
        **extra,
        "numerator": numerator,
        "denominator": denominator,
    }


# --- expected vacancies ----------------------------------------------------------------------------------

WINDOWS = (30, 60, 90)
ASSUMPTIONS = (
    N_(
        "A lease in force that ends within the window and has no signed renewal leaves its units vacant "
        "on its last day."
    ),
    N_("A termination with a date counts from that date, not from the lease's original end."),
    N_("A lease that renews automatically is expected to stay unless a termination has been recorded."),
    N_("Units vacant today are not counted: the figures are the vacancies still to come."),
    N_(
        "Renewal recommendations are not used yet: every lease without a signed renewal is expected to leave."
    ),
)


def expected_vacancies(
    filters: Mapping[str, Any], actor: Actor, uow: UnitOfWork, today: date
) -> dict[str, Any]:
    """Per project, the units expected to fall vacant within 30, 60 and 90 days, with the assumptions."""
    scope = actor.require(P.PORTFOLIO_READ)
    projects = uow.portfolio.projects(scope, filters)
    by_project: dict[int, dict[str, Any]] = {
        p["id"]: {
            "project_id": p["id"],
            "project_name": p["name"],
            "region_name": p["region_name"],
            **{f"within_{d}": {"units": 0, "area_m2": Decimal(0), "leases": []} for d in WINDOWS},
        }
        for p in projects
    }
    for lease in uow.portfolio.vacating(today, today + timedelta(days=max(WINDOWS)), scope, filters):
        entry = by_project.get(lease["project_id"])
        if entry is None:
            continue
        for days in WINDOWS:
            if lease["ends"] <= today + timedelta(days=days):
                bucket = entry[f"within_{days}"]
                bucket["units"] += int(lease["units"])
                bucket["area_m2"] += Decimal(str(lease["area"]))
                bucket["leases"].append(
                    {
                        "id": lease["id"],
                        "number": lease["number"],
                        "ends_on": lease["ends"],
                        "terminated": lease["closed_on"] is not None,
                    }
                )
    return {"as_of": today, "assumptions": list(ASSUMPTIONS), "projects": list(by_project.values())}
