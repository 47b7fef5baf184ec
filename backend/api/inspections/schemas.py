"""Inspection payloads."""

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields

from backend.api.common import aware_datetime, ident, sort_field
from backend.core.domain.errors import N_
from backend.field.domain.inspections import InspectionResult, ItemKind
from backend.field.domain.requests import ReportFlag
from backend.org.domain.geofence import PlausibilityFlag
from sync.commands import InspectionArgsSchema

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _plausible_time(value: datetime) -> None:
    try:
        within = EARLIEST <= value < LATEST
    except OverflowError:  # an offset pushing year 1 or 9999 beyond what a datetime holds
        within = False
    if not within:
        raise ValidationError(N_("Give a time between the years 2000 and 2100."))


class InspectionInputSchema(InspectionArgsSchema):
    """An inspection of an asset on site: the sync command's args, with the device's capture time."""

    captured_at = aware_datetime(
        required=True, validate=_plausible_time, metadata={"description": "The device's clock."}
    )


class AnswerSchema(Schema):
    """An answer as stored: passed is false for a failed check or a reading out of range."""

    item_key = fields.String()
    kind = fields.Enum(ItemKind, by_value=True)
    passed = fields.Boolean(allow_none=True)
    number_value = fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string"})
    text_value = fields.String(allow_none=True)
    photo_hashes = fields.List(fields.String())


class InspectionSchema(Schema):
    """A filed inspection with the server's GPS check and the photos still pending."""

    id = fields.Integer()
    asset_id = fields.Integer()
    asset_code = fields.String(attribute="asset.code")
    project_id = fields.Integer()
    checklist_id = fields.Integer()
    checklist_code = fields.String(attribute="checklist.code")
    checklist_version = fields.Integer()
    inspector_id = fields.Integer(allow_none=True)
    device_id = fields.Integer(allow_none=True)
    captured_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime()
    latitude = fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string"})
    longitude = fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string"})
    accuracy_m = fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string"})
    fence_passed = fields.Boolean(
        allow_none=True, metadata={"description": "Null when neither the asset nor its project has a fence."}
    )
    fence_distance_m = fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string"})
    fence_reason = fields.String(allow_none=True, metadata={"description": "too_inaccurate or outside."})
    plausibility_flags = fields.List(
        fields.String(metadata={"enum": [flag.value for flag in (*PlausibilityFlag, *ReportFlag)]}),
        metadata={
            "description": "Signs the fix may not be genuine (evidence for the manager, never a refusal), "
            "and how presence was judged: `remote_report` (filed away from the asset, with a reason), "
            "`no_fix` (no GPS fix at all)."
        },
    )
    remote_reason = fields.String(
        allow_none=True, metadata={"description": "Why the inspection was made away from the asset."}
    )
    result = fields.Enum(InspectionResult, by_value=True)
    note = fields.String(allow_none=True)
    answers = fields.List(fields.Nested(AnswerSchema))
    evidence_pending = fields.List(
        fields.String(), metadata={"description": "Cited photos not uploaded yet (evidence pending)."}
    )


class InspectionQueryArgsSchema(Schema):
    """Filters for the inspection list."""

    asset_id = ident(in_query=True)
    project_id = ident(in_query=True)
    inspector_id = ident(in_query=True)
    result = fields.Enum(InspectionResult, by_value=True)
    since = aware_datetime(validate=_plausible_time)
    until = aware_datetime(validate=_plausible_time)
    sort = sort_field("submitted_at", "captured_at")
