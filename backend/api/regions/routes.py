"""Regions: list, create, read, change, delete."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, uow
from backend.api.regions.schemas import RegionQueryArgsSchema, RegionSchema
from backend.org.services import org

blp = Blueprint("regions", __name__, url_prefix="/api/regions", description="Regions and their projects.")


@blp.route("")
class RegionViews(MethodView):
    """The region collection."""

    @blp.arguments(RegionQueryArgsSchema, location="query")
    @blp.response(200, RegionSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the regions you can see"""
        items, pagination_parameters.item_count = org.list_regions(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(RegionSchema)
    @blp.response(201, RegionSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Create a region (head office only)"""
        return org.create_region(values, actor(), uow())


@blp.route("/<id:region_id>")
class RegionByIdViews(MethodView):
    """One region."""

    @blp.response(200, RegionSchema)
    @errors(blp, *READ_ONE)
    def get(self, region_id: int) -> Any:
        """Read a region"""
        return org.get_region(region_id, actor(), uow())

    @blp.arguments(patch_body(RegionSchema))
    @blp.response(200, RegionSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], region_id: int) -> Any:
        """Change a region"""
        return org.update_region(region_id, changes, actor(), uow())

    @blp.response(204)
    @errors(blp, 401, 403, 404, 409)
    def delete(self, region_id: int) -> None:
        """Delete a region without projects, customers or role assignments"""
        org.delete_region(region_id, actor(), uow())
