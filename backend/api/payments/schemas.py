"""Payment payloads."""

from marshmallow import Schema, fields, validate

from backend.api.charges.schemas import AllocationSchema, money
from backend.api.common import ident, sort_field, text
from backend.receivables.domain.ledger import PaymentMethod


class AllocationRequestSchema(Schema):
    """Settle this much of one charge."""

    charge_id = ident(required=True)
    amount = money(required=True)


class RefundSchema(Schema):
    """Money paid back out of a payment's unapplied part."""

    id = fields.Integer(dump_only=True)
    amount = money(required=True)
    paid_on = fields.Date(required=True)
    reference = text(200, allow_none=True)
    reason = text(500, required=True)
    created_at = fields.AwareDateTime(dump_only=True)


class PaymentSchema(Schema):
    """Money received from a customer."""

    id = fields.Integer(dump_only=True)
    customer_id = ident(required=True)
    project_id = ident(allow_none=True)
    region_id = fields.Integer(dump_only=True)
    method = fields.Enum(
        PaymentMethod,
        by_value=True,
        load_default=PaymentMethod.CASH,
        metadata={
            "description": "By hand: cash (bank payments come from statements, deposits from deposits)."
        },
    )
    received_on = fields.Date(required=True)
    amount = money(required=True)
    fee = money(dump_only=True, metadata={"description": "Bank fee booked with it (settles charges too)."})
    currency = fields.String(validate=validate.OneOf(["CNY"]), load_default="CNY")
    reference = text(200, allow_none=True)
    payer_name = text(200, allow_none=True)
    note = text(2000, allow_none=True)
    bank_line_id = fields.Integer(dump_only=True, allow_none=True)
    deposit_id = fields.Integer(dump_only=True, allow_none=True)
    unapplied = money(dump_only=True)
    allocations = fields.List(
        fields.Nested(AllocationRequestSchema),
        load_only=True,
        validate=validate.Length(max=200),
        metadata={"description": "Charges to settle; left out: the customer's oldest open charges."},
    )
    created_at = fields.AwareDateTime(dump_only=True)


class PaymentDetailSchema(PaymentSchema):
    """A payment with what it settles and what was refunded."""

    settled = fields.List(fields.Nested(AllocationSchema), dump_only=True, attribute="allocations")
    refunds = fields.List(fields.Nested(RefundSchema), dump_only=True)


class AllocateSchema(Schema):
    """Charges a payment's unapplied money settles."""

    allocations = fields.List(
        fields.Nested(AllocationRequestSchema), required=True, validate=validate.Length(min=1, max=200)
    )


class PaymentQueryArgsSchema(Schema):
    """Filters for the payment list."""

    q = text(100, metadata={"description": "Search in reference and payer name."})
    customer_id = ident(in_query=True)
    project_id = ident(in_query=True)
    method = fields.List(fields.Enum(PaymentMethod, by_value=True))
    received_from = fields.Date()
    received_to = fields.Date()
    sort = sort_field("received_on", "amount")
