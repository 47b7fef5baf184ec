"""Project payloads."""

from marshmallow import Schema, fields, validate

from backend.api.common import (
    Flag,
    TimestampsSchema,
    WithheldFieldsSchema,
    code,
    decimal,
    ident,
    sort_field,
    text,
)
from backend.org.domain.org import PROJECT_FIELD_SETTINGS, THROUGH_A_PROPOSAL, LeaseEndStatus, ProjectCategory


class FenceSchema(Schema):
    """A geofence: a GeoJSON Polygon/MultiPolygon, or a Point with a radius."""

    geofence = fields.Dict(
        allow_none=True,
        metadata={"description": "GeoJSON geometry in [longitude, latitude] (WGS 84)."},
    )
    geofence_radius_m = decimal(1, 0, 10_000, allow_none=True, metadata={"description": "For a Point fence."})


class GeoSchema(FenceSchema):
    """A location point and an optional geofence."""

    latitude = decimal(6, -90, 90, allow_none=True)
    longitude = decimal(6, -180, 180, allow_none=True)


class FieldPolicySchema(Schema):
    """How a project judges presence on site."""

    remote_confirmation_allowed = Flag(
        metadata={"description": "Managers may confirm field requests without being on site (with a reason)."}
    )
    remote_report_allowed = Flag(
        metadata={
            "description": "Inspectors may report a status or an inspection away from the asset, with a "
            "reason; such reports are flagged for the manager. Otherwise a report needs a fix in the fence."
        }
    )
    gps_max_accuracy_m = decimal(1, 1, 1000, metadata={"description": "Worst GPS accuracy accepted."})
    gps_tolerance_m = decimal(1, 0, 1000, metadata={"description": "Allowed distance beyond the geofence."})


class ProjectSchema(GeoSchema, FieldPolicySchema, TimestampsSchema):
    """A site: office tower, apartment complex, industrial park, equipment depot."""

    id = fields.Integer(dump_only=True)
    region_id = ident(required=True)
    code = code(32, required=True)
    name = text(200, required=True)
    city = text(100, required=True)
    category = fields.Enum(ProjectCategory, by_value=True, required=True)
    timezone = text(64, load_default="Asia/Shanghai", metadata={"description": "IANA name."})
    holiday_calendar = text(8, load_default="CN", metadata={"description": "Country code, e.g. CN."})
    address = text(300, allow_none=True)
    lease_end_status = fields.Enum(
        LeaseEndStatus, by_value=True, metadata={"description": "Where assets go when a lease ends."}
    )
    status_request_ttl_hours = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=24 * 90),
        metadata={"description": "Request validity."},
    )


class ProjectChangesSchema(WithheldFieldsSchema, ProjectSchema):
    """A change of a project's details; its geofence and field policy change through a proposal."""

    WITHHELD = dict.fromkeys(PROJECT_FIELD_SETTINGS, THROUGH_A_PROPOSAL)

    class Meta:
        exclude = PROJECT_FIELD_SETTINGS


class AssetFieldSettingsSchema(FenceSchema):
    """A proposed geofence for an asset, and why; it applies when a second person approves."""

    reason = text(
        500, required=True, metadata={"description": "Read by the approver; kept in the audit log."}
    )


class ProjectFieldSettingsSchema(FieldPolicySchema, AssetFieldSettingsSchema):
    """A project's proposed geofence or field policy, and why; it applies when a second person approves."""


class ProjectQueryArgsSchema(Schema):
    """Filters for the project list."""

    q = text(100, metadata={"description": "Search in code, name and city."})
    region_id = ident(in_query=True)
    city = text(100)
    category = fields.Enum(ProjectCategory, by_value=True)
    sort = sort_field("code", "name", "city", "category", "created_at")
