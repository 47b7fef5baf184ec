"""Asset payloads."""

from marshmallow import Schema, fields, validate

from backend.api.common import (
    MAX_ID,
    TimestampsSchema,
    WithheldFieldsSchema,
    code,
    decimal,
    ident,
    sort_field,
    text,
)
from backend.api.projects.schemas import GeoSchema
from backend.org.domain.org import ASSET_FIELD_SETTINGS, THROUGH_A_PROPOSAL, AssetKind, AssetStatus, AssetType


class AssetSchema(GeoSchema, TimestampsSchema):
    """A space unit (area, floor) or an equipment item (serial number, model)."""

    id = fields.Integer(dump_only=True)
    project_id = ident(required=True)
    project_code = fields.String(attribute="project.code", dump_only=True)
    code = code(64, required=True, metadata={"description": "Printed on the QR label; unique."})
    name = text(200, allow_none=True)
    kind = fields.Enum(
        AssetKind, by_value=True, metadata={"description": "Derived from asset_type if omitted."}
    )
    asset_type = fields.Enum(AssetType, by_value=True, required=True)
    floor = text(16, allow_none=True)
    area_m2 = decimal(2, 0, 99_999_999, allow_none=True)
    serial_number = text(100, allow_none=True)
    model = text(100, allow_none=True)
    status = fields.Enum(
        AssetStatus,
        by_value=True,
        dump_only=True,
        metadata={"description": "Changed by the asset state machine."},
    )
    status_version = fields.Integer(dump_only=True)


class AssetChangesSchema(WithheldFieldsSchema, AssetSchema):
    """A change of an asset's master data; its geofence changes through a proposal."""

    WITHHELD = dict.fromkeys(ASSET_FIELD_SETTINGS, THROUGH_A_PROPOSAL)

    class Meta:
        exclude = ASSET_FIELD_SETTINGS


class AssetQueryArgsSchema(Schema):
    """Filters for the asset list."""

    q = text(100, metadata={"description": "Search in code, name and serial number."})
    project_id = ident(in_query=True)
    region_id = ident(in_query=True)
    kind = fields.Enum(AssetKind, by_value=True)
    asset_type = fields.Enum(AssetType, by_value=True)
    status = fields.List(fields.Enum(AssetStatus, by_value=True), metadata={"description": "One or more."})
    floor = text(16)
    min_area_m2 = decimal(2, 0, 99_999_999)
    max_area_m2 = decimal(2, 0, 99_999_999)
    sort = sort_field("code", "name", "status", "area_m2", "floor", "asset_type", "created_at", "updated_at")


class StatusChangeSchema(Schema):
    """A back-office status change: the target status, why, and the version it was decided on."""

    status = fields.Enum(AssetStatus, by_value=True, required=True)
    reason = text(500, required=True, metadata={"description": "Kept in the audit log."})
    expected_version = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The status_version the decision was based on; a newer one gives 409."},
    )
