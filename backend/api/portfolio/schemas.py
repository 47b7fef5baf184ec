"""Portfolio payloads: the dashboard, its drill-down rows, expected vacancies, report runs."""

from marshmallow import Schema, fields, validate

from backend.analytics.domain.kpi import Kpi
from backend.analytics.domain.sums import AGING, AGING_BUCKETS
from backend.analytics.services.portfolio import GROUPINGS
from backend.api.common import ident, text
from backend.org.domain.org import ProjectCategory

PERIOD = {"description": "A calendar month, YYYY-MM (default: the current month, Asia/Shanghai)."}


def figure(*, description: str | None = None, allow_none: bool = False) -> fields.Decimal:
    """A sum or figure as a decimal string (never a float)."""
    metadata = {"type": "string", "format": "decimal"} | ({"description": description} if description else {})
    return fields.Decimal(as_string=True, allow_none=allow_none, metadata=metadata)


class PortfolioFiltersSchema(Schema):
    """Which projects the figures cover (always within your scope)."""

    region_id = ident(in_query=True)
    project_id = ident(in_query=True)
    city = text(100)
    category = fields.Enum(ProjectCategory, by_value=True)


class DashboardQueryArgsSchema(PortfolioFiltersSchema):
    """The month, the grouping and the filters of a dashboard."""

    period = fields.String(metadata=PERIOD)
    group_by = fields.String(
        load_default="project",
        validate=validate.OneOf(GROUPINGS),
        metadata={"description": "Rows of the table."},
    )


class KpiValueSchema(Schema):
    """One KPI: its figure and the two sums it is made of (a total has no denominator)."""

    value = figure(allow_none=True, description="null when the denominator is zero.")
    numerator = figure()
    denominator = figure(allow_none=True)
    unit = fields.String(metadata={"description": "ratio (0..1), money (CNY), days or count."})


def _kpis() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf([k.value for k in Kpi])),
        values=fields.Nested(KpiValueSchema),
        metadata={"description": "Every KPI by its key (docs/kpi-definitions.md)."},
    )


class AgingSummarySchema(Schema):
    """Open amounts by days past due on the day measured."""

    buckets = fields.Dict(
        keys=fields.String(),
        values=figure(),
        metadata={"description": "current, 1-15, 16-30, 31-60, 61-90, 90+."},
    )
    overdue = figure()
    open = figure()


class KpiSetSchema(Schema):
    """The KPIs and aging of the whole scope."""

    kpis = _kpis()
    aging = fields.Nested(AgingSummarySchema)


class ComparedSchema(Schema):
    """The KPIs of a month compared with, and where they were read from."""

    period = fields.String()
    kpis = _kpis()
    source = fields.String(metadata={"description": "snapshot (as reported then) or live."})


class GroupSchema(Schema):
    """One row of the portfolio table."""

    key = fields.String(metadata={"description": "The id (region, project) or code (city, category, tier)."})
    label = fields.String()
    kpis = _kpis()
    aging = fields.Nested(AgingSummarySchema)


class TrendPointSchema(Schema):
    """One month of the trend."""

    period = fields.String()
    occupancy_units = figure(allow_none=True)
    occupancy_area = figure(allow_none=True)
    collection_rate = figure(allow_none=True)


class ExpiryMonthSchema(Schema):
    """Leases ending in one month."""

    month = fields.String()
    count = fields.Integer()
    units = fields.Integer()


class RestatementSchema(Schema):
    """A month's KPI as first reported and as corrected since."""

    period = fields.String()
    kpi = fields.String()
    reported = figure(allow_none=True)
    restated = figure(allow_none=True)


class DefinitionsSchema(Schema):
    """The stated choices the figures follow."""

    unavailable_as = fields.String(
        metadata={"description": "Units in maintenance or renovation: vacant or excluded."}
    )
    stale_after_days = fields.Integer()


class DashboardSchema(Schema):
    """A month's KPIs for your scope, per group, compared with the month before and a year before."""

    period = fields.String()
    start = fields.Date()
    end = fields.Date()
    as_of = fields.Date(metadata={"description": "The day point-in-time KPIs are measured on."})
    currency = fields.String()
    group_by = fields.String()
    computed_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "When the worker summed the month shown; null: summed for this answer."},
    )
    definitions = fields.Nested(DefinitionsSchema)
    total = fields.Nested(KpiSetSchema)
    previous = fields.Nested(ComparedSchema)
    year_ago = fields.Nested(ComparedSchema)
    groups = fields.List(fields.Nested(GroupSchema))
    trend = fields.List(fields.Nested(TrendPointSchema))
    expiries_by_month = fields.List(fields.Nested(ExpiryMonthSchema))
    restatements = fields.List(fields.Nested(RestatementSchema))


class DrilldownQueryArgsSchema(DashboardQueryArgsSchema):
    """Which figure to open: a KPI, for the whole scope or one row of the table."""

    kpi = fields.String(
        required=True,
        validate=validate.OneOf([*(k.value for k in Kpi), AGING]),
        metadata={"description": "A KPI key, or aging."},
    )
    group_key = text(200, metadata={"description": "The key of the table row (with group_by)."})
    bucket = fields.String(
        validate=validate.OneOf(list(AGING_BUCKETS.values())), metadata={"description": "With kpi=aging."}
    )


class DrilldownExportQueryArgsSchema(DrilldownQueryArgsSchema):
    """A drill-down as a file."""

    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


class DrilldownRowSchema(Schema):
    """One row behind a figure, with what it adds above and below the KPI's line."""

    kind = fields.String(metadata={"description": "asset, charge or lease."})
    id = fields.Integer()
    code = fields.String(metadata={"description": "Asset code, bill number or lease number."})
    project_id = fields.Integer()
    project_name = fields.String(allow_none=True)
    customer_tier = fields.String()
    customer_name = fields.String(allow_none=True)
    lease_id = fields.Integer(allow_none=True)
    lease_number = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    lettable_area = figure(allow_none=True)
    last_confirmed_at = fields.AwareDateTime(allow_none=True)
    days_unconfirmed = fields.Integer(allow_none=True)
    due_date = fields.Date(allow_none=True)
    amount = figure(allow_none=True)
    open = figure(allow_none=True)
    overdue = figure(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    units = fields.Integer(allow_none=True)
    numerator = figure()
    denominator = figure(allow_none=True)


class VacatingLeaseSchema(Schema):
    """A lease expected to leave its units."""

    id = fields.Integer()
    number = fields.String()
    ends_on = fields.Date()
    terminated = fields.Boolean(metadata={"description": "Ends early by a recorded termination."})


class VacancyWindowSchema(Schema):
    """What falls vacant within a number of days."""

    units = fields.Integer()
    area_m2 = figure()
    leases = fields.List(fields.Nested(VacatingLeaseSchema))


class ProjectVacanciesSchema(Schema):
    """One project's expected vacancies."""

    project_id = fields.Integer()
    project_name = fields.String()
    region_name = fields.String()
    within_30 = fields.Nested(VacancyWindowSchema)
    within_60 = fields.Nested(VacancyWindowSchema)
    within_90 = fields.Nested(VacancyWindowSchema)


class ExpectedVacanciesSchema(Schema):
    """Units expected to fall vacant in the next 30, 60 and 90 days, with the assumptions behind them."""

    as_of = fields.Date()
    assumptions = fields.List(fields.String())
    projects = fields.List(fields.Nested(ProjectVacanciesSchema))


class ReportRequestSchema(Schema):
    """Which month's report to generate."""

    period = fields.String(required=True, metadata=PERIOD)


class ReportRunSchema(Schema):
    """A monthly portfolio report of your scope: where its generation stands, and its files once done."""

    id = fields.Integer()
    period = fields.String()
    state = fields.String(metadata={"description": "queued, running, done or failed."})
    locale = fields.String()
    done = fields.Integer(metadata={"description": "Regions done."})
    total = fields.Integer(metadata={"description": "Regions in the report (0 until it starts)."})
    error = fields.String(allow_none=True)
    emailed = fields.Boolean(
        metadata={"description": "Queued by the monthly run; you are notified when done."}
    )
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    files = fields.Method("_files", metadata={"description": "Download paths of the workbook and the PDF."})

    def _files(self, run: object) -> dict[str, str]:
        if getattr(run, "state", None) != "done":
            return {}
        identity = getattr(run, "id", 0)
        return {f: f"/api/portfolio/reports/{identity}/file?format={f}" for f in ("xlsx", "pdf")}


class ReportFileQueryArgsSchema(Schema):
    """Which file of a report."""

    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "pdf"]))
