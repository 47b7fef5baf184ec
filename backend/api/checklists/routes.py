"""Inspection checklists: one active version per asset type; used versions are replaced, never edited."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.checklists.schemas import ChecklistChangeSchema, ChecklistQueryArgsSchema, ChecklistSchema
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, uow
from backend.field.services import inspections

blp = Blueprint(
    "checklists",
    __name__,
    url_prefix="/api/checklists",
    description="Inspection checklists per asset type, versioned.",
)


@blp.route("")
class ChecklistViews(MethodView):
    """The checklist collection (every version)."""

    @blp.arguments(ChecklistQueryArgsSchema, location="query")
    @blp.response(200, ChecklistSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List checklists"""
        items, pagination_parameters.item_count = inspections.list_checklists(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(ChecklistSchema)
    @blp.response(201, ChecklistSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Add a checklist for an asset type"""
        return inspections.create_checklist(values, actor(), uow())


@blp.route("/<id:checklist_id>")
class ChecklistByIdViews(MethodView):
    """One checklist version."""

    @blp.response(200, ChecklistSchema)
    @errors(blp, *READ_ONE)
    def get(self, checklist_id: int) -> Any:
        """Read a checklist version"""
        return inspections.get_checklist(checklist_id, actor(), uow())

    @blp.arguments(ChecklistChangeSchema)
    @blp.response(200, ChecklistSchema, description="The changed version, or the new version replacing it")
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], checklist_id: int) -> Any:
        """Change a checklist (a version already used gets a new version instead)"""
        return inspections.update_checklist(checklist_id, changes, actor(), uow())


@blp.route("/for-asset/<id:asset_id>")
class ChecklistForAssetViews(MethodView):
    """The checklist to fill in for one asset."""

    @blp.response(200, ChecklistSchema)
    @errors(blp, *READ_ONE)
    def get(self, asset_id: int) -> Any:
        """Read the active checklist of an asset's type"""
        return inspections.checklist_for(asset_id, actor(), uow())
