"""Devices: list and revoke phones bound to users."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.devices.schemas import DeviceQueryArgsSchema, DeviceSchema
from backend.core.services import auth

blp = Blueprint("devices", __name__, url_prefix="/api/devices", description="Phones bound to users.")


@blp.route("")
class DeviceViews(MethodView):
    """The device collection."""

    @blp.arguments(DeviceQueryArgsSchema, location="query")
    @blp.response(200, DeviceSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List your devices (administrators: anybody's)"""
        items, pagination_parameters.item_count = auth.list_devices(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items


@blp.route("/<id:device_id>/revoke")
class DeviceRevokeViews(MethodView):
    """Revoking a device."""

    @blp.response(200, DeviceSchema)
    @errors(blp, *READ_ONE)
    def post(self, device_id: int) -> Any:
        """Revoke a device: its token is refused from now on"""
        return auth.revoke_device(device_id, actor(), now(), uow())
