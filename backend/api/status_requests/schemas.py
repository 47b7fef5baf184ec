"""Status change request payloads."""

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from backend.api.common import Flag, aware_datetime, decimal, ident, sort_field, text
from backend.field.domain.requests import RequestState
from backend.field.services.status_requests import GpsReading
from backend.org.domain.org import AssetStatus


class GpsFixSchema(Schema):
    """A GPS fix as the phone took it."""

    latitude = decimal(6, -90, 90, required=True)
    longitude = decimal(6, -180, 180, required=True)
    accuracy_m = decimal(1, 0, 100_000, required=True, metadata={"description": "Radius in metres."})
    captured_at = aware_datetime(required=True, metadata={"description": "The device clock."})

    @post_load
    def _reading(self, data: dict[str, Any], **kwargs: Any) -> GpsReading:
        return GpsReading(**data)


HASH = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$", error="64 lower-case hex digits."))


class StatusRequestCreateSchema(Schema):
    """A field status change with its evidence."""

    asset_id = ident(required=True)
    to_status = fields.Enum(AssetStatus, by_value=True, required=True)
    base_version = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The asset's status version the applicant saw."},
    )
    reason = text(1000, required=True)
    note = text(4000, allow_none=True)
    captured_at = aware_datetime(metadata={"description": "When the device recorded the request."})
    gps = fields.Nested(GpsFixSchema, allow_none=True)
    photo_hashes = fields.List(HASH, validate=validate.Length(max=50), load_default=list)


class FenceResultSchema(Schema):
    """The server's check of one fix."""

    passed = fields.Boolean(allow_none=True)
    distance_m = fields.Decimal(as_string=True, allow_none=True)
    reason = fields.String(allow_none=True)


class StatusRequestSchema(Schema):
    """A status change request, its evidence and its decision."""

    id = fields.Integer()
    asset_id = fields.Integer()
    asset_code = fields.String(attribute="asset.code")
    project_id = fields.Integer()
    from_status = fields.Enum(AssetStatus, by_value=True)
    to_status = fields.Enum(AssetStatus, by_value=True)
    reason = fields.String()
    note = fields.String(allow_none=True)
    applicant_id = fields.Integer(allow_none=True)
    device_id = fields.Integer(allow_none=True)
    base_version = fields.Integer()
    captured_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime()
    latitude = fields.Decimal(as_string=True, allow_none=True)
    longitude = fields.Decimal(as_string=True, allow_none=True)
    accuracy_m = fields.Decimal(as_string=True, allow_none=True)
    fence_passed = fields.Boolean(allow_none=True)
    fence_distance_m = fields.Decimal(as_string=True, allow_none=True)
    fence_reason = fields.String(allow_none=True)
    plausibility_flags = fields.List(fields.String())
    photo_hashes = fields.List(fields.String())
    evidence_pending = fields.List(
        fields.String(), metadata={"description": "Referenced photos not uploaded yet."}
    )
    state = fields.Enum(
        RequestState,
        by_value=True,
        attribute="state_now",
        metadata={"description": "As of the response: a pending request whose time ran out reads expired."},
    )
    conflict = fields.Boolean(
        attribute="conflict_now", metadata={"description": "The asset changed since the request was filed."}
    )
    approval_id = fields.Integer(allow_none=True)
    confirmer_id = fields.Integer(allow_none=True)
    scan_verified = fields.Boolean(allow_none=True)
    confirm_latitude = fields.Decimal(as_string=True, allow_none=True)
    confirm_longitude = fields.Decimal(as_string=True, allow_none=True)
    confirm_accuracy_m = fields.Decimal(as_string=True, allow_none=True)
    confirm_fence_passed = fields.Boolean(allow_none=True)
    confirm_fence_distance_m = fields.Decimal(as_string=True, allow_none=True)
    confirm_plausibility_flags = fields.List(fields.String())
    remote = fields.Boolean()
    remote_reason = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    expires_at = fields.AwareDateTime()


class StatusRequestQueryArgsSchema(Schema):
    """Filters for the request list."""

    project_id = ident(in_query=True)
    asset_id = ident(in_query=True)
    state = fields.Enum(RequestState, by_value=True)
    waiting_for_me = fields.Boolean(
        load_default=False, metadata={"description": "Pending requests you may confirm."}
    )
    sort = sort_field("submitted_at", "expires_at", "state")


class ConfirmSchema(Schema):
    """On site: the scanned label text and a GPS fix; or `remote: true` with a reason where policy allows."""

    scan = text(500, allow_none=True, metadata={"description": "The text of the scanned QR label."})
    gps = fields.Nested(GpsFixSchema, allow_none=True)
    remote = Flag(load_default=False)
    remote_reason = text(1000, allow_none=True)
    note = text(1000, allow_none=True)


class RejectSchema(Schema):
    """Why the change is rejected."""

    reason = text(1000, required=True)
