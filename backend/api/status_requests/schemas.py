"""Status change request payloads."""

from marshmallow import Schema, fields

from backend.api.common import aware_datetime, ident, sort_field
from backend.field.domain.requests import RequestState
from backend.org.domain.org import AssetStatus
from sync.commands import (
    StatusCancelArgsSchema,
    StatusConfirmArgsSchema,
    StatusRejectArgsSchema,
    StatusRequestArgsSchema,
)


class StatusRequestCreateSchema(StatusRequestArgsSchema):
    """A field status change with its evidence: the sync command's args, with the capture time."""

    captured_at = aware_datetime(metadata={"description": "When the device recorded the request."})


class FenceResultSchema(Schema):
    """The server's check of one fix."""

    passed = fields.Boolean(allow_none=True)
    distance_m = fields.Decimal(as_string=True, allow_none=True)
    reason = fields.String(allow_none=True)


class PhotoEvidenceSchema(Schema):
    """A photo the report cites, and when it arrived."""

    sha256 = fields.String()
    received_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Null while on its way."})
    upload_lag_s = fields.Integer(
        allow_none=True, metadata={"description": "Seconds from the report's capture to the photo's arrival."}
    )


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
    applicant_name = fields.String(allow_none=True)
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
    fence = fields.Dict(
        allow_none=True,
        metadata={"description": "The GeoJSON fence presence is judged by: the asset's, else its project's."},
    )
    fence_radius_m = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "For a Point."})
    report_remote_reason = fields.String(
        allow_none=True,
        metadata={"description": "Why the applicant reported away from the asset (flag `remote_report`)."},
    )
    photo_hashes = fields.List(fields.String())
    photos = fields.List(fields.Nested(PhotoEvidenceSchema))
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
    decided_by_name = fields.String(
        allow_none=True, metadata={"description": "Who confirmed or rejected it."}
    )
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


class ConfirmSchema(StatusConfirmArgsSchema):
    """On site: the scanned label text and a GPS fix; or `remote: true` with a reason where policy allows."""

    class Meta:
        exclude = ("request_id",)  # the path names the request


class RejectSchema(StatusRejectArgsSchema):
    """Why the change is rejected."""

    class Meta:
        exclude = ("request_id",)  # the path names the request


class CancelSchema(StatusCancelArgsSchema):
    """Nothing but the request, which the path names; the body may be left out."""

    class Meta:
        exclude = ("request_id",)  # the path names the request
