"""Audit log payloads."""

from marshmallow import Schema, fields

from backend.api.common import aware_datetime, ident, sort_field, text
from backend.core.domain.audit import AuditAction, Origin


class AuditEntrySchema(Schema):
    """Who changed what, when, from where, with values before and after."""

    id = fields.Integer()
    occurred_at = fields.AwareDateTime()
    actor_user_id = fields.Integer(allow_none=True)
    actor_name = fields.String()
    origin = fields.Enum(Origin, by_value=True)
    ip = fields.String(allow_none=True)
    device_id = fields.Integer(allow_none=True)
    request_id = fields.String(allow_none=True)
    action = fields.Enum(AuditAction, by_value=True)
    entity_type = fields.String()
    entity_id = fields.String()
    region_id = fields.Integer(allow_none=True)
    project_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditQueryArgsSchema(Schema):
    """Filters for the audit log."""

    entity_type = text(50)
    entity_id = text(64)
    actor_user_id = ident(in_query=True)
    action = fields.Enum(AuditAction, by_value=True)
    origin = fields.Enum(Origin, by_value=True)
    since = aware_datetime()
    until = aware_datetime()
    sort = sort_field("occurred_at")
