"""Leases: list, draft, read, change, delete; lifecycle actions; schedules; amendments."""

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint

from backend.adapters import spreadsheets
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, now, uow, whole_list_query
from backend.api.leases.schemas import (
    AmendmentEffectSchema,
    AmendmentPreviewSchema,
    AmendmentSchema,
    ChargeLineSchema,
    LeaseExportQueryArgsSchema,
    LeaseQueryArgsSchema,
    LeaseSchema,
    RenewalSchema,
    ScheduleSchema,
    TerminationSchema,
)
from backend.leasing.domain.lease_export import COLUMNS, STATUS_LABELS
from backend.leasing.services import amendments, holiday_calendars, lease_export, leases, schedules

blp = Blueprint(
    "leases",
    __name__,
    url_prefix="/api/leases",
    description="Leases: drafting, signing and the rest of their life; rent schedules; amendments.",
)


@blp.route("")
class LeaseViews(MethodView):
    """The lease collection."""

    @blp.arguments(LeaseQueryArgsSchema, location="query")
    @blp.response(200, LeaseSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the leases of projects you can see"""
        items, pagination_parameters.item_count = leases.list_leases(
            list_query(args, pagination_parameters), actor(), uow(), now()
        )
        return items

    @blp.arguments(LeaseSchema)
    @blp.response(201, LeaseSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Draft a lease; missing terms come from its template"""
        return leases.create_lease(values, actor(), uow())


BINARY = {"type": "string", "format": "binary"}
EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
# The head office's day names the file.
HEAD_OFFICE_ZONE = ZoneInfo("Asia/Shanghai")
RENT_COLUMN = COLUMNS.index("Monthly rent")


def _export_table(rows: Sequence[lease_export.ExportRow]) -> list[list[object]]:
    """The header in the caller's language, then one line per lease."""
    table: list[list[object]] = [[gettext(name) for name in COLUMNS]]
    for row in rows:
        table.append(
            [
                row.number,
                row.customer,
                row.project,
                ", ".join(row.asset_codes),
                row.template,
                gettext(STATUS_LABELS[row.status]),
                row.starts_on,
                row.ends_on,
                row.monthly_rent,
                row.currency,
                row.account_manager,
            ]
        )
    return table


@blp.route("/export")
class LeaseExportViews(MethodView):
    """The lease list as a file."""

    @blp.arguments(LeaseExportQueryArgsSchema, location="query")
    @blp.response(
        200,
        BINARY,
        content_type=EXPORT_TYPES["xlsx"],
        description="The leases, one row each, under a header in your language.",
    )
    @blp.doc(responses={"200": {"content": {media: {"schema": BINARY} for media in EXPORT_TYPES.values()}}})
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any]) -> Response:
        """Download the leases of the list's filters and sort as an Excel workbook or a CSV file

        Every matching lease you can see, without pages, up to 50,000 (a wider filter is refused). The
        monthly rent adds up the rent lines in force today (in each project's time zone), in CNY.
        """
        file_format = args.pop("format")
        at = now()
        rows = lease_export.export_leases(whole_list_query(args), actor(), uow(), at)
        table = _export_table(rows)
        if file_format == "csv":
            body = spreadsheets.write_csv(table)
        else:
            body = spreadsheets.write_xlsx(table, gettext("Leases"), {RENT_COLUMN: "#,##0.00"})
        filename = f"leases-{at.astimezone(HEAD_OFFICE_ZONE):%Y%m%d}.{file_format}"
        return Response(
            body,
            mimetype=EXPORT_TYPES[file_format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


@blp.route("/<id:lease_id>")
class LeaseByIdViews(MethodView):
    """One lease."""

    @blp.response(200, LeaseSchema)
    @errors(blp, *READ_ONE)
    def get(self, lease_id: int) -> Any:
        """Read a lease"""
        return leases.get_lease(lease_id, actor(), uow())

    @blp.arguments(patch_body(LeaseSchema))
    @blp.response(200, LeaseSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], lease_id: int) -> Any:
        """Change a draft lease"""
        return leases.update_lease(lease_id, changes, actor(), uow())

    @blp.response(204)
    @errors(blp, 401, 403, 404, 409)
    def delete(self, lease_id: int) -> None:
        """Delete a draft lease entered by mistake"""
        leases.delete_lease(lease_id, actor(), uow())


@blp.route("/<id:lease_id>/sign")
class LeaseSignViews(MethodView):
    """Signing: required fields, free assets, schedule generated."""

    @blp.response(200, LeaseSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, lease_id: int) -> Any:
        """Sign a draft lease and generate its rent schedule"""
        return leases.sign_lease(lease_id, actor(), uow(), now())


@blp.route("/<id:lease_id>/activate")
class LeaseActivateViews(MethodView):
    """Start of the term."""

    @blp.response(200, LeaseSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, lease_id: int) -> Any:
        """Mark a signed lease active once its term has begun"""
        return leases.activate_lease(lease_id, actor(), uow(), now())


@blp.route("/<id:lease_id>/flag-expiring")
class LeaseExpiringViews(MethodView):
    """The notice window."""

    @blp.response(200, LeaseSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, lease_id: int) -> Any:
        """Flag an active lease as expiring"""
        return leases.flag_expiring(lease_id, actor(), uow(), now())


@blp.route("/<id:lease_id>/end")
class LeaseEndViews(MethodView):
    """End of the term."""

    @blp.response(200, LeaseSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, lease_id: int) -> Any:
        """Close a lease whose term is over"""
        return leases.end_lease(lease_id, actor(), uow(), now())


@blp.route("/<id:lease_id>/terminate")
class LeaseTerminateViews(MethodView):
    """Early termination."""

    @blp.arguments(TerminationSchema)
    @blp.response(200, LeaseSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], lease_id: int) -> Any:
        """Terminate a lease early; later unbilled periods are dropped"""
        return leases.terminate_lease(lease_id, values["on"], values["reason"], actor(), uow(), now())


@blp.route("/<id:lease_id>/renew")
class LeaseRenewViews(MethodView):
    """Renewal: a successor draft."""

    @blp.arguments(RenewalSchema)
    @blp.response(201, LeaseSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], lease_id: int) -> Any:
        """Draft the renewal of an active or expiring lease"""
        return leases.renew_lease(lease_id, values, actor(), uow())


@blp.route("/<id:lease_id>/charge-lines")
class ChargeLineViews(MethodView):
    """Every version of every charge line, including those an amendment replaced."""

    @blp.response(200, ChargeLineSchema(many=True))
    @errors(blp, *READ_ONE)
    def get(self, lease_id: int) -> Any:
        """List the history of a lease's charge lines"""
        return leases.charge_line_history(lease_id, actor(), uow())


@blp.route("/<id:lease_id>/schedule")
class LeaseScheduleViews(MethodView):
    """The materialised schedule."""

    @blp.response(200, ScheduleSchema)
    @errors(blp, *READ_ONE)
    def get(self, lease_id: int) -> Any:
        """Read a lease's rent schedule"""
        return schedules.list_items(lease_id, actor(), uow())


@blp.route("/<id:lease_id>/schedule/preview")
class LeaseSchedulePreviewViews(MethodView):
    """What the current terms produce, not written."""

    @blp.response(200, ScheduleSchema)
    @errors(blp, 401, 403, 404, 422)
    def get(self, lease_id: int) -> Any:
        """Preview the full-term schedule of a lease without saving it"""
        return holiday_calendars.preview(lease_id, actor(), uow())


@blp.route("/<id:lease_id>/schedule/regenerate")
class LeaseScheduleRegenerateViews(MethodView):
    """Regeneration; billed periods stay as they are."""

    @blp.response(200, ScheduleSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, lease_id: int) -> Any:
        """Regenerate the unbilled part of a signed lease's schedule"""
        schedules.regenerate(lease_id, actor(), uow(), now())
        return schedules.list_items(lease_id, actor(), uow())


@blp.route("/<id:lease_id>/amendments")
class AmendmentViews(MethodView):
    """A lease's amendments."""

    @blp.response(200, AmendmentSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ_ONE)
    def get(self, lease_id: int, pagination_parameters: Any) -> Any:
        """List the amendments of a lease"""
        items, pagination_parameters.item_count = amendments.list_amendments(
            lease_id, list_query({}, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(AmendmentSchema)
    @blp.response(201, AmendmentSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], lease_id: int) -> Any:
        """Amend a signed lease; major changes wait for a second person's approval"""
        return amendments.request_amendment(lease_id, values, actor(), uow(), now())


@blp.route("/<id:lease_id>/amendments/preview")
class AmendmentPreviewViews(MethodView):
    """An amendment tried before it is sent."""

    @blp.arguments(AmendmentPreviewSchema)
    @blp.response(200, AmendmentEffectSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], lease_id: int) -> Any:
        """Preview an amendment: its kinds, whether it needs approval, its effect period by period"""
        return amendments.preview_amendment(lease_id, values, actor(), uow(), now())


@blp.route("/<id:lease_id>/amendments/<id:amendment_id>")
class AmendmentByIdViews(MethodView):
    """One amendment."""

    @blp.response(200, AmendmentSchema)
    @errors(blp, *READ_ONE)
    def get(self, lease_id: int, amendment_id: int) -> Any:
        """Read an amendment"""
        return amendments.get_amendment(lease_id, amendment_id, actor(), uow())
