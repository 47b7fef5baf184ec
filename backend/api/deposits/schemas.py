"""Deposit payloads."""

from marshmallow import Schema, fields, validate

from backend.api.charges.schemas import money
from backend.api.common import ident, sort_field, text
from backend.api.payments.schemas import AllocationRequestSchema
from backend.receivables.domain.deposits import DepositState, MovementKind


class MovementSchema(Schema):
    """Money into or out of a deposit."""

    id = fields.Integer(dump_only=True)
    kind = fields.Enum(MovementKind, by_value=True, required=True)
    amount = money(required=True)
    occurred_on = fields.Date(required=True)
    reference = text(200, allow_none=True)
    note = text(2000, allow_none=True, metadata={"description": "Required when the deposit is released."})
    payment_id = fields.Integer(dump_only=True, allow_none=True)
    allocations = fields.List(
        fields.Nested(AllocationRequestSchema),
        load_only=True,
        validate=validate.Length(max=200),
        metadata={"description": "applied_to_rent only: the charges it settles, adding up to the amount."},
    )
    created_at = fields.AwareDateTime(dump_only=True)


class DepositSchema(Schema):
    """A lease's deposit: required, received, released, held."""

    id = fields.Integer(dump_only=True)
    lease_id = fields.Integer(dump_only=True)
    project_id = fields.Integer(dump_only=True)
    customer_id = fields.Integer(dump_only=True)
    currency = fields.String(dump_only=True)
    requested_on = fields.Date(dump_only=True)
    required = money(dump_only=True)
    received = money(dump_only=True)
    released = money(dump_only=True)
    held = money(dump_only=True)
    outstanding = money(dump_only=True)
    state = fields.Enum(DepositState, by_value=True, dump_only=True)
    movements = fields.List(fields.Nested(MovementSchema), dump_only=True)


class DepositQueryArgsSchema(Schema):
    """Filters for the deposit list."""

    customer_id = ident(in_query=True)
    project_id = ident(in_query=True)
    lease_id = ident(in_query=True)
    sort = sort_field("requested_on", "required")
