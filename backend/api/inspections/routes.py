"""Inspections: filed on site against a checklist, with GPS re-checked by the server; read within scope."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.inspections.schemas import InspectionInputSchema, InspectionQueryArgsSchema, InspectionSchema
from backend.field.services import inspections

blp = Blueprint(
    "inspections",
    __name__,
    url_prefix="/api/inspections",
    description="Inspections of assets: checklist answers, photos and a GPS fix.",
)


@blp.route("")
class InspectionViews(MethodView):
    """The inspection collection."""

    @blp.arguments(InspectionQueryArgsSchema, location="query")
    @blp.response(200, InspectionSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the inspections you can see, newest first"""
        items, pagination_parameters.item_count = inspections.list_inspections(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(InspectionInputSchema)
    @blp.response(201, InspectionSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """File an inspection of an asset"""
        return inspections.submit_inspection(values, actor(), uow(), now())


@blp.route("/<id:inspection_id>")
class InspectionByIdViews(MethodView):
    """One inspection."""

    @blp.response(200, InspectionSchema)
    @errors(blp, *READ_ONE)
    def get(self, inspection_id: int) -> Any:
        """Read an inspection"""
        return inspections.get_inspection(inspection_id, actor(), uow())
