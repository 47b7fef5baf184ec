"""Deposits: list, read, record a movement."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.deposits.schemas import DepositQueryArgsSchema, DepositSchema, MovementSchema
from backend.receivables.services import deposits

blp = Blueprint("deposits", __name__, url_prefix="/api/deposits", description="Deposits held for customers.")


@blp.route("")
class DepositViews(MethodView):
    """The deposit collection."""

    @blp.arguments(DepositQueryArgsSchema, location="query")
    @blp.response(200, DepositSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List deposits of your projects with what is held"""
        items, pagination_parameters.item_count = deposits.list_deposits(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items


@blp.route("/<id:deposit_id>")
class DepositByIdViews(MethodView):
    """One deposit."""

    @blp.response(200, DepositSchema)
    @errors(blp, *READ_ONE)
    def get(self, deposit_id: int) -> Any:
        """Read a deposit with its movements"""
        return deposits.get_deposit(deposit_id, actor(), uow())


@blp.route("/<id:deposit_id>/movements")
class DepositMovementViews(MethodView):
    """Movements of a deposit."""

    @blp.arguments(MovementSchema)
    @blp.response(201, DepositSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], deposit_id: int) -> Any:
        """Receive, apply to rent or repairs, or return part of a deposit"""
        return deposits.record_movement(deposit_id, values, actor(), uow(), now())
