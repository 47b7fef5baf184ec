"""The asset board: assets by status per project with counts, each asset's lease, inspections and history."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.board.schemas import (
    AssetCardArgsSchema,
    AssetCardSchema,
    BoardAssetSchema,
    BoardQueryArgsSchema,
    ProjectBoardSchema,
)
from backend.api.common import READ, READ_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.org.services import board

blp = Blueprint(
    "board",
    __name__,
    url_prefix="/api/board",
    description="The asset board: status counts, asset lists and cards, within your scope.",
)


@blp.route("/projects/<id:project_id>")
class ProjectBoardViews(MethodView):
    """One project's board."""

    @blp.response(200, ProjectBoardSchema)
    @errors(blp, *READ_ONE)
    def get(self, project_id: int) -> Any:
        """Count a project's assets by status"""
        return board.project_board(project_id, actor(), uow())


@blp.route("/assets")
class BoardAssetViews(MethodView):
    """Assets on the board."""

    @blp.arguments(BoardQueryArgsSchema, location="query")
    @blp.response(200, BoardAssetSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List assets with their status, current lease and last inspection"""
        rows, pagination_parameters.item_count = board.list_board_assets(
            list_query(args, pagination_parameters), actor(), uow(), now()
        )
        return rows


@blp.route("/assets/<id:asset_id>")
class BoardAssetByIdViews(MethodView):
    """One asset's card."""

    @blp.arguments(AssetCardArgsSchema, location="query")
    @blp.response(200, AssetCardSchema)
    @errors(blp, *READ_ONE)
    def get(self, args: dict[str, Any], asset_id: int) -> Any:
        """Read an asset's card: status, lease, inspections and a page of its history"""
        return board.asset_card(
            asset_id, args["history_page"], args["history_page_size"], actor(), uow(), now()
        )
