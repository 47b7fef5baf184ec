"""Work orders: open, list, read, change, start, complete, cancel."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.work_orders.schemas import (
    WorkOrderMoveSchema,
    WorkOrderQueryArgsSchema,
    WorkOrderSchema,
    WorkOrderUpdateSchema,
)
from backend.field.domain.requests import WorkOrderState
from backend.field.services import work_orders

blp = Blueprint(
    "work_orders",
    __name__,
    url_prefix="/api/work-orders",
    description="Work orders: hand-over, cleaning, repair, inspection, meter reading.",
)


@blp.route("")
class WorkOrderViews(MethodView):
    """The work order collection."""

    @blp.arguments(WorkOrderQueryArgsSchema, location="query")
    @blp.response(200, WorkOrderSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List work orders of your projects"""
        items, pagination_parameters.item_count = work_orders.list_work_orders(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(WorkOrderSchema)
    @blp.response(201, WorkOrderSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """Open a work order on an asset you manage"""
        return work_orders.open_work_order(values, actor(), uow(), now())


@blp.route("/<id:work_order_id>")
class WorkOrderByIdViews(MethodView):
    """One work order."""

    @blp.response(200, WorkOrderSchema)
    @errors(blp, *READ_ONE)
    def get(self, work_order_id: int) -> Any:
        """Read a work order"""
        return work_orders.get_work_order(work_order_id, actor(), uow())

    @blp.arguments(WorkOrderUpdateSchema)
    @blp.response(200, WorkOrderSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], work_order_id: int) -> Any:
        """Change a work order's title, note, assignee or meter unit"""
        return work_orders.update_work_order(work_order_id, changes, actor(), uow())


def _move_view(target: WorkOrderState, summary: str) -> type[MethodView]:
    class MoveViews(MethodView):
        @blp.arguments(WorkOrderMoveSchema)
        @blp.response(200, WorkOrderSchema)
        @errors(blp, *WRITE_ONE)
        def post(self, values: dict[str, Any], work_order_id: int) -> Any:
            return work_orders.move_work_order(work_order_id, target, values, actor(), uow(), now())

    MoveViews.__doc__ = f"{summary.capitalize()} a work order."
    MoveViews.post.__doc__ = f"{summary.capitalize()} a work order"
    MoveViews.__name__ = f"WorkOrder{summary.capitalize()}Views"
    return MoveViews


blp.route("/<id:work_order_id>/start", endpoint="start")(_move_view(WorkOrderState.IN_PROGRESS, "start"))
blp.route("/<id:work_order_id>/complete", endpoint="complete")(_move_view(WorkOrderState.DONE, "complete"))
blp.route("/<id:work_order_id>/cancel", endpoint="cancel")(_move_view(WorkOrderState.CANCELLED, "cancel"))
