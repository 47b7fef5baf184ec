"""Charges: list with open amounts, read one, bill a one-off by hand."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.charges.schemas import ChargeDetailSchema, ChargeQueryArgsSchema, ChargeSchema
from backend.api.common import READ, READ_ONE, WRITE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.receivables.services import ledger

blp = Blueprint("charges", __name__, url_prefix="/api/charges", description="Bills and what is open of them.")


@blp.route("")
class ChargeViews(MethodView):
    """The charge collection."""

    @blp.arguments(ChargeQueryArgsSchema, location="query")
    @blp.response(200, ChargeSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List charges of your projects with what is still open, oldest due first"""
        only_open = args.pop("open")
        items, pagination_parameters.item_count = ledger.list_charges(
            list_query(args, pagination_parameters), only_open, actor(), uow()
        )
        return items

    @blp.arguments(ChargeSchema)
    @blp.response(201, ChargeSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """Bill a one-off charge or an adjustment outside the schedule"""
        return ledger.create_charge(values, actor(), uow(), now())


@blp.route("/<id:charge_id>")
class ChargeByIdViews(MethodView):
    """One charge."""

    @blp.response(200, ChargeDetailSchema)
    @errors(blp, *READ_ONE)
    def get(self, charge_id: int) -> Any:
        """Read a charge with its schedule items and allocations"""
        return ledger.get_charge(charge_id, actor(), uow())
