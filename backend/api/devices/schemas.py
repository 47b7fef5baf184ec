"""Device payloads."""

from marshmallow import Schema, fields

from backend.api.common import ident, sort_field


class DeviceSchema(Schema):
    """A phone bound to a user."""

    id = fields.Integer(dump_only=True)
    user_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    platform = fields.String(dump_only=True, allow_none=True)
    app_version = fields.String(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    last_seen_at = fields.AwareDateTime(dump_only=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    pending_count = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Commands queued on the phone at its last push."},
    )
    last_sync_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class DeviceQueryArgsSchema(Schema):
    """Filters for the device list."""

    user_id = ident(
        in_query=True, metadata={"description": "Administrators only; others always see their own."}
    )
    revoked = fields.Boolean()
    sort = sort_field("created_at", "last_seen_at", "name")
