"""Sign-in payloads."""

from marshmallow import Schema, fields

from backend.api.common import text
from backend.api.devices.schemas import DeviceSchema
from backend.api.users.schemas import UserSchema


class LoginSchema(Schema):
    """Username and password."""

    username = text(150, required=True)
    password = text(200, required=True, load_only=True)


class SessionSchema(Schema):
    """The signed-in user, what they may do, and the CSRF token for unsafe requests."""

    user = fields.Nested(UserSchema)
    permissions = fields.List(fields.String())
    csrf_token = fields.String(
        allow_none=True,
        metadata={"description": "Send as X-CSRFToken with cookie sessions; null for device tokens."},
    )


class DeviceLoginSchema(LoginSchema):
    """Signing in from a phone binds a new device."""

    device_name = text(100, required=True)
    platform = text(50, allow_none=True)
    app_version = text(50, allow_none=True)


class DeviceTokenSchema(Schema):
    """The new device and its bearer token (shown only once)."""

    device = fields.Nested(DeviceSchema)
    token = fields.String()


class PasswordChangeSchema(Schema):
    """The current password and the new one."""

    current_password = text(200, required=True, load_only=True)
    new_password = text(200, required=True, load_only=True)
