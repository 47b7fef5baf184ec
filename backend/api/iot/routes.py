"""IoT: gateways and devices, the gateways' ingest, readings taken by hand, an asset's signals, flags,
viewings, and the consistency audit."""

from typing import Any

from flask import Response, g, jsonify, url_for
from flask.views import MethodView
from flask_babel import gettext

from backend.adapters import spreadsheets
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, UploadBlueprint, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.iot.schemas import (
    AuditReportQueryArgsSchema,
    AuditResolveSchema,
    AuditRunSchema,
    AuditTaskQueryArgsSchema,
    AuditViewSchema,
    BatchResultSchema,
    BatchSchema,
    FindingQueryArgsSchema,
    FindingSchema,
    FlagDismissSchema,
    FlagQueryArgsSchema,
    FlagSchema,
    GatewayQueryArgsSchema,
    GatewaySchema,
    GatewayTokenSchema,
    IotDeviceChangeSchema,
    IotDeviceQueryArgsSchema,
    IotDeviceSchema,
    ReadingImportFormSchema,
    SignalsQueryArgsSchema,
    SignalsSchema,
    ViewingQueryArgsSchema,
    ViewingSchema,
)
from backend.core.domain.errors import N_, AuthenticationRequired
from backend.iot.services import audit, flags, gateways, ingest, signals

blp = UploadBlueprint(
    "iot",
    __name__,
    url_prefix="/api/iot",
    description="IoT signals (meters, door sensors) from gateways, the flags they raise, and the asset "
    "consistency audit.",
)
BINARY = {"type": "string", "format": "binary"}


@blp.route("/gateways")
class GatewayListViews(MethodView):
    """Gateways."""

    @blp.arguments(GatewayQueryArgsSchema, location="query")
    @blp.response(200, GatewaySchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the gateways of the projects you read"""
        items, pagination_parameters.item_count = gateways.list_gateways(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(GatewaySchema)
    @blp.response(201, GatewayTokenSchema)
    @errors(blp, *WRITE, 404)
    def post(self, body: dict[str, Any]) -> Any:
        """Register a gateway of a project (asset:write); its token is shown in this answer only"""
        gateway, token = gateways.create_gateway(body, actor(), uow(), now())
        return {"gateway": gateway, "token": token}


@blp.route("/gateways/<id:gateway_id>/rotate")
class GatewayRotateViews(MethodView):
    """A gateway's new token."""

    @blp.response(200, GatewayTokenSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, gateway_id: int) -> Any:
        """Give a gateway a new token: the old one stops working at once (a revoked gateway comes back)"""
        gateway, token = gateways.rotate_gateway(gateway_id, actor(), uow(), now())
        return {"gateway": gateway, "token": token}


@blp.route("/gateways/<id:gateway_id>/revoke")
class GatewayRevokeViews(MethodView):
    """Switching a gateway's token off."""

    @blp.response(200, GatewaySchema)
    @errors(blp, *WRITE_ONE)
    def post(self, gateway_id: int) -> Any:
        """Revoke a gateway's token (what it sent before stays)"""
        return gateways.revoke_gateway(gateway_id, actor(), uow(), now())


@blp.route("/devices")
class DeviceListViews(MethodView):
    """Meters and door sensors."""

    @blp.arguments(IotDeviceQueryArgsSchema, location="query")
    @blp.response(200, IotDeviceSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the devices of the projects you read"""
        items, pagination_parameters.item_count = gateways.list_devices(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(IotDeviceSchema)
    @blp.response(201, IotDeviceSchema)
    @errors(blp, *WRITE, 404)
    def post(self, body: dict[str, Any]) -> Any:
        """Register a meter (its kind, cumulative or interval) or a door sensor, on a gateway, for an asset"""
        return gateways.create_device(body, actor(), uow(), now())


@blp.route("/devices/<id:device_id>")
class DeviceViews(MethodView):
    """One device."""

    @blp.arguments(IotDeviceChangeSchema)
    @blp.response(200, IotDeviceSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, body: dict[str, Any], device_id: int) -> Any:
        """Link a device to another asset (or none), or switch it off and on"""
        return gateways.update_device(device_id, body, actor(), uow())


@blp.route("/ingest")
class IngestViews(MethodView):
    """A gateway's batch."""

    @blp.arguments(BatchSchema)
    @blp.response(200, BatchResultSchema)
    @errors(blp, 400, 401, 413, 422)
    @blp.doc(security=[{"gatewayToken": []}])
    def post(self, body: dict[str, Any]) -> Any:
        """Send readings and door events (a gateway token, not a user's; at most 1,000 items)

        Idempotent by device and time: a replayed batch stores nothing twice. Items not stored are listed
        with a code: duplicate (nothing changed), or rejected as unknown_device, inactive_device,
        asset_not_linked, wrong_kind, backwards (a cumulative meter going down), future, too_old, conflict
        (another value at the same time) or negative. The rest of the batch is stored.
        """
        gateway = g.get("gateway")
        if gateway is None:
            raise AuthenticationRequired(N_("Send a gateway token: Authorization: Bearer lkgw_…"))
        return ingest.ingest(gateway, body["readings"], body["door_events"], uow(), now())


@blp.route("/readings/import")
class ReadingImportViews(MethodView):
    """Readings taken by hand."""

    @blp.arguments(ReadingImportFormSchema, location="multipart")
    @blp.response(200, BatchResultSchema)
    @errors(blp, 400, 401, 403, 413, 415, 422)
    def post(self, form: dict[str, Any]) -> Any:
        """Import readings from a CSV or XLSX file (asset_code, meter, read_at, value): all or nothing

        A row with an unknown asset, meter kind, time or value, or a register going backwards, is named in
        the 422 answer (rows.N.column) and nothing is written.
        """
        upload = form["file"]
        try:
            data = upload.stream.read(spreadsheets.MAX_BYTES + 1)
        finally:
            upload.close()
        return ingest.import_readings(data, upload.filename or "", actor(), uow(), now())


@blp.route("/assets/<id:asset_id>/signals")
class SignalViews(MethodView):
    """An asset's signals."""

    @blp.arguments(SignalsQueryArgsSchema, location="query")
    @blp.response(200, SignalsSchema)
    @errors(blp, *READ_ONE, 422)
    def get(self, args: dict[str, Any], asset_id: int) -> Any:
        """Read an asset's daily use per meter, door openings, lease periods, flags, viewings and devices"""
        return signals.signals_of(asset_id, args.get("first"), args.get("last"), actor(), uow(), now())


@blp.route("/flags")
class FlagListViews(MethodView):
    """Flags."""

    @blp.arguments(FlagQueryArgsSchema, location="query")
    @blp.response(200, FlagSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the flags of the projects you read, newest first"""
        args.setdefault("sort", "-raised_at,-id")
        items, pagination_parameters.item_count = flags.list_flags(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items


@blp.route("/flags/<id:flag_id>")
class FlagViews(MethodView):
    """One flag."""

    @blp.response(200, FlagSchema)
    @errors(blp, *READ_ONE)
    def get(self, flag_id: int) -> Any:
        """Read a flag with its evidence"""
        return flags.get_flag(flag_id, actor(), uow())


@blp.route("/flags/<id:flag_id>/dismiss")
class FlagDismissViews(MethodView):
    """Setting a flag aside."""

    @blp.arguments(FlagDismissSchema)
    @blp.response(200, FlagSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], flag_id: int) -> Any:
        """Dismiss an open flag with a reason; the same evidence does not raise it again"""
        return flags.dismiss(flag_id, body["reason"], actor(), uow(), now())


@blp.route("/viewings")
class ViewingListViews(MethodView):
    """Viewing appointments."""

    @blp.arguments(ViewingQueryArgsSchema, location="query")
    @blp.response(200, ViewingSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List viewing appointments"""
        args.setdefault("sort", "-starts_at")
        items, pagination_parameters.item_count = signals.list_viewings(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(ViewingSchema)
    @blp.response(201, ViewingSchema)
    @errors(blp, *WRITE, 404)
    def post(self, body: dict[str, Any]) -> Any:
        """Book a viewing: doors opening in the unit then are expected"""
        return signals.add_viewing(body, actor(), uow(), now())


@blp.route("/viewings/<id:viewing_id>")
class ViewingViews(MethodView):
    """One viewing."""

    @blp.response(204)
    @errors(blp, *WRITE_ONE)
    def delete(self, viewing_id: int) -> None:
        """Remove a viewing appointment"""
        signals.delete_viewing(viewing_id, actor(), uow(), now())


@blp.route("/audits")
class AuditListViews(MethodView):
    """Consistency audit runs."""

    @blp.response(200, AuditRunSchema(many=True))
    @errors(blp, *READ)
    def get(self) -> Any:
        """List the latest audit runs (each shows you your scope's figures)"""
        return audit.list_runs(actor(), uow())

    @blp.response(202, AuditRunSchema)
    @errors(blp, 401, 403, 409)
    def post(self) -> Any:
        """Ask for an audit now; the worker starts it at once (poll the run)"""
        run = audit.request_audit(actor(), uow(), now())
        location = url_for("iot.AuditViews", run_id=run.id)
        return jsonify(AuditRunSchema().dump(run)), 202, {"Location": location}


@blp.route("/audits/<id:run_id>")
class AuditViews(MethodView):
    """One audit run."""

    @blp.response(200, AuditViewSchema)
    @errors(blp, *READ_ONE)
    def get(self, run_id: int) -> Any:
        """Read a run with your scope's disagreement rates, per region and project, against last month"""
        return audit.get_run(run_id, actor(), uow())


@blp.route("/audits/<id:run_id>/findings")
class FindingListViews(MethodView):
    """An audit's findings."""

    @blp.arguments(FindingQueryArgsSchema, location="query")
    @blp.response(200, FindingSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ_ONE, 422)
    def get(self, args: dict[str, Any], run_id: int, pagination_parameters: Any) -> Any:
        """List a run's findings in your scope, by project and asset, with the rows behind each"""
        items, pagination_parameters.item_count = audit.findings(
            run_id, args, pagination_parameters.page, pagination_parameters.page_size, actor(), uow()
        )
        return items


REPORT_TYPES = {"xlsx": audit.FORMATS["xlsx"], "pdf": audit.FORMATS["pdf"]}


@blp.route("/audits/<id:run_id>/report")
class AuditReportViews(MethodView):
    """An audit as a file."""

    @blp.arguments(AuditReportQueryArgsSchema, location="query")
    @blp.response(200, BINARY, content_type=REPORT_TYPES["xlsx"], description="The workbook or the PDF.")
    @blp.doc(responses={"200": {"content": {media: {"schema": BINARY} for media in REPORT_TYPES.values()}}})
    @errors(blp, *READ_ONE, 409, 422)
    def get(self, args: dict[str, Any], run_id: int) -> Response:
        """Download a finished audit as an Excel workbook (rates, findings) or a PDF, your scope only"""
        body, filename, media = audit.report_file(run_id, args["format"], actor(), uow(), gettext)
        return Response(
            body, mimetype=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )


@blp.route("/audit-tasks")
class AuditTaskListViews(MethodView):
    """Your findings to handle."""

    @blp.arguments(AuditTaskQueryArgsSchema, location="query")
    @blp.response(200, FindingSchema(many=True))
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """List the findings given to you (a project manager's), newest audit first"""
        return audit.my_tasks(args["state"].value, actor(), uow())


@blp.route("/audit-tasks/<id:finding_id>/resolve")
class AuditTaskResolveViews(MethodView):
    """Closing a finding."""

    @blp.arguments(AuditResolveSchema)
    @blp.response(200, FindingSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], finding_id: int) -> Any:
        """Resolve a finding given to you, saying what was done about it"""
        return audit.resolve_task(finding_id, body["note"], actor(), uow(), now())
