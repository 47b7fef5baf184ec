"""Users: accounts, roles, deactivation."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, now, uow
from backend.api.users.schemas import UserCreateSchema, UserQueryArgsSchema, UserSchema
from backend.core.services import users

blp = Blueprint("users", __name__, url_prefix="/api/users", description="User accounts and role assignments.")


def _renamed(values: dict[str, Any]) -> dict[str, Any]:
    """The schema loads roles under the model's attribute name; services speak of `roles`."""
    if "role_assignments" in values:
        values["roles"] = values.pop("role_assignments")
    return values


@blp.route("")
class UserViews(MethodView):
    """The user collection."""

    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List users holding roles in your scope"""
        items, pagination_parameters.item_count = users.list_users(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Create a user (administrators)"""
        return users.create_user(_renamed(values), actor(), uow())


@blp.route("/<id:user_id>")
class UserByIdViews(MethodView):
    """One user."""

    @blp.response(200, UserSchema)
    @errors(blp, *READ_ONE)
    def get(self, user_id: int) -> Any:
        """Read a user"""
        return users.get_user(user_id, actor(), uow())

    @blp.arguments(patch_body(UserSchema))
    @blp.response(200, UserSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], user_id: int) -> Any:
        """Change a user's profile, roles or password (administrators)"""
        return users.update_user(user_id, _renamed(changes), actor(), uow())


@blp.route("/<id:user_id>/deactivate")
class UserDeactivateViews(MethodView):
    """Locking an account."""

    @blp.response(200, UserSchema)
    @errors(blp, *READ_ONE, 409)
    def post(self, user_id: int) -> Any:
        """Deactivate a user: sessions end, devices are revoked, history stays"""
        return users.deactivate_user(user_id, actor(), now(), uow())


@blp.route("/<id:user_id>/reactivate")
class UserReactivateViews(MethodView):
    """Unlocking an account."""

    @blp.response(200, UserSchema)
    @errors(blp, *READ_ONE)
    def post(self, user_id: int) -> Any:
        """Reactivate a user"""
        return users.reactivate_user(user_id, actor(), uow())
