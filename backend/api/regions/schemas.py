"""Region payloads."""

from marshmallow import Schema, fields

from backend.api.common import TimestampsSchema, code, sort_field, text


class RegionSchema(TimestampsSchema):
    """A region groups projects under one regional manager."""

    id = fields.Integer(dump_only=True)
    code = code(32, required=True)
    name = text(200, required=True)


class RegionQueryArgsSchema(Schema):
    """Filters for the region list."""

    q = text(100, metadata={"description": "Search in code and name."})
    code = code(32)
    sort = sort_field("code", "name", "created_at")
