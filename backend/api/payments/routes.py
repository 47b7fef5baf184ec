"""Payments: record cash, apply unapplied money, refund, undo an allocation."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.payments.schemas import (
    AllocateSchema,
    PaymentDetailSchema,
    PaymentQueryArgsSchema,
    PaymentSchema,
    RefundSchema,
)
from backend.receivables.services import ledger

blp = Blueprint(
    "payments", __name__, url_prefix="/api/payments", description="Money received and what it settles."
)


@blp.route("")
class PaymentViews(MethodView):
    """The payment collection."""

    @blp.arguments(PaymentQueryArgsSchema, location="query")
    @blp.response(200, PaymentSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List payments you may see, with what each has not yet settled"""
        items, pagination_parameters.item_count = ledger.list_payments(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(PaymentSchema)
    @blp.response(201, PaymentDetailSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """Record a payment received outside the bank statements (cash)"""
        return ledger.record_payment(values, actor(), uow(), now())


@blp.route("/<id:payment_id>")
class PaymentByIdViews(MethodView):
    """One payment."""

    @blp.response(200, PaymentDetailSchema)
    @errors(blp, *READ_ONE)
    def get(self, payment_id: int) -> Any:
        """Read a payment with its allocations and refunds"""
        return ledger.get_payment(payment_id, actor(), uow())


@blp.route("/<id:payment_id>/allocations")
class PaymentAllocationViews(MethodView):
    """Applying a payment's unapplied money."""

    @blp.arguments(AllocateSchema)
    @blp.response(200, PaymentDetailSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], payment_id: int) -> Any:
        """Settle charges with what the payment has not yet settled"""
        return ledger.allocate(payment_id, values["allocations"], actor(), uow())


@blp.route("/<id:payment_id>/refunds")
class PaymentRefundViews(MethodView):
    """Refunds of a payment."""

    @blp.arguments(RefundSchema)
    @blp.response(201, PaymentDetailSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], payment_id: int) -> Any:
        """Pay back part of a payment that settles nothing"""
        return ledger.refund(payment_id, values, actor(), uow())


@blp.route("/allocations/<id:allocation_id>")
class AllocationByIdViews(MethodView):
    """One allocation."""

    @blp.response(204)
    @errors(blp, 401, 403, 404, 409)
    def delete(self, allocation_id: int) -> None:
        """Undo an allocation: the charge reopens, the money is unapplied again"""
        ledger.unallocate(allocation_id, actor(), uow(), now())
