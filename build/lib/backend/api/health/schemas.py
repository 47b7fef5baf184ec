"""Health payloads."""

from marshmallow import Schema, fields


class HealthSchema(Schema):
    """Liveness or readiness, with the failing check when not ready."""

    status = fields.String(metadata={"description": "ok, or unavailable"})
    checks = fields.Dict(keys=fields.String(), values=fields.String())
