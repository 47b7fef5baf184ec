"""User payloads."""

from marshmallow import Schema, fields, validate

from backend.api.common import TimestampsSchema, ident, sort_field, text
from backend.core.domain.access import Role

LOCALES = ("zh_CN", "en")


class RoleAssignmentSchema(Schema):
    """A role held globally (no ids), for a region, or for a project."""

    role = fields.Enum(Role, by_value=True, required=True)
    region_id = ident(allow_none=True, load_default=None)
    project_id = ident(allow_none=True, load_default=None)


class UserSchema(TimestampsSchema):
    """A user account as others see it."""

    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    display_name = text(200)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    locale = fields.String(validate=validate.OneOf(LOCALES))
    manager_id = ident(allow_none=True, metadata={"description": "Receives open tasks on deactivation."})
    is_active = fields.Boolean(dump_only=True)
    deactivated_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    last_login_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    roles = fields.List(
        fields.Nested(RoleAssignmentSchema), attribute="role_assignments", validate=validate.Length(max=100)
    )
    password = text(200, load_only=True, metadata={"description": "At least 10 characters."})


class UserCreateSchema(UserSchema):
    """A new account."""

    username = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=150), validate.Regexp(r"^[A-Za-z0-9._@-]+$")],
    )
    password = text(200, required=True, load_only=True, metadata={"description": "At least 10 characters."})
    locale = fields.String(load_default="zh_CN", validate=validate.OneOf(LOCALES))


class UserQueryArgsSchema(Schema):
    """Filters for the user list."""

    q = text(100, metadata={"description": "Search in username, name and e-mail."})
    is_active = fields.Boolean()
    role = fields.Enum(Role, by_value=True)
    sort = sort_field("username", "display_name", "created_at")
