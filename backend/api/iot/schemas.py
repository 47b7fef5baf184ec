"""IoT payloads: gateways and devices, a gateway's batch and its outcome, an asset's signals, flags,
viewings, and the consistency audit's runs, rates and findings."""

from typing import Any

from flask_babel import gettext
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.adapters.spreadsheets import ACCEPTED_TYPES, MAX_BYTES, MAX_ROWS
from backend.api.common import aware_datetime, code, decimal, ident, sort_field, text
from backend.iot.domain.audit import FINDING_NAMES, FindingKind, TaskState
from backend.iot.domain.flags import KIND_NAMES, STATE_NAMES, FlagKind, FlagState, summary
from backend.iot.domain.signals import MAX_BATCH_ITEMS, UNITS, DeviceKind, DoorEventKind, MeterKind, MeterMode
from backend.iot.services.audit import finding_summary

FLAG_KINDS = [k.value for k in FlagKind]
FLAG_STATES = [s.value for s in FlagState]
FINDING_KINDS = [k.value for k in FindingKind]


class GatewaySchema(Schema):
    """A gateway (its token is never shown again)."""

    id = fields.Integer(dump_only=True)
    name = text(100, required=True)
    project_id = ident(required=True)
    created_at = fields.AwareDateTime(dump_only=True)
    last_seen_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class GatewayTokenSchema(Schema):
    """A gateway with its new token, shown this once."""

    gateway = fields.Nested(GatewaySchema)
    token = fields.String(
        metadata={"description": "Send it as `Authorization: Bearer <token>` to /api/iot/ingest."}
    )


class GatewayQueryArgsSchema(Schema):
    """Which gateways."""

    project_id = ident(in_query=True)
    sort = sort_field("id", "name")


class IotDeviceSchema(Schema):
    """A meter or door sensor."""

    id = fields.Integer(dump_only=True)
    code = code(100, required=True, metadata={"description": "The device's own id, as its gateway sends it."})
    kind = fields.Enum(DeviceKind, by_value=True, required=True)
    meter = fields.Enum(MeterKind, by_value=True, load_default=None, allow_none=True)
    unit = fields.Method("_unit", dump_only=True)
    mode = fields.Enum(MeterMode, by_value=True, load_default=None, allow_none=True)
    interval_minutes = fields.Integer(load_default=None, allow_none=True, strict=True)
    project_id = ident(required=True)
    asset_id = ident(load_default=None, allow_none=True)
    gateway_id = ident(load_default=None, allow_none=True)
    active = fields.Boolean(dump_only=True)
    last_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    last_value = fields.Decimal(dump_only=True, as_string=True, allow_none=True)

    def _unit(self, device: Any) -> str | None:
        return UNITS[device.meter] if device.meter is not None else None


class IotDeviceChangeSchema(Schema):
    """What may change of a device: the asset it measures, whether it is on."""

    asset_id = ident(allow_none=True)
    active = fields.Boolean()

    @validates_schema(pass_original=True)
    def _something(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        if not original_data:
            raise ValidationError("Send asset_id or active.")


class IotDeviceQueryArgsSchema(Schema):
    """Which devices."""

    asset_id = ident(in_query=True)
    project_id = ident(in_query=True)
    gateway_id = ident(in_query=True)
    kind = fields.Enum(DeviceKind, by_value=True)
    sort = sort_field("id", "code")


class ReadingInSchema(Schema):
    """One reading from a gateway."""

    device = fields.String(required=True, validate=validate.Length(min=1, max=100))
    at = aware_datetime(required=True, metadata={"description": "The reading's time, with its offset."})
    value = decimal(
        4, -(10**14), 10**14, required=True,
        metadata={"description": "The register (cumulative meter) or what was used in the interval."},
    )  # fmt: skip


class DoorEventInSchema(Schema):
    """One door sensor event from a gateway."""

    device = fields.String(required=True, validate=validate.Length(min=1, max=100))
    at = aware_datetime(required=True)
    event = fields.Enum(DoorEventKind, by_value=True, required=True)


class BatchSchema(Schema):
    """A gateway's batch: readings and door events, at most 1,000 items together."""

    readings = fields.List(fields.Nested(ReadingInSchema), load_default=list)
    door_events = fields.List(fields.Nested(DoorEventInSchema), load_default=list)

    @validates_schema
    def _bounded(self, data: dict[str, Any], **kwargs: Any) -> None:
        if len(data.get("readings", [])) + len(data.get("door_events", [])) > MAX_BATCH_ITEMS:
            raise ValidationError(f"At most {MAX_BATCH_ITEMS} items in one batch.", "readings")


class IngestItemResultSchema(Schema):
    """What became of one item that was not simply stored."""

    list = fields.String(metadata={"description": "readings, door_events or rows"})
    index = fields.Integer(
        metadata={"description": "Its position in its list, from 0 (rows: the file's line)."}
    )
    status = fields.String(
        metadata={"description": "duplicate (already stored: nothing changed) or rejected"}
    )
    code = fields.Method("_code", allow_none=True)
    message = fields.Method("_message", allow_none=True)

    def _code(self, result: Any) -> str | None:
        return result.code.value if result.code is not None else None

    def _message(self, result: Any) -> str | None:
        return gettext(result.message) if result.message else None


class BatchResultSchema(Schema):
    """A batch's outcome."""

    stored = fields.Integer()
    duplicates = fields.Integer()
    rejected = fields.Integer()
    results = fields.List(fields.Nested(IngestItemResultSchema))


class ReadingImportFormSchema(Schema):
    """A file of readings taken by hand."""

    file = Upload(
        required=True,
        metadata={
            "description": f"{' or '.join(ACCEPTED_TYPES)}, at most {MAX_BYTES // 1024 // 1024} MB and "
            f"{MAX_ROWS} rows, with the columns asset_code, meter (electricity, water, runtime), read_at "
            "and value."
        },
    )


class FlagSchema(Schema):
    """A flag with its evidence, in the reader's language."""

    id = fields.Integer()
    kind = fields.Enum(FlagKind, by_value=True)
    kind_name = fields.Method("_kind_name")
    state = fields.Enum(FlagState, by_value=True)
    state_name = fields.Method("_state_name")
    asset_id = fields.Integer()
    asset_code = fields.String(allow_none=True)
    project_id = fields.Integer()
    project_code = fields.String(allow_none=True)
    lease_id = fields.Integer(allow_none=True)
    confidence = fields.Decimal(as_string=True)
    window_from = fields.Date()
    window_to = fields.Date()
    evidence = fields.Dict()
    summary = fields.Method("_summary")
    raised_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)
    dismissed_at = fields.AwareDateTime(allow_none=True)
    dismissed_by_id = fields.Integer(allow_none=True)
    dismissed_reason = fields.String(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)

    def _kind_name(self, flag: Any) -> str:
        return str(gettext(KIND_NAMES[flag.kind]))

    def _state_name(self, flag: Any) -> str:
        return str(gettext(STATE_NAMES[flag.state]))

    def _summary(self, flag: Any) -> str:
        return summary(flag.kind, flag.evidence or {}, gettext)


class FlagQueryArgsSchema(Schema):
    """Which flags."""

    state = fields.List(fields.Enum(FlagState, by_value=True), metadata={"description": "Any of these."})
    kind = fields.List(fields.Enum(FlagKind, by_value=True), metadata={"description": "Any of these."})
    project_id = ident(in_query=True)
    asset_id = ident(in_query=True)
    sort = sort_field("id", "raised_at", "confidence", "updated_at")


class FlagDismissSchema(Schema):
    """Why the flag is set aside."""

    reason = text(1000, required=True)


class ViewingSchema(Schema):
    """A viewing appointment."""

    id = fields.Integer(dump_only=True)
    asset_id = ident(required=True)
    project_id = fields.Integer(dump_only=True)
    starts_at = aware_datetime(required=True)
    ends_at = aware_datetime(required=True)
    note = text(500, load_default=None, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)


class ViewingQueryArgsSchema(Schema):
    """Which viewings."""

    asset_id = ident(in_query=True)
    project_id = ident(in_query=True)
    sort = sort_field("starts_at", "id")


class SignalDaySchema(Schema):
    """A day's use."""

    day = fields.Date()
    amount = fields.Decimal(as_string=True)


class SignalSeriesSchema(Schema):
    """An asset's daily use of one meter kind (days no reading covers are left out)."""

    meter = fields.String()
    unit = fields.String()
    days = fields.List(fields.Nested(SignalDaySchema))


class DoorDaySchema(Schema):
    """How often doors opened on a day."""

    day = fields.Date()
    opens = fields.Integer()


class SignalLeaseSchema(Schema):
    """A lease letting the asset, to shade on the chart."""

    id = fields.Integer()
    number = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    status = fields.String()


class SignalAssetSchema(Schema):
    """The asset the signals are of."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String(allow_none=True)
    status = fields.Method("_status")
    project_id = fields.Integer()

    def _status(self, asset: Any) -> str:
        return str(asset.status.value)


class SignalsSchema(Schema):
    """An asset's signals over a period."""

    asset = fields.Nested(SignalAssetSchema)
    first = fields.Date(data_key="from")
    last = fields.Date(data_key="to")
    series = fields.List(fields.Nested(SignalSeriesSchema))
    doors = fields.List(fields.Nested(DoorDaySchema))
    leases = fields.List(fields.Nested(SignalLeaseSchema))
    flags = fields.List(fields.Nested(FlagSchema))
    viewings = fields.List(fields.Nested(ViewingSchema))
    devices = fields.List(fields.Nested(IotDeviceSchema))


class SignalsQueryArgsSchema(Schema):
    """The period wanted (default: the 365 days to yesterday, the last whole day)."""

    first = fields.Date(data_key="from")
    last = fields.Date(data_key="to")


class AuditRunSchema(Schema):
    """A consistency audit run."""

    id = fields.Integer()
    period = fields.String()
    trigger = fields.String(metadata={"description": "monthly or on_demand"})
    state = fields.String(metadata={"description": "queued, running, done or failed"})
    done = fields.Integer(metadata={"description": "Projects audited so far."})
    total = fields.Integer()
    as_of = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    error = fields.String(allow_none=True)


class AuditRateSchema(Schema):
    """A group's disagreement rate against last month."""

    assets = fields.Integer()
    disagreeing = fields.Integer()
    rate = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "0..1"})
    previous_rate = fields.Decimal(as_string=True, allow_none=True)
    change = fields.Decimal(as_string=True, allow_none=True)
    kinds = fields.Dict(keys=fields.String(), values=fields.Integer())


class AuditProjectRateSchema(AuditRateSchema):
    """A project's rate."""

    project_id = fields.Integer()
    project_code = fields.String()
    project_name = fields.String()
    region_id = fields.Integer()
    region_name = fields.String()


class AuditRegionRateSchema(AuditRateSchema):
    """A region's rate."""

    region_id = fields.Integer()
    region_name = fields.String()


class AuditViewSchema(Schema):
    """A run with your scope's rates: overall, per region and per project."""

    run = fields.Nested(AuditRunSchema)
    overall = fields.Nested(AuditRateSchema)
    regions = fields.List(fields.Nested(AuditRegionRateSchema))
    projects = fields.List(fields.Nested(AuditProjectRateSchema))
    previous_run_id = fields.Integer(
        allow_none=True, metadata={"description": "Last month's run compared with."}
    )


class FindingRowSchema(Schema):
    """A row behind a finding."""

    type = fields.String(metadata={"description": "lease, work_order, status_request or iot_flag"})
    id = fields.Integer()
    label = fields.String()


class FindingSchema(Schema):
    """A disagreement, with the rows behind it; a task for the project's manager."""

    id = fields.Integer()
    run_id = fields.Integer()
    kind = fields.Enum(FindingKind, by_value=True)
    kind_name = fields.Method("_kind_name")
    summary = fields.Method("_summary")
    asset_id = fields.Integer()
    asset_code = fields.String(allow_none=True)
    asset_status = fields.String()
    project_id = fields.Integer()
    project_code = fields.String(allow_none=True)
    params = fields.Dict()
    rows = fields.List(fields.Nested(FindingRowSchema))
    assignee_id = fields.Integer(allow_none=True)
    task_state = fields.Enum(TaskState, by_value=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolved_note = fields.String(allow_none=True)

    def _kind_name(self, finding: Any) -> str:
        return str(gettext(FINDING_NAMES[finding.kind]))

    def _summary(self, finding: Any) -> str:
        return finding_summary(finding.kind, finding.params or {}, gettext)


class FindingQueryArgsSchema(Schema):
    """Which findings."""

    kind = fields.List(fields.Enum(FindingKind, by_value=True), metadata={"description": "Any of these."})
    project_id = ident(in_query=True)
    region_id = ident(in_query=True)


class AuditTaskQueryArgsSchema(Schema):
    """Which of your findings."""

    state = fields.Enum(TaskState, by_value=True, load_default=TaskState.OPEN)


class AuditResolveSchema(Schema):
    """What was done about the finding."""

    note = text(1000, required=True)


class AuditReportQueryArgsSchema(Schema):
    """Which file."""

    format = fields.String(required=True, validate=validate.OneOf(["xlsx", "pdf"]))
