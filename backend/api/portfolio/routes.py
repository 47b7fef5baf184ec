"""The portfolio: KPIs per region, city, project, category or customer tier; the rows behind each figure."""

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint

from backend.adapters import spreadsheets
from backend.analytics.domain.periods import month_of
from backend.analytics.domain.sums import Policy
from backend.analytics.services import portfolio, reports
from backend.api.common import READ, READ_ONE, WRITE, errors, paginate
from backend.api.context import actor, now, uow
from backend.api.portfolio.schemas import (
    DashboardQueryArgsSchema,
    DashboardSchema,
    DrilldownExportQueryArgsSchema,
    DrilldownQueryArgsSchema,
    DrilldownRowSchema,
    ExpectedVacanciesSchema,
    PortfolioFiltersSchema,
    ReportFileQueryArgsSchema,
    ReportRequestSchema,
    ReportRunSchema,
)
from backend.core.domain.errors import N_

blp = Blueprint(
    "portfolio",
    __name__,
    url_prefix="/api/portfolio",
    description="Portfolio KPIs under one set of definitions (docs/kpi-definitions.md), scoped to you.",
)
BINARY = {"type": "string", "format": "binary"}
EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
FILTERS = ("region_id", "project_id", "city", "category")


def today() -> date:
    """The head office's business day, which names the running month."""
    return now().astimezone(ZoneInfo(current_app.config["PORTFOLIO_TIMEZONE"])).date()


def policy() -> Policy:
    """The installation's stated choices for the definitions (checked when the application starts)."""
    return reports.tools().policy


def dashboard_query(args: dict[str, Any]) -> portfolio.DashboardQuery:
    """The query of a dashboard or drill-down request."""
    filters = {name: args[name] for name in FILTERS if args.get(name) is not None}
    if "category" in filters:
        filters["category"] = filters["category"].value
    return portfolio.DashboardQuery(args.get("period") or month_of(today()), args["group_by"], filters)


@blp.route("/dashboard")
class DashboardViews(MethodView):
    """The portfolio dashboard."""

    @blp.arguments(DashboardQueryArgsSchema, location="query")
    @blp.response(200, DashboardSchema)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """A month's KPIs for your scope, per group, against the month before and the same month a year ago

        Point-in-time KPIs (occupancy, open and overdue amounts, expiries) are measured on the month's last
        day, or today while it runs; flow KPIs (billed, collected, renewals) over the month. Closed months
        compared with come from the monthly snapshot as first reported; corrections show in `restatements`.
        The running month comes from the worker's refresh every five minutes when it is recent
        (`computed_at`), and is summed on the spot otherwise; a drill-down always lists the rows as they are.
        """
        return portfolio.dashboard(dashboard_query(args), actor(), uow(), today(), policy(), now())


def _drilldown(args: dict[str, Any]) -> list[dict[str, Any]]:
    return portfolio.drilldown(
        args["kpi"],
        dashboard_query(args),
        args.get("group_key"),
        args.get("bucket"),
        actor(),
        uow(),
        today(),
        policy(),
    )


@blp.route("/drilldown")
class DrilldownViews(MethodView):
    """The rows behind a figure."""

    @blp.arguments(DrilldownQueryArgsSchema, location="query")
    @blp.response(200, DrilldownRowSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the rows a tile or a table cell sums, each with what it adds above and below the line

        The numerators and denominators of all rows add up to the figure's (its numerator and
        denominator in the dashboard). Rows are as they stand now.
        """
        rows = _drilldown(args)
        pagination_parameters.item_count = len(rows)
        first = (pagination_parameters.page - 1) * pagination_parameters.page_size
        return rows[first : first + pagination_parameters.page_size]


COLUMNS = (
    N_("Kind"),
    N_("Code"),
    N_("Project"),
    N_("Customer"),
    N_("Lease"),
    N_("Status"),
    N_("Area (m²)"),
    N_("Due date"),
    N_("Amount"),
    N_("Open"),
    N_("Ends on"),
    N_("Numerator"),
    N_("Denominator"),
)


def _table(rows: Sequence[dict[str, Any]]) -> list[list[object]]:
    table: list[list[object]] = [[gettext(name) for name in COLUMNS]]
    for row in rows:
        table.append(
            [
                row["kind"],
                row["code"],
                row["project_name"],
                row["customer_name"],
                row["lease_number"],
                row["status"],
                row.get("lettable_area"),
                row.get("due_date"),
                row.get("amount"),
                row.get("open"),
                row.get("ends_on"),
                row["numerator"],
                row["denominator"],
            ]
        )
    return table


@blp.route("/drilldown/export")
class DrilldownExportViews(MethodView):
    """The rows behind a figure as a file."""

    @blp.arguments(DrilldownExportQueryArgsSchema, location="query")
    @blp.response(
        200,
        BINARY,
        content_type=EXPORT_TYPES["xlsx"],
        description="Every row, under a header in your language.",
    )
    @blp.doc(responses={"200": {"content": {media: {"schema": BINARY} for media in EXPORT_TYPES.values()}}})
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any]) -> Response:
        """Download the rows behind a figure as an Excel workbook or a CSV file"""
        file_format = args.pop("format")
        table = _table(_drilldown(args))
        if file_format == "csv":
            body = spreadsheets.write_csv(table)
        else:
            money = dict.fromkeys((8, 9, 11, 12), "#,##0.00")
            body = spreadsheets.write_xlsx(table, gettext(N_("Drill-down")), money)
        filename = f"portfolio-{args['kpi']}-{args.get('period') or month_of(today())}.{file_format}"
        return Response(
            body,
            mimetype=EXPORT_TYPES[file_format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


@blp.route("/expected-vacancies")
class ExpectedVacanciesViews(MethodView):
    """Units expected to fall vacant."""

    @blp.arguments(PortfolioFiltersSchema, location="query")
    @blp.response(200, ExpectedVacanciesSchema)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Per project, the units expected to fall vacant within 30, 60 and 90 days, and the assumptions"""
        filters = {name: args[name] for name in FILTERS if args.get(name) is not None}
        if "category" in filters:
            filters["category"] = filters["category"].value
        found = portfolio.expected_vacancies(filters, actor(), uow(), today())
        return found | {"assumptions": [gettext(text) for text in found["assumptions"]]}


@blp.route("/reports")
class ReportViews(MethodView):
    """Your monthly portfolio reports."""

    @blp.response(200, ReportRunSchema(many=True))
    @errors(blp, *READ)
    def get(self) -> Any:
        """List your portfolio reports, newest first (the last 50)"""
        return reports.list_reports(actor(), uow())

    @blp.arguments(ReportRequestSchema)
    @blp.response(202, ReportRunSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Generate the monthly portfolio report of a month for your scope, in your language

        The worker makes it at once: follow its state and progress on the report; you are also notified
        when it is ready.
        """
        return reports.request_report(values["period"], actor(), uow(), today(), now())


@blp.route("/reports/<id:report_id>")
class ReportByIdViews(MethodView):
    """One of your portfolio reports."""

    @blp.response(200, ReportRunSchema)
    @errors(blp, *READ_ONE)
    def get(self, report_id: int) -> Any:
        """Read a report's state and progress"""
        return reports.get_report(report_id, actor(), uow())


REPORT_TYPES = {"xlsx": EXPORT_TYPES["xlsx"], "pdf": "application/pdf"}


@blp.route("/reports/<id:report_id>/file")
class ReportFileViews(MethodView):
    """A finished report's file."""

    @blp.arguments(ReportFileQueryArgsSchema, location="query")
    @blp.response(200, BINARY, content_type=REPORT_TYPES["xlsx"], description="The workbook or the PDF.")
    @blp.doc(responses={"200": {"content": {media: {"schema": BINARY} for media in REPORT_TYPES.values()}}})
    @errors(blp, *READ_ONE, 409, 422)
    def get(self, args: dict[str, Any], report_id: int) -> Response:
        """Download a finished report as an Excel workbook (one sheet per region) or a PDF with charts"""
        body, filename = reports.report_file(report_id, args["format"], actor(), uow())
        return Response(
            body,
            mimetype=REPORT_TYPES[args["format"]],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
