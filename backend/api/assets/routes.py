"""Assets (space units and equipment): list, create, read, change, delete."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.approvals.schemas import ApprovalSchema
from backend.api.assets.schemas import (
    AssetChangesSchema,
    AssetQueryArgsSchema,
    AssetSchema,
    StatusChangeSchema,
)
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, now, uow
from backend.api.projects.schemas import AssetFieldSettingsSchema
from backend.org.services import asset_status, field_settings, org

blp = Blueprint(
    "assets", __name__, url_prefix="/api/assets", description="Assets: space units and equipment items."
)


@blp.route("")
class AssetViews(MethodView):
    """The asset collection."""

    @blp.arguments(AssetQueryArgsSchema, location="query")
    @blp.response(200, AssetSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the assets you can see"""
        items, pagination_parameters.item_count = org.list_assets(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(AssetSchema)
    @blp.response(201, AssetSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Register an asset in a project you manage"""
        return org.create_asset(values, actor(), uow())


@blp.route("/<id:asset_id>")
class AssetByIdViews(MethodView):
    """One asset."""

    @blp.response(200, AssetSchema)
    @errors(blp, *READ_ONE)
    def get(self, asset_id: int) -> Any:
        """Read an asset"""
        return org.get_asset(asset_id, actor(), uow())

    @blp.arguments(patch_body(AssetChangesSchema))
    @blp.response(200, AssetSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], asset_id: int) -> Any:
        """Change an asset's master data (its geofence through a proposal)"""
        return org.update_asset(asset_id, changes, actor(), uow())

    @blp.response(204)
    @errors(blp, 401, 403, 404, 409)
    def delete(self, asset_id: int) -> None:
        """Delete an asset registered by mistake"""
        org.delete_asset(asset_id, actor(), uow())


@blp.route("/<id:asset_id>/status")
class AssetStatusViews(MethodView):
    """An asset's status, changed directly only by an administrator's override (everyone else files a status
    change request, which another person confirms on site)."""

    @blp.arguments(StatusChangeSchema)
    @blp.response(200, AssetSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, change: dict[str, Any], asset_id: int) -> Any:
        """Override an asset's status (administrators, with a reason)"""
        outcome = asset_status.change_asset_status(
            asset_id, change["status"], change["reason"], actor(), uow(), change.get("expected_version")
        )
        return outcome.asset


@blp.route("/<id:asset_id>/field-settings")
class AssetFieldSettingsViews(MethodView):
    """Proposals to move an asset's geofence: four-eyes, like every change of where presence is judged."""

    @blp.arguments(AssetFieldSettingsSchema)
    @blp.response(201, ApprovalSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], asset_id: int) -> Any:
        """Propose a new geofence for an asset; it applies when a second person approves"""
        reason = values.pop("reason")
        return field_settings.propose_asset_settings(asset_id, values, reason, actor(), uow(), now())
