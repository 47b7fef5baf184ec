"""Sign-in payloads."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.common import text
from backend.api.devices.schemas import DeviceSchema
from backend.api.users.schemas import LOCALES, UserSchema


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


class OwnProfileSchema(Schema):
    """What a signed-in user may change about themselves: the name others see and the language."""

    display_name = text(200)
    locale = fields.String(
        validate=validate.OneOf(LOCALES),
        metadata={"description": "The language of messages, notifications and exports: zh_CN or en."},
    )

    @validates_schema(pass_original=True)
    def _changes_given(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        if not original_data:
            raise ValidationError("Send at least one field to change.")
